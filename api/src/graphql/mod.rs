//! The GraphQL API at `/graphql`: the schema (built once, with depth and complexity
//! limits) and its routes. Resolvers call the same engine services as REST.

mod context;
mod error;
mod graphiql;
mod http;
mod loaders;
mod paging;
mod resolvers;
mod scalars;
mod sdl;
mod stream;
mod types;

use async_graphql::Schema;
use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::state::AppState;

pub use graphiql::CONTENT_SECURITY_POLICY as GRAPHIQL_CONTENT_SECURITY_POLICY;
pub use resolvers::{MutationRoot, QueryRoot, SubscriptionRoot};
pub use sdl::sdl;

/// Where the API is served.
pub const PATH: &str = "/graphql";

/// Deepest selection accepted. Deep enough for the introspection query GraphiQL sends
/// (15 levels with the nine-deep `ofType` chain of newer graphql-js), far beyond any
/// query of the app's own types.
pub const MAX_DEPTH: usize = 16;

/// Highest cost accepted: one per field, list fields multiplied by their page size
/// (see `paging::list_cost`).
pub const MAX_COMPLEXITY: usize = 500;

/// The HugMood schema; its subscription is served over SSE at `/graphql/stream`.
pub type HugMoodSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema. It holds no per-request data: the handler adds the app state and
/// the caller to each request.
pub fn schema() -> HugMoodSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .finish()
}

/// `POST /graphql` executes; `GET /graphql` executes a `?query=` (never a mutation) and
/// otherwise serves GraphiQL, whose files are under `/graphiql/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(http::get).post(http::post))
        .route(graphiql::FILES_PATH, get(graphiql::file))
        .route(stream::STREAM_PATH, post(stream::post))
        .layer(Extension(schema()))
}
