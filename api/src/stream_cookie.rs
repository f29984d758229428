//! The `Set-Cookie` values of the `hugmood_stream` cookie: set by `POST /sse/ticket`,
//! cleared by logout. Always HttpOnly, Path=/api/v1. Its scope depends on who asks:
//!
//! - the hub's own pages, or any client that is not a listed web origin: SameSite=Strict,
//!   and `Secure` when the request reached the hub over TLS (as a trusted proxy says
//!   with `X-Forwarded-Proto: https`) or `cookie_secure` is on, so the browser never
//!   sends it over plain HTTP;
//! - a page of one of `cors_origins` (its `Origin` is listed): SameSite=None; Secure;
//!   Partitioned. A page on another site must get the cookie back on its
//!   `EventSource(url, {withCredentials: true})` reconnections, which only a
//!   SameSite=None cookie allows, and browsers take SameSite=None only with `Secure`
//!   (kept from a hub served over HTTPS, or over plain HTTP on localhost / 127.0.0.1,
//!   which browsers count as secure). `Partitioned` keeps it working where third-party
//!   cookies are blocked: the cookie is then kept for that site's pages alone, which
//!   are the only ones that use it. Nothing is lost: the cookie only opens the stream
//!   and the long-poll, reads that CORS lets no unlisted page see.

use axum::http::{HeaderMap, HeaderValue};

use crate::error::ApiError;
use crate::extract::{Client, STREAM_COOKIE};
use crate::state::AppState;

/// The `SameSite` and `Secure` attributes of the cookie answered to `client` (whose
/// request had `headers`).
fn scope(state: &AppState, client: &Client, headers: &HeaderMap) -> &'static str {
    if state.settings.cors_origins.lists_origin_of(headers) {
        "SameSite=None; Secure; Partitioned"
    } else if state.settings.cookie_secure || client.tls {
        "SameSite=Strict; Secure"
    } else {
        "SameSite=Strict"
    }
}

/// Sets the cookie to `value` for `max_age` seconds.
pub fn set(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    value: &str,
    max_age: u64,
) -> Result<HeaderValue, ApiError> {
    let scope = scope(state, client, headers);
    let cookie =
        format!("{STREAM_COOKIE}={value}; HttpOnly; {scope}; Path=/api/v1; Max-Age={max_age}");
    HeaderValue::from_str(&cookie).map_err(|e| {
        ApiError::from(hugmood_actors::EngineError::Internal(format!(
            "cookie header: {e}"
        )))
    })
}

/// Clears the cookie in the browser (with the same scope, so that it is the same
/// cookie: a partitioned one is cleared only by a partitioned answer).
pub fn clear(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
) -> Result<HeaderValue, ApiError> {
    set(state, client, headers, "", 0)
}
