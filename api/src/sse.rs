//! `GET /api/v1/sse/stream`: a user's events as Server-Sent Events — the user's
//! `EventFeed` (resume without gap or duplicate, `reset`, heartbeats, `reconnect`)
//! written as SSE frames. A client that reads too slowly overflows its bounded buffer
//! and is told to `reconnect`; it resumes by id and loses nothing.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, Client, QueryParams, StreamUser};
use crate::feed::{EventFeed, FeedItem};
use crate::state::AppState;
use crate::stream_cookie;

/// Frames merged into one write while catching up.
const COALESCE_BYTES: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stream))
        .routes(routes!(ticket))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    /// One-time: valid for a single `?ticket=` use on the stream or events route.
    ticket: String,
    /// Seconds until the ticket expires.
    expires_in: u64,
}

/// A one-time ticket for `?ticket=` on the stream and events routes (EventSource cannot
/// send headers), and the `hugmood_stream` cookie that carries the browser's own
/// reconnections (HttpOnly, Path=/api/v1; SameSite=Strict, Secure behind TLS; for a page
/// of a `cors_origins` origin SameSite=None, Secure, Partitioned; revoked by logout).
#[utoipa::path(post, path = "/sse/ticket", tag = "realtime", security(("bearer" = [])),
    responses((status = 200, body = TicketView, headers(("Set-Cookie" = String, description = "hugmood_stream")))))]
async fn ticket(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    user: AuthUser,
) -> ApiResult<Response> {
    let pass = state.stream_access.issue(user.id, user.session).await?;
    let cookie = stream_cookie::set(&state, &client, &headers, &pass.cookie, pass.cookie_max_age)?;
    let mut response = Json(TicketView {
        ticket: pass.ticket,
        expires_in: pass.ticket_expires_in,
    })
    .into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Resume after this event id (the `Last-Event-ID` header wins).
    #[param(minimum = 0)]
    last_event_id: Option<i64>,
}

/// The user's events as `text/event-stream`: `id`, `event` and `data` per event, a
/// `retry:` hint, heartbeats, `reset` when the asked-for id is older than the retained
/// log, and `reconnect` when the server wants the client to resume elsewhere.
#[utoipa::path(get, path = "/sse/stream", tag = "realtime",
    security(("bearer" = []), ("ticket" = []), ("stream_cookie" = [])), params(StreamQuery,
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id",
            minimum = 0)),
    responses((status = 200, description = "An endless event stream", content_type = "text/event-stream"),
              (status = 401, body = ErrorBody),
              (status = 429, description = "too_many_streams", body = ErrorBody)))]
async fn stream(
    State(state): State<AppState>,
    user: StreamUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<StreamQuery>,
) -> ApiResult<Response> {
    let resume = match headers.get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|id| *id >= 0)
                .ok_or_else(|| ApiError::invalid_field("Last-Event-ID", "must be an event id"))?,
        ),
        None => match query.last_event_id {
            Some(id) if id < 0 => {
                return Err(ApiError::invalid_field(
                    "last_event_id",
                    "must be an event id",
                ))
            }
            other => other,
        },
    };
    let feed = EventFeed::open(state.clone(), user.id, user.session, resume).await?;
    let frames = SseFrames {
        feed,
        retry: Some(state.settings.sse_retry_ms),
    };
    let body = Body::from_stream(futures::stream::unfold(frames, |mut frames| async move {
        frames
            .next_chunk()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), frames))
    }));
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The feed rendered as SSE frames, several ready frames merged into one write.
struct SseFrames {
    feed: EventFeed,
    /// The `retry:` hint, sent first.
    retry: Option<u64>,
}

impl SseFrames {
    /// The next bytes to write; `None` ends the response.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(retry) = self.retry.take() {
            return Some(Bytes::from(format!("retry: {retry}\n\n")));
        }
        let first = frame(self.feed.next().await?);
        let Some(next) = self.feed.ready() else {
            return Some(first);
        };
        let mut merged = Vec::with_capacity(COALESCE_BYTES.min(first.len() * 8));
        merged.extend_from_slice(&first);
        merged.extend_from_slice(&frame(next));
        while merged.len() < COALESCE_BYTES {
            match self.feed.ready() {
                Some(item) => merged.extend_from_slice(&frame(item)),
                None => break,
            }
        }
        Some(Bytes::from(merged))
    }
}

/// The SSE frame of one feed item.
fn frame(item: FeedItem) -> Bytes {
    match item {
        FeedItem::Live(live) => live.frame.clone(),
        FeedItem::Stored(event) => Bytes::from(event.sse_frame()),
        FeedItem::Heartbeat(at) => {
            let time = at.to_rfc3339_opts(SecondsFormat::Millis, true);
            Bytes::from(format!(
                "event: heartbeat\ndata: {{\"time\":\"{time}\"}}\n\n"
            ))
        }
        FeedItem::Reset { last_id, unread } => Bytes::from(format!(
            "event: reset\ndata: {{\"lastId\":{last_id},\"unreadCount\":{unread}}}\n\n"
        )),
        FeedItem::Reconnect {
            reason,
            last_event_id,
        } => Bytes::from(format!(
            "event: reconnect\ndata: {{\"reason\":\"{reason}\",\"lastEventId\":{last_event_id}}}\n\n"
        )),
    }
}
