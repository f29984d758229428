//! `GET /api/v1/sse/stream`: a user's events as Server-Sent Events.
//!
//! A stream subscribes to the user's UserActor first, then sends from the store what
//! the client missed (after `Last-Event-ID`), then live events, skipping any id it has
//! already sent — so there is no gap and no duplicate. Heartbeats and the shutdown
//! notice come from one shared pulse. A client that reads too slowly overflows its
//! bounded buffer and is told to `reconnect`; it resumes by id and loses nothing.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::SecondsFormat;
use hugmood_actors::observe;
use hugmood_actors::realtime::Pulse;
use hugmood_actors::user::{LiveEvent, SubscribeError, Subscription, Transport};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::convert::Infallible;
use tokio::sync::watch;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, QueryParams, StreamUser, STREAM_COOKIE};
use crate::state::AppState;

/// Stored events read per query while catching up.
const BACKFILL_PAGE: u32 = 500;
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
/// reconnections (HttpOnly, SameSite=Strict, Path=/api/v1; revoked by logout).
#[utoipa::path(post, path = "/sse/ticket", tag = "realtime", security(("bearer" = [])),
    responses((status = 200, body = TicketView, headers(("Set-Cookie" = String, description = "hugmood_stream"))),
              (status = 401, body = ErrorBody)))]
async fn ticket(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    let pass = state.stream_access.issue(user.id, user.session).await?;
    let cookie = format!(
        "{STREAM_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age={}",
        pass.cookie, pass.cookie_max_age
    );
    let mut response = Json(TicketView {
        ticket: pass.ticket,
        expires_in: pass.ticket_expires_in,
    })
    .into_response();
    let value = HeaderValue::from_str(&cookie).map_err(|e| {
        ApiError::from(hugmood_actors::EngineError::Internal(format!(
            "cookie header: {e}"
        )))
    })?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Resume after this event id (the `Last-Event-ID` header wins).
    last_event_id: Option<i64>,
}

/// The user's events as `text/event-stream`: `id`, `event` and `data` per event, a
/// `retry:` hint, heartbeats, `reset` when the asked-for id is older than the retained
/// log, and `reconnect` when the server wants the client to resume elsewhere.
#[utoipa::path(get, path = "/sse/stream", tag = "realtime", security(("bearer" = [])), params(StreamQuery,
        ("ticket" = Option<String>, Query, description = "One-time ticket from POST /sse/ticket"),
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id")),
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
    let subscription = subscribe(&state, user.id).await?;
    let mut sse = SseStream::new(state, user.id, subscription);
    sse.start(resume).await?;
    let body = Body::from_stream(futures::stream::unfold(sse, |mut sse| async move {
        sse.next_chunk()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), sse))
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

async fn subscribe(state: &AppState, user: Uuid) -> ApiResult<Subscription> {
    match state
        .realtime
        .directory
        .subscribe(user, Transport::Sse)
        .await?
    {
        Ok(subscription) => Ok(subscription),
        Err(SubscribeError::TooManyStreams) => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_streams",
            format!(
                "at most {} open streams per user",
                state.realtime.settings().max_streams_per_user
            ),
        )),
    }
}

/// Keeps the open-streams gauge right however the stream ends.
struct OpenStream;

impl OpenStream {
    fn new() -> Self {
        metrics::gauge!(observe::SSE_CONNECTIONS).increment(1.0);
        Self
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!(observe::SSE_CONNECTIONS).decrement(1.0);
    }
}

struct SseStream {
    state: AppState,
    user: Uuid,
    subscription: Option<Subscription>,
    /// Id of the last event sent (or the point the stream starts after).
    cursor: i64,
    /// Whether stored events after `cursor` may exist that were not sent.
    behind: bool,
    pending: VecDeque<Bytes>,
    pulse: watch::Receiver<Pulse>,
    done: bool,
    _open: OpenStream,
}

/// What woke the live loop.
enum Wake {
    Live(Option<LiveEvent>),
    Pulse(Option<Pulse>),
}

impl SseStream {
    fn new(state: AppState, user: Uuid, subscription: Subscription) -> Self {
        let mut pulse = state.realtime.pulse();
        pulse.mark_unchanged();
        Self {
            cursor: subscription.joined_after,
            state,
            user,
            subscription: Some(subscription),
            behind: true,
            pending: VecDeque::new(),
            pulse,
            done: false,
            _open: OpenStream::new(),
        }
    }

    /// Queues the `retry:` hint and decides where to resume: after `resume`, or with a
    /// `reset` when events after it are no longer retained.
    async fn start(&mut self, resume: Option<i64>) -> ApiResult<()> {
        self.push(format!("retry: {}\n\n", self.state.settings.sse_retry_ms));
        let Some(resume) = resume else { return Ok(()) };
        let bounds = self.state.store.event_bounds(self.user).await?;
        let pruned = bounds.last > resume && bounds.oldest.is_none_or(|oldest| oldest > resume + 1);
        if resume > bounds.last || pruned {
            let unread = self.state.store.unread_notifications(self.user).await?;
            self.push(format!(
                "event: reset\ndata: {{\"lastId\":{},\"unreadCount\":{unread}}}\n\n",
                bounds.last
            ));
            self.cursor = bounds.last;
        } else {
            self.cursor = resume;
        }
        Ok(())
    }

    fn push(&mut self, frame: String) {
        self.pending.push_back(Bytes::from(frame));
    }

    /// The next bytes to write; `None` ends the response.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if let Some(first) = self.pending.pop_front() {
                return Some(self.coalesce(first));
            }
            if self.done {
                return None;
            }
            if self.behind {
                self.catch_up().await;
                continue;
            }
            if self.subscription.is_none() {
                self.resubscribe().await;
                continue;
            }
            match self.wake().await {
                Wake::Pulse(Some(Pulse::Beat(at))) => {
                    let time = at.to_rfc3339_opts(SecondsFormat::Millis, true);
                    self.push(format!(
                        "event: heartbeat\ndata: {{\"time\":\"{time}\"}}\n\n"
                    ));
                }
                Wake::Pulse(Some(Pulse::Shutdown) | None) => self.reconnect("shutdown"),
                Wake::Live(Some(live)) => self.send_live(live),
                Wake::Live(None) => {
                    let overflowed = self.subscription.take().is_some_and(|s| s.overflowed());
                    if overflowed {
                        self.reconnect("slow_reader");
                    }
                    // Otherwise the UserActor restarted: subscribe again and catch up.
                }
            }
        }
    }

    async fn wake(&mut self) -> Wake {
        let Some(subscription) = self.subscription.as_mut() else {
            return Wake::Live(None);
        };
        tokio::select! {
            biased;
            changed = self.pulse.changed() => match changed {
                Ok(()) => Wake::Pulse(Some(*self.pulse.borrow_and_update())),
                Err(_) => Wake::Pulse(None),
            },
            live = subscription.recv() => Wake::Live(live),
        }
    }

    /// Merges queued frames into one write, up to a limit.
    fn coalesce(&mut self, first: Bytes) -> Bytes {
        if self.pending.is_empty() {
            return first;
        }
        let mut merged =
            Vec::with_capacity(COALESCE_BYTES.min(first.len() * (self.pending.len() + 1)));
        merged.extend_from_slice(&first);
        while let Some(next) = self.pending.front() {
            if merged.len() + next.len() > COALESCE_BYTES {
                break;
            }
            merged.extend_from_slice(next);
            self.pending.pop_front();
        }
        Bytes::from(merged)
    }

    fn send_live(&mut self, live: LiveEvent) {
        let id = live.event.id;
        if id <= self.cursor {
            return;
        }
        if id > self.cursor + 1 {
            // Something between is only in the store: read it, this one included.
            self.behind = true;
            return;
        }
        self.cursor = id;
        self.pending.push_back(live.frame.clone());
        metrics::counter!(observe::EVENTS_DELIVERED, "transport" => "sse").increment(1);
        let age = (chrono::Utc::now() - live.event.created_at)
            .num_microseconds()
            .unwrap_or(0)
            .max(0);
        metrics::histogram!(observe::EVENT_DELIVERY_SECONDS).record(age as f64 / 1e6);
    }

    /// Queues one page of stored events after the cursor.
    async fn catch_up(&mut self) {
        match self
            .state
            .store
            .events_after(self.user, self.cursor, BACKFILL_PAGE)
            .await
        {
            Ok(events) => {
                self.behind = events.len() as u32 == BACKFILL_PAGE;
                metrics::counter!(observe::EVENTS_DELIVERED, "transport" => "sse")
                    .increment(events.len() as u64);
                for event in events {
                    self.cursor = event.id;
                    self.state.realtime.note_delivered(&event);
                    self.push(event.sse_frame());
                }
            }
            Err(err) => {
                tracing::warn!(user = %self.user, error = %err, "cannot read stored events for a stream");
                self.reconnect("unavailable");
            }
        }
    }

    async fn resubscribe(&mut self) {
        match self
            .state
            .realtime
            .directory
            .subscribe(self.user, Transport::Sse)
            .await
        {
            Ok(Ok(subscription)) => {
                self.subscription = Some(subscription);
                self.behind = true;
            }
            Ok(Err(_)) | Err(_) => self.reconnect("unavailable"),
        }
    }

    /// Asks the client to resume (by `Last-Event-ID`) and ends the stream.
    fn reconnect(&mut self, reason: &str) {
        self.push(format!(
            "event: reconnect\ndata: {{\"reason\":\"{reason}\",\"lastEventId\":{}}}\n\n",
            self.cursor
        ));
        self.done = true;
        self.subscription = None;
    }
}
