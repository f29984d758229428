//! CORS for the web origins of `cors_origins`: a web app served elsewhere may call the
//! REST API, the SSE stream, the long-poll and GraphQL with credentials (the
//! `Authorization` header and the stream cookie). A request whose `Origin` is listed
//! goes through tower-http's CORS layer (preflights answered from the list, the
//! origin echoed, credentials allowed); any other request passes by it and gets no
//! CORS header at all, as when the list is empty — then the layer is not even added.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The config key the origins come from, named in every refusal.
const KEY: &str = "cors_origins";

/// The request headers a caller of the API may send.
const ALLOWED_HEADERS: [HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::ACCEPT,
    header::IF_NONE_MATCH,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("last-event-id"),
];

/// The response headers the API sends that a script may read beyond the safelisted
/// ones: polling's `ETag`, a limit's `Retry-After`, a created resource's `Location`
/// and the reason of a 401.
const EXPOSED_HEADERS: [HeaderName; 4] = [
    header::ETAG,
    header::RETRY_AFTER,
    header::LOCATION,
    header::WWW_AUTHENTICATE,
];

const ALLOWED_METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The origins of `cors_origins`, exactly as a browser sends them in `Origin`
/// (`https://app.example.com`, `http://127.0.0.1:5173`); cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(Arc<[HeaderValue]>);

impl CorsOrigins {
    /// Checks each entry is an origin, `scheme://host[:port]` (http or https, no path,
    /// query, user or wildcard), and keeps it in the form browsers send: lower case,
    /// without the scheme's default port.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let mut origins: Vec<HeaderValue> = Vec::with_capacity(entries.len());
        for entry in entries {
            let origin = HeaderValue::from_str(&origin(entry.trim())?)
                .map_err(|_| format!("{KEY}: {entry:?} is not an origin"))?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(Self(origins.into()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `headers` carry an `Origin` of the list.
    pub fn lists_origin_of(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::ORIGIN)
            .is_some_and(|origin| self.0.contains(origin))
    }

    /// The CORS layer for the listed origins.
    fn layer(&self) -> CorsLayer {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(self.0.iter().cloned()))
            .allow_credentials(true)
            .allow_methods(ALLOWED_METHODS)
            .allow_headers(ALLOWED_HEADERS)
            .expose_headers(EXPOSED_HEADERS)
            .max_age(PREFLIGHT_MAX_AGE)
    }
}

/// The canonical form of one configured origin, or why it is not one.
fn origin(entry: &str) -> Result<String, String> {
    if entry == "*" {
        return Err(format!(
            "{KEY}: \"*\" is not allowed: listed origins are sent credentials (the \
             Authorization header, the stream cookie), which browsers never accept from a \
             wildcard; list each origin instead, e.g. https://app.example.com"
        ));
    }
    let shape = || {
        format!(
            "{KEY}: {entry:?} is not an origin: write scheme://host[:port] (http or \
             https), with no path, e.g. https://app.example.com or http://127.0.0.1:5173"
        )
    };
    let (scheme, authority) = entry.split_once("://").ok_or_else(shape)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(shape()),
    };
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', '*', ' ']) {
        return Err(shape());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => {
            let port: u16 = port.parse().map_err(|_| shape())?;
            (host, (port != 0).then_some(port).ok_or_else(shape)?)
        }
        _ => (authority, default_port),
    };
    let host = host.to_ascii_lowercase();
    let is_host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        }
    };
    if !is_host {
        return Err(shape());
    }
    Ok(if port == default_port {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    })
}

/// Adds the CORS middleware to `router`, unless no origin is listed.
pub(crate) fn add_to<S>(router: Router<S>, origins: &CorsOrigins) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    if origins.is_empty() {
        return router;
    }
    let cors = Arc::new(Cors {
        layer: origins.layer(),
        origins: origins.clone(),
    });
    router.layer(axum::middleware::from_fn_with_state(cors, through))
}

/// What the middleware holds.
struct Cors {
    origins: CorsOrigins,
    layer: CorsLayer,
}

/// A request of a listed origin through the CORS layer; any other past it.
async fn through(State(cors): State<Arc<Cors>>, request: Request, next: Next) -> Response {
    if !cors.origins.lists_origin_of(request.headers()) {
        let mut response = next.run(request).await;
        // A cache must not hand this answer to a listed origin, nor theirs to others.
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("origin"));
        return response;
    }
    match cors.layer.layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entries: &[&str]) -> Result<Vec<String>, String> {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        CorsOrigins::parse(&entries).map(|origins| {
            origins
                .0
                .iter()
                .map(|o| o.to_str().expect("ASCII").to_owned())
                .collect()
        })
    }

    #[test]
    fn origins_are_kept_as_browsers_send_them() {
        assert_eq!(
            parse(&[
                "https://app.example.com",
                " HTTP://LocalHost:5173 ",
                "https://app.example.com:443",
                "http://127.0.0.1:80",
                "http://[::1]:8081",
            ]),
            Ok(vec![
                "https://app.example.com".to_owned(),
                "http://localhost:5173".to_owned(),
                "http://127.0.0.1".to_owned(),
                "http://[::1]:8081".to_owned(),
            ])
        );
        assert_eq!(parse(&[]), Ok(vec![]));
    }

    #[test]
    fn a_wildcard_is_refused_since_credentials_are_allowed() {
        let err = parse(&["https://a.example", "*"]).expect_err("refused");
        assert!(
            err.starts_with("cors_origins: \"*\" is not allowed"),
            "{err}"
        );
        assert!(err.contains("credentials"), "{err}");
    }

    #[test]
    fn what_is_not_an_origin_is_refused_by_name() {
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://app.example.com/app",
            "https://app.example.com?x=1",
            "https://user@app.example.com",
            "https://*.example.com",
            "ftp://files.example.com",
            "https://",
            "https://app.example.com:http",
            "https://app.example.com:99999",
            "null",
            "",
        ] {
            let err = parse(&[bad]).expect_err(bad);
            assert!(
                err.starts_with(&format!("cors_origins: {bad:?} is not an origin")),
                "{bad}: {err}"
            );
            assert!(err.contains("scheme://host[:port]"), "{bad}: {err}");
        }
    }

    #[test]
    fn only_a_listed_origin_is_recognised() {
        let origins = CorsOrigins::parse(&["https://app.example.com".into()]).expect("parse");
        let mut headers = HeaderMap::new();
        assert!(!origins.lists_origin_of(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!origins.lists_origin_of(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://app.example.com"),
        );
        assert!(origins.lists_origin_of(&headers));
    }
}
