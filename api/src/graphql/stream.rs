//! `POST /graphql/stream`: GraphQL over Server-Sent Events, as the `graphql-sse`
//! protocol's distinct-connections mode has it. The body is an ordinary GraphQL request;
//! each result is an `event: next` frame with the result JSON, and `event: complete`
//! ends the stream. A subscription (`events`) stays open; a query or mutation gives one
//! result. Idle connections carry an SSE comment at every heartbeat so proxies keep
//! them open.

use async_graphql::futures_util::stream::BoxStream;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;
use hugmood_actors::realtime::Pulse;
use std::convert::Infallible;
use tokio::sync::watch;

use super::context::RequestContext;
use super::http::Caller;
use super::HugMoodSchema;
use crate::extract::{Client, JsonBody};
use crate::state::AppState;

/// Where the stream is served.
pub const STREAM_PATH: &str = "/graphql/stream";

const COMPLETE: &str = "event: complete\ndata:\n\n";
const KEEP_ALIVE: &str = ":\n\n";

struct Frames {
    results: BoxStream<'static, async_graphql::Response>,
    pulse: watch::Receiver<Pulse>,
    /// Whether the pulse still beats (its sender goes away only when the node stops).
    beating: bool,
    done: bool,
}

impl Frames {
    async fn next_frame(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        loop {
            tokio::select! {
                result = self.results.next() => {
                    return Some(match result {
                        Some(result) => next_frame(&result),
                        None => {
                            self.done = true;
                            Bytes::from_static(COMPLETE.as_bytes())
                        }
                    });
                }
                changed = self.pulse.changed(), if self.beating => match changed {
                    Ok(()) => {
                        let pulse = *self.pulse.borrow_and_update();
                        if matches!(pulse, Pulse::Beat(_)) {
                            return Some(Bytes::from_static(KEEP_ALIVE.as_bytes()));
                        }
                        // Shutdown: the subscription's feed ends with `reconnect` and
                        // then completes; keep reading results.
                    }
                    // The node is stopping; the results still decide the end.
                    Err(_) => self.beating = false,
                },
            }
        }
    }
}

fn next_frame(result: &async_graphql::Response) -> Bytes {
    let json = serde_json::to_string(result).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise a GraphQL result");
        r#"{"errors":[{"message":"internal error"}]}"#.to_owned()
    });
    Bytes::from(format!("event: next\ndata: {json}\n\n"))
}

/// Executes the request and streams its results.
pub(crate) async fn post(
    State(state): State<AppState>,
    Extension(schema): Extension<HugMoodSchema>,
    Caller(viewer): Caller,
    client: Client,
    JsonBody(request): JsonBody<async_graphql::Request>,
) -> Response {
    let mut pulse = state.realtime.pulse();
    pulse.mark_unchanged();
    let results = schema
        .execute_stream(request.data(RequestContext::new(state, viewer, client)))
        .boxed();
    let frames = Frames {
        results,
        pulse,
        beating: true,
        done: false,
    };
    let body = Body::from_stream(futures::stream::unfold(frames, |mut frames| async move {
        frames
            .next_frame()
            .await
            .map(|frame| (Ok::<_, Infallible>(frame), frames))
    }));
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
