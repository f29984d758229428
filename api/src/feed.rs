//! `EventFeed`: one client's ordered view of a user's events, shared by the SSE stream
//! and the GraphQL subscription. It subscribes to the user's UserActor first, then
//! yields from the store what the client missed (after its resume point), then live
//! events, skipping any id it has already yielded — no gap, no duplicate. A `reset`
//! replaces the replay when the resume point is older than the retained log;
//! heartbeats and the shutdown notice come from the node's shared pulse; a subscriber
//! that overflowed its bounded buffer ends the feed with `reconnect`, and so does the
//! end of the client's session (logout, reuse, account deletion): the client's next
//! attempt with that session's credentials is then refused with 401.

use chrono::{DateTime, Utc};
use hugmood_actors::auth::SessionWatch;
use hugmood_actors::domain::event::Event;
use hugmood_actors::observe;
use hugmood_actors::realtime::Pulse;
use hugmood_actors::user::{LiveEvent, SubscribeError, Subscription, Transport};
use std::collections::VecDeque;
use tokio::sync::watch;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Stored events read per query while catching up.
const BACKFILL_PAGE: u32 = 500;

/// One thing a feed yields.
pub(crate) enum FeedItem {
    /// Events after the resume point are gone: refetch state; the feed goes on from
    /// `last_id`.
    Reset {
        last_id: i64,
        unread: u64,
    },
    /// An event read from the store while catching up.
    Stored(Event),
    /// An event delivered live (its SSE frame already rendered).
    Live(LiveEvent),
    Heartbeat(DateTime<Utc>),
    /// The last item: resume after `last_event_id`, elsewhere or later.
    Reconnect {
        reason: &'static str,
        last_event_id: i64,
    },
}

/// Keeps the open-streams gauge right however the feed ends.
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

pub(crate) struct EventFeed {
    state: AppState,
    user: Uuid,
    subscription: Option<Subscription>,
    /// Id of the last event yielded (or the point the feed starts after).
    cursor: i64,
    /// Whether stored events after `cursor` exist that were not yielded and will not
    /// arrive through the subscription (those up to its `joined_after`).
    behind: bool,
    ready: VecDeque<FeedItem>,
    pulse: watch::Receiver<Pulse>,
    /// Ends the feed when the client's session ends.
    session: SessionWatch,
    done: bool,
    _open: OpenStream,
}

/// What woke the live loop.
enum Wake {
    Live(Option<LiveEvent>),
    Pulse(Option<Pulse>),
    SessionEnded,
}

/// Subscribes `user`'s stream, which has seen events up to `seen`, refusing past the
/// per-user stream cap.
async fn subscribe(state: &AppState, user: Uuid, seen: Option<i64>) -> ApiResult<Subscription> {
    match state
        .realtime
        .directory
        .subscribe(user, Transport::Sse, seen)
        .await?
    {
        Ok(subscription) => Ok(subscription),
        Err(SubscribeError::TooManyStreams) => Err(ApiError::too_many_streams(
            state.realtime.settings().max_streams_per_user,
        )),
    }
}

impl EventFeed {
    /// Opens the feed of `user` in `session`: live events only, or everything after
    /// `resume`.
    pub async fn open(
        state: AppState,
        user: Uuid,
        session: Option<Uuid>,
        resume: Option<i64>,
    ) -> ApiResult<Self> {
        let session = state.accounts.revocations().watch(user, session);
        let subscription = subscribe(&state, user, resume).await?;
        let mut pulse = state.realtime.pulse();
        pulse.mark_unchanged();
        let mut feed = Self {
            session,
            cursor: subscription.joined_after,
            state,
            user,
            subscription: Some(subscription),
            behind: true,
            ready: VecDeque::new(),
            pulse,
            done: false,
            _open: OpenStream::new(),
        };
        feed.start(resume).await?;
        feed.behind = feed.cursor < feed.joined_after();
        Ok(feed)
    }

    /// Decides where to resume: after `resume`, or with a `reset` when events after it
    /// are no longer retained.
    async fn start(&mut self, resume: Option<i64>) -> ApiResult<()> {
        let Some(resume) = resume else { return Ok(()) };
        let bounds = self.state.store.event_bounds(self.user).await?;
        let pruned = bounds.last > resume && bounds.oldest.is_none_or(|oldest| oldest > resume + 1);
        if resume > bounds.last || pruned {
            let unread = self.state.store.unread_notifications(self.user).await?;
            self.ready.push_back(FeedItem::Reset {
                last_id: bounds.last,
                unread,
            });
            self.cursor = bounds.last;
        } else {
            self.cursor = resume;
        }
        Ok(())
    }

    /// The id after which every event reaches the subscription (0 without one).
    fn joined_after(&self) -> i64 {
        self.subscription.as_ref().map_or(0, |s| s.joined_after)
    }

    /// An item that is ready without waiting, if any.
    pub fn ready(&mut self) -> Option<FeedItem> {
        self.ready.pop_front()
    }

    /// The next item; `None` once the feed has ended.
    pub async fn next(&mut self) -> Option<FeedItem> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
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
                Wake::Pulse(Some(Pulse::Beat(at))) => return Some(FeedItem::Heartbeat(at)),
                Wake::Pulse(Some(Pulse::Shutdown) | None) => self.reconnect("shutdown"),
                Wake::SessionEnded => self.reconnect("session_ended"),
                Wake::Live(Some(live)) => self.take_live(live),
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
            () = self.session.ended() => Wake::SessionEnded,
            changed = self.pulse.changed() => match changed {
                Ok(()) => Wake::Pulse(Some(*self.pulse.borrow_and_update())),
                Err(_) => Wake::Pulse(None),
            },
            live = subscription.recv() => Wake::Live(live),
        }
    }

    fn take_live(&mut self, live: LiveEvent) {
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
        metrics::counter!(observe::EVENTS_DELIVERED, "transport" => "sse").increment(1);
        let age = (Utc::now() - live.event.created_at)
            .num_microseconds()
            .unwrap_or(0)
            .max(0);
        metrics::histogram!(observe::EVENT_DELIVERY_SECONDS).record(age as f64 / 1e6);
        self.ready.push_back(FeedItem::Live(live));
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
                    self.ready.push_back(FeedItem::Stored(event));
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
            .subscribe(self.user, Transport::Sse, Some(self.cursor))
            .await
        {
            Ok(Ok(subscription)) => {
                self.behind = self.cursor < subscription.joined_after;
                self.subscription = Some(subscription);
            }
            Ok(Err(_)) | Err(_) => self.reconnect("unavailable"),
        }
    }

    /// Ends the feed with `reconnect` naming the last id yielded.
    fn reconnect(&mut self, reason: &'static str) {
        self.ready.push_back(FeedItem::Reconnect {
            reason,
            last_event_id: self.cursor,
        });
        self.done = true;
        self.subscription = None;
    }
}
