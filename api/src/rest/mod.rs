//! The REST API under `/api/v1`: one module per resource, each exposing `router()`,
//! merged here. Handlers carry their OpenAPI description, so the document served at
//! `/api/v1/openapi.json` lists exactly the routes that exist.

mod auth;
mod blocks;
mod collections;
mod friends;
mod hugs;
mod moods;
mod notifications;
mod nullable;
mod pagination;
mod privacy;
mod users;
mod whole_number;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use pagination::PageQuery;

/// Every `/api/v1` resource, paths relative to that prefix.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(privacy::router())
        .merge(friends::router())
        .merge(blocks::router())
        .merge(moods::router())
        .merge(hugs::router())
        .merge(collections::router())
        .merge(notifications::router())
}
