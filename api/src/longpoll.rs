//! `GET /api/v1/events`: the user's events after `last_id`, answered at once when there
//! are some; with `long_poll=true` and none, the request waits for the next event (it is
//! woken by the event itself, not by polling, and answers it and those queued behind
//! it without reading the store again) or for `timeout` seconds. A wait ends with 401
//! `session_ended` when the caller's session ends meanwhile.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use hugmood_actors::auth::accounts::session_ended;
use hugmood_actors::domain::event::Event;
use hugmood_actors::observe;
use hugmood_actors::realtime::Pulse;
use hugmood_actors::user::{LiveEvent, SubscribeError, Transport};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::time::Duration;
use utoipa::openapi::Object;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::etag::{Etag, IfNoneMatch};
use crate::extract::{account_gone, PollUser, QueryParams};
use crate::openapi::fields;
use crate::state::AppState;

/// Most events in one answer.
const BATCH: u32 = 50;
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const MAX_TIMEOUT_SECS: u64 = 60;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    #[param(schema_with = last_id)]
    last_id: Option<i64>,
    #[param(schema_with = wait_secs)]
    timeout: Option<u64>,
    /// Wait for an event when there is none yet.
    long_poll: Option<bool>,
}

fn last_id() -> Object {
    fields::integer(fields::Null::Refused, 0, i64::MAX)
        .description(Some(
            "Answer events after this id (from the start when absent)",
        ))
        .build()
}

fn wait_secs() -> Object {
    fields::integer(fields::Null::Refused, 0, u64::MAX)
        .description(Some(
            "Seconds to wait with `long_poll=true`, default 30; a larger value than 60 is \
             lowered to 60",
        ))
        .build()
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsView {
    /// Oldest first: `{id, type, data, createdAt}` each.
    #[schema(value_type = Vec<Object>)]
    events: Vec<Box<RawValue>>,
    /// Id of the last event answered, or the `last_id` asked for when none.
    last_id: i64,
    timestamp: DateTime<Utc>,
}

/// Events after `last_id`, at most 50, oldest first; with `long_poll=true` waits for
/// the next one when there is none. Without `long_poll`, the answer's `ETag` sent back
/// in `If-None-Match` gets 304 with no body while nothing in it changed.
#[utoipa::path(get, path = "/events", tag = "realtime",
    security(("bearer" = []), ("ticket" = []), ("stream_cookie" = [])), params(EventsQuery, IfNoneMatch),
    responses((status = 200, body = EventsView,
                headers(("ETag" = String, description = "Tag of this answer (without long_poll), for If-None-Match"))),
        (status = 304, description = "Not modified (without long_poll): nothing changed since the tag in If-None-Match",
         headers(("ETag" = String))),
        (status = 401, body = ErrorBody),
        (status = 429, description = "too_many_streams", body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    caller: PollUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<EventsQuery>,
) -> ApiResult<Response> {
    let after = match query.last_id {
        Some(id) if id < 0 => {
            return Err(ApiError::invalid_field("last_id", "must be an event id"))
        }
        other => other.unwrap_or(0),
    };
    let timeout = Duration::from_secs(
        query
            .timeout
            .unwrap_or(DEFAULT_TIMEOUT_SECS)
            .min(MAX_TIMEOUT_SECS),
    );
    if !query.long_poll.unwrap_or(false) {
        // A poll: tagged, so that asking again with its tag costs one indexed read
        // (which also tells that the caller's account is still there).
        let user = caller.user;
        let version = state
            .store
            .log_version(user.id)
            .await?
            .ok_or_else(account_gone)?;
        let etag = Etag::new(&version, &format!("events {after}"));
        if etag.matches(&headers) {
            return Ok(etag.not_modified());
        }
        let found = state.store.events_after(user.id, after, BATCH).await?;
        return Ok(etag.attach(answer(&state, found, after)?));
    }
    let user = caller.checked(&state).await?;
    let found = state.store.events_after(user.id, after, BATCH).await?;
    if !found.is_empty() {
        return answer(&state, found, after);
    }
    let _waiting = Waiting::new();
    let session = state.accounts.revocations().watch(user.id, user.session);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pulse = state.realtime.pulse();
    pulse.mark_unchanged();
    loop {
        // Subscribe first, then look again: an event committed in between is not missed.
        let mut subscription = match state
            .realtime
            .directory
            .subscribe(user.id, Transport::LongPoll, None)
            .await?
        {
            Ok(subscription) => subscription,
            Err(SubscribeError::TooManyStreams) => {
                return Err(ApiError::too_many_streams(
                    state.realtime.settings().max_streams_per_user,
                ))
            }
        };
        let found = state.store.events_after(user.id, after, BATCH).await?;
        if !found.is_empty() {
            return answer(&state, found, after);
        }
        let wake = tokio::time::timeout_at(deadline, async {
            loop {
                tokio::select! {
                    () = session.ended() => return Wake::SessionEnded,
                    live = subscription.recv() => {
                        return live.map_or(Wake::Resubscribe, Wake::Event);
                    }
                    changed = pulse.changed() => match changed {
                        // A heartbeat: keep waiting on the same subscription.
                        Ok(()) if *pulse.borrow_and_update() != Pulse::Shutdown => {}
                        _ => return Wake::Shutdown,
                    },
                }
            }
        })
        .await;
        match wake {
            // The first live event comes right after what the store read above
            // answered (nothing): it and those queued behind it are the answer, with
            // no store read. An id the client says it has seen means its `last_id` is
            // past the log's end: the store decides.
            Ok(Wake::Event(first)) if first.event.id > after => {
                let mut live = vec![first];
                while live.len() < BATCH as usize {
                    match subscription.try_recv() {
                        Some(next) => live.push(next),
                        None => break,
                    }
                }
                drop(subscription);
                let found = live.iter().map(|l| l.event.clone()).collect();
                return answer(&state, found, after);
            }
            Ok(Wake::Event(_)) => {
                drop(subscription);
                let found = state.store.events_after(user.id, after, BATCH).await?;
                return answer(&state, found, after);
            }
            // The UserActor restarted: wait on, subscribed anew.
            Ok(Wake::Resubscribe) => continue,
            Ok(Wake::Shutdown) | Err(_) => return answer(&state, Vec::new(), after),
            Ok(Wake::SessionEnded) => return Err(session_ended().into()),
        }
    }
}

/// What ended one wait of a long-poll.
enum Wake {
    Event(LiveEvent),
    Resubscribe,
    Shutdown,
    SessionEnded,
}

fn answer(state: &AppState, found: Vec<Event>, after: i64) -> ApiResult<Response> {
    let last_id = found.last().map_or(after, |e| e.id);
    for event in &found {
        state.realtime.note_delivered(event);
    }
    metrics::counter!(observe::EVENTS_DELIVERED, "transport" => "longpoll")
        .increment(found.len() as u64);
    let events = found
        .iter()
        .map(|e| RawValue::from_string(e.to_json()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            ApiError::from(hugmood_actors::EngineError::Internal(format!(
                "event JSON: {e}"
            )))
        })?;
    Ok(Json(EventsView {
        events,
        last_id,
        timestamp: Utc::now(),
    })
    .into_response())
}

/// Keeps the waiting long-polls gauge right however the wait ends.
struct Waiting;

impl Waiting {
    fn new() -> Self {
        metrics::gauge!(observe::LONGPOLL_WAITING).increment(1.0);
        Self
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        metrics::gauge!(observe::LONGPOLL_WAITING).decrement(1.0);
    }
}
