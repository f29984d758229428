//! The last line of defence: a handler that panics still answers. The panic is caught
//! at the router and the client gets the spec's 500 error JSON instead of a dropped
//! connection; the panic itself is logged once, by the process's panic hook (the
//! binary installs one that logs through `tracing`), so the answer logs nothing more. A panic is always a bug to fix; this only keeps one
//! bad request from looking like an outage to the client.

use axum::response::{IntoResponse, Response};
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;

use crate::ApiError;

/// The layer that turns a handler's panic into a 500 `internal_error`.
pub(crate) fn catch_panics() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(answer_panic as fn(_) -> _)
}

fn answer_panic(_payload: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal_answer().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::{Request, StatusCode};
    use axum::{routing::get, Router};
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("a bug in a handler")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_error_json() {
        let app = Router::new()
            .route("/boom", get(boom))
            .layer(catch_panics());
        let answer = app
            .oneshot(Request::get("/boom").body(Body::empty()).expect("request"))
            .await
            .expect("an answer");
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(answer.into_body(), 4096).await.expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(json["error"]["code"], "internal_error", "{json}");
    }
}
