//! GraphiQL, the in-browser IDE `GET /graphql` serves, from files embedded in the
//! binary: the page and its start-up script (in `graphiql/`), and a pinned copy of
//! GraphiQL, React and the graphql-sse client (in `graphiql/vendor/`; where it comes
//! from and how to update it: `graphiql/README.md`). Nothing is fetched from another
//! origin, so the IDE works offline; its subscriptions go to `/graphql/stream` over
//! SSE. The files are answered like the web app's (`web::answer`: type, `ETag`, a
//! strict Content-Security-Policy).

use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::web::{answer, embed, Asset};

/// Where the page's files are served, relative to the page (`/graphql`), so the page
/// works behind a proxy that serves the hub under a path of its own.
pub const FILES_PATH: &str = "/graphiql/{*path}";

/// The web app's policy, but for the images and fonts GraphiQL's style sheet carries
/// inline as `data:` URLs (its icons and typefaces): still nothing from another origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     font-src 'self' data:; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; \
     form-action 'self'";

static PAGE: [Asset; 1] = embed!["src/graphql/graphiql/"; "index.html"];

/// The files the page loads, by their path under `/graphiql/`.
static FILES: [Asset; 7] = embed![
    "src/graphql/graphiql/";
    "hugmood-graphiql.js",
    "hugmood-graphiql.css",
    "vendor/react.production.min.js",
    "vendor/react-dom.production.min.js",
    "vendor/graphiql.min.js",
    "vendor/graphiql.min.css",
    "vendor/graphql-sse.min.js",
];

/// The page.
pub(crate) fn page(headers: &HeaderMap) -> Response {
    answer(&PAGE[0], headers, CONTENT_SECURITY_POLICY)
}

/// `GET /graphiql/{path}`: one of the page's files, or 404 in the error JSON. The path
/// is taken as sent, not percent-decoded, as the web app's are.
pub(crate) async fn file(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().strip_prefix("/graphiql/").unwrap_or_default();
    match FILES.iter().find(|asset| asset.path == path) {
        Some(asset) => answer(asset, &headers, CONTENT_SECURITY_POLICY),
        None => ApiError::not_found("file").into_response(),
    }
}
