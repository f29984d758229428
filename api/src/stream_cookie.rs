//! The `Set-Cookie` values of the `hugmood_stream` cookie: set by `POST /sse/ticket`,
//! cleared by logout. Always HttpOnly, SameSite=Strict, Path=/api/v1; `Secure` when
//! the request reached the hub over TLS (as a trusted proxy says with
//! `X-Forwarded-Proto: https`) or `cookie_secure` is on, so the browser never sends it
//! over plain HTTP.

use axum::http::HeaderValue;

use crate::error::ApiError;
use crate::extract::{Client, STREAM_COOKIE};
use crate::state::AppState;

/// Whether the cookie answered to `client` is marked `Secure`.
fn secure(state: &AppState, client: &Client) -> bool {
    state.settings.cookie_secure || client.tls
}

/// Sets the cookie to `value` for `max_age` seconds.
pub fn set(
    state: &AppState,
    client: &Client,
    value: &str,
    max_age: u64,
) -> Result<HeaderValue, ApiError> {
    let secure = if secure(state, client) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{STREAM_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&cookie).map_err(|e| {
        ApiError::from(hugmood_actors::EngineError::Internal(format!(
            "cookie header: {e}"
        )))
    })
}

/// Clears the cookie in the browser.
pub fn clear(state: &AppState, client: &Client) -> Result<HeaderValue, ApiError> {
    set(state, client, "", 0)
}
