//! The web app at `/`: the files of the top-level `web/` folder, embedded in the binary
//! at build time (no build step, nothing read from disk at run time, nothing fetched
//! from another origin). Each answer carries its content type, a strict
//! Content-Security-Policy and a strong `ETag`, so a browser revalidates with a 304.

mod assets;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::etag::if_none_match_names;
use crate::state::AppState;

pub(crate) use assets::embed;
pub use assets::{Asset, ASSETS};

/// Only this origin, for every kind of resource: the app loads its scripts, styles,
/// images, worker and API calls from the hub that served it, and nothing else
/// (no inline script or style, no plugin, no framing by another site).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; \
     object-src 'none'; frame-ancestors 'none'; form-action 'self'";

/// The files have no fingerprint in their names, so a browser may keep them but must
/// ask again (a cheap 304) before each use: a new hub version is seen at once.
const CACHE_CONTROL: &str = "no-cache";

/// `/`, the service worker (it must sit at the root to control the whole app) and
/// `/assets/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|headers: HeaderMap| async move { serve("index.html", &headers) }),
        )
        .route(
            "/sw.js",
            get(|headers: HeaderMap| async move { serve("sw.js", &headers) }),
        )
        .route("/assets/{*path}", get(asset))
}

/// The path as sent, not percent-decoded: no file name needs escaping, so an escaped
/// one is simply not found (and a path that does not decode is no error either).
async fn asset(uri: Uri, headers: HeaderMap) -> Response {
    serve(uri.path().trim_start_matches('/'), &headers)
}

/// The embedded file at `path` (relative to `web/`), or 404 in the error JSON.
fn serve(path: &str, headers: &HeaderMap) -> Response {
    match assets::find(path) {
        Some(asset) => answer(asset, headers, CONTENT_SECURITY_POLICY),
        None => ApiError::not_found("file").into_response(),
    }
}

/// `asset` under `policy`, with its type and `ETag`; 304 when `headers` ask with an
/// `If-None-Match` it meets.
pub(crate) fn answer(asset: &Asset, headers: &HeaderMap, policy: &'static str) -> Response {
    let etag = asset.etag();
    let fixed: [(HeaderName, HeaderValue); 6] = [
        (header::ETAG, etag.clone()),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type()),
        ),
    ];
    if if_none_match_names(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, fixed).into_response();
    }
    (StatusCode::OK, fixed, asset.body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn if_none_match_reads_lists_and_weak_tags() {
        let etag = HeaderValue::from_static("\"abc\"");
        assert!(if_none_match_names(&asking("\"abc\""), &etag));
        assert!(if_none_match_names(&asking("\"x\", W/\"abc\""), &etag));
        assert!(if_none_match_names(&asking("*"), &etag));
        assert!(!if_none_match_names(&asking("\"abcd\""), &etag));
        assert!(!if_none_match_names(&HeaderMap::new(), &etag));
    }

    #[test]
    fn a_known_file_is_served_and_revalidated() {
        let first = serve("index.html", &HeaderMap::new());
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(
            serve("index.html", &again).status(),
            StatusCode::NOT_MODIFIED
        );
    }

    #[test]
    fn an_unknown_file_is_a_404() {
        for path in ["assets/nope.js", "assets/../Cargo.toml", "", "assets/"] {
            assert_eq!(
                serve(path, &HeaderMap::new()).status(),
                StatusCode::NOT_FOUND
            );
        }
    }
}
