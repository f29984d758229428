//! The HugMood HTTP API over the engine: REST under `/api/v1`, health routes, the
//! OpenAPI document and the web app at `/`. `router(state)` builds it; `serve` runs it
//! until shutdown.

mod cors;
pub mod error;
mod etag;
pub mod extract;
mod fallback;
mod feed;
pub mod graphql;
mod health;
mod longpoll;
pub mod metrics;
mod openapi;
mod panics;
pub mod rest;
mod server;
mod sse;
pub mod state;
mod stream_cookie;
pub mod views;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::{routing::get, Json, Router};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use cors::CorsOrigins;
pub use error::{ApiError, ApiResult};
pub use server::{ConnectionLimits, CONNECTIONS};
pub use state::{ApiSettings, AppState};

/// The OpenAPI document and the routes it describes, built together.
fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(
            "/api/v1",
            rest::router()
                .merge(sse::router())
                .merge(longpoll::router()),
        )
        .merge(health::router())
        .split_for_parts();
    openapi::finish(&mut document);
    (routes, document)
}

/// The OpenAPI document of the REST API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().1
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (routes, document) = documented_routes();
    let document = Arc::new(document);
    let routes = routes
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(document.as_ref().clone()) }),
        )
        .merge(graphql::router())
        .route("/metrics", get(metrics::render))
        .merge(web::router())
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed);
    cors::add_to(routes, &state.settings.cors_origins)
        .layer(DefaultBodyLimit::max(state.settings.body_limit_bytes))
        .layer(panics::catch_panics())
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` is cancelled, then lets
/// in-flight requests finish. Held SSE streams take a lean path that keeps no
/// per-connection read buffer; every other request is served by hyper (see `server`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    server::run(listener, router(state), limits, shutdown).await
}
