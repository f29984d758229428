//! `UserActor`: one per user with live subscribers on this node. It delivers the user's
//! events to every subscriber in id order, with no gap and no duplicate: a hint whose
//! id is not the next one makes it read the missing events from the store first. It
//! keeps a small ring of the latest events, so a client that reconnects shortly after
//! (a dropped connection, a slow reader told to reconnect) catches up from memory.

use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

use super::directory::SubscribeError;
use super::messages::UserMsg;
use super::subscriber::{Live, LiveEvent, Offer, Subscriber};
use crate::domain::event::Event;
use crate::observe;
use crate::realtime::{DeliveryMarks, RealtimeSettings};
use crate::store::Store;

/// Most events read from the store in one gap fill.
const GAP_PAGE: u32 = 500;
/// Latest events kept for reconnecting subscribers. Small: the frames are shared with
/// the subscribers' queues, and an actor without traffic keeps none.
const RECENT_EVENTS: usize = 16;
/// Delay before retrying a failed store read.
const RESYNC_DELAY: Duration = Duration::from_millis(200);

pub(crate) struct UserActor;

pub(crate) struct UserArgs {
    pub user_id: Uuid,
    pub store: Arc<dyn Store>,
    pub settings: Arc<RealtimeSettings>,
    /// Where hugs pushed to a live stream are noted, to be marked `delivered`.
    pub delivered: DeliveryMarks,
}

pub(crate) struct UserState {
    user_id: Uuid,
    store: Arc<dyn Store>,
    settings: Arc<RealtimeSettings>,
    delivered: DeliveryMarks,
    /// Id of the last event delivered (or, at start, the last in the store).
    last: i64,
    subscribers: Vec<Subscriber>,
    /// The latest delivered events, oldest first, ending at `last`.
    recent: VecDeque<LiveEvent>,
    /// Since when the actor has had no subscriber.
    idle_since: Option<Instant>,
    /// Whether an `IdleCheck` is scheduled (one timer at most, and none while busy).
    idle_timer: bool,
}

impl Actor for UserActor {
    type Msg = UserMsg;
    type State = UserState;
    type Arguments = UserArgs;

    /// Starts without touching the store, so the directory can start actors quickly; the
    /// first message (queued ahead of any other) reads where the user's log stands.
    async fn pre_start(
        &self,
        myself: ActorRef<UserMsg>,
        args: UserArgs,
    ) -> Result<UserState, ActorProcessingErr> {
        myself.cast(UserMsg::Init)?;
        metrics::gauge!(observe::USER_ACTORS).increment(1.0);
        Ok(UserState {
            user_id: args.user_id,
            store: args.store,
            settings: args.settings,
            delivered: args.delivered,
            last: 0,
            subscribers: Vec::new(),
            recent: VecDeque::new(),
            idle_since: Some(Instant::now()),
            idle_timer: false,
        })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<UserMsg>,
        _state: &mut UserState,
    ) -> Result<(), ActorProcessingErr> {
        metrics::gauge!(observe::USER_ACTORS).decrement(1.0);
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<UserMsg>,
        msg: UserMsg,
        state: &mut UserState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            // Everything up to the store's last id is history: subscribers read it from
            // the store themselves; this actor delivers what comes after.
            UserMsg::Init => match state.store.event_bounds(state.user_id).await {
                Ok(bounds) => state.last = bounds.last,
                Err(err) => {
                    tracing::warn!(user = %state.user_id, error = %err, "cannot read the event log; retrying");
                    myself.send_after(RESYNC_DELAY, || UserMsg::Init);
                }
            },
            UserMsg::Event(event) => state.on_hint(&myself, event).await,
            UserMsg::Resync => state.catch_up(&myself, None).await,
            UserMsg::Subscribe(subscriber, seen, reply) => {
                let answer = state.add(subscriber, seen);
                let _ = reply.send(answer);
            }
            UserMsg::Unsubscribe(id) => state.remove(id),
            UserMsg::IdleCheck => {
                state.idle_timer = false;
                if state
                    .idle_since
                    .is_some_and(|since| since.elapsed() >= state.settings.user_idle)
                {
                    myself.stop(Some("idle".into()));
                    return Ok(());
                }
            }
            #[cfg(feature = "fault-injection")]
            UserMsg::Crash => panic!("UserActor {} asked to crash", state.user_id),
        }
        state.arm_idle_timer(&myself);
        Ok(())
    }
}

impl UserState {
    async fn on_hint(&mut self, myself: &ActorRef<UserMsg>, event: Arc<Event>) {
        if event.id <= self.last {
            return;
        }
        if event.id == self.last + 1 {
            self.deliver(Live::new(Event::clone(&event)));
        } else {
            self.catch_up(myself, Some(event)).await;
        }
    }

    /// Delivers every stored event after `last` (up to `hint`, which is delivered
    /// last without a second read when the store has it too).
    async fn catch_up(&mut self, myself: &ActorRef<UserMsg>, hint: Option<Arc<Event>>) {
        loop {
            let page = match self
                .store
                .events_after(self.user_id, self.last, GAP_PAGE)
                .await
            {
                Ok(page) => page,
                Err(err) => {
                    tracing::warn!(user = %self.user_id, error = %err, "cannot read missed events; retrying");
                    myself.send_after(RESYNC_DELAY, || UserMsg::Resync);
                    return;
                }
            };
            let full = page.len() as u32 == GAP_PAGE;
            for event in page {
                if event.id == self.last + 1 {
                    self.deliver(Live::new(event));
                }
            }
            if !full {
                break;
            }
        }
        if let Some(hint) = hint {
            if hint.id == self.last + 1 {
                self.deliver(Live::new(Event::clone(&hint)));
            }
        }
    }

    fn deliver(&mut self, live: LiveEvent) {
        self.last = live.event.id;
        if self.recent.len() == RECENT_EVENTS {
            self.recent.pop_front();
        }
        self.recent.push_back(live.clone());
        let mut reached = 0usize;
        self.subscribers.retain(|sub| match sub.offer(&live) {
            Offer::Queued => {
                reached += 1;
                true
            }
            Offer::Overflowed => {
                tracing::debug!(user = %live.event.user_id, subscriber = sub.id, "subscriber overflowed; closing it");
                false
            }
            Offer::Gone => false,
        });
        if reached > 0 {
            self.delivered.note(&live.event);
        }
        if self.subscribers.is_empty() && self.idle_since.is_none() {
            self.idle_since = Some(Instant::now());
        }
    }

    /// Schedules the next idle check while the actor has no subscriber.
    fn arm_idle_timer(&mut self, myself: &ActorRef<UserMsg>) {
        if self.idle_since.is_some() && !self.idle_timer {
            self.idle_timer = true;
            myself.send_after(self.settings.user_idle, || UserMsg::IdleCheck);
        }
    }

    /// Adds `subscriber`, which has seen the user's events up to `seen` (if given).
    /// Answers the id after which every event reaches it: the last delivered one, or
    /// `seen` itself when the ring still holds everything after it — those events are
    /// queued to the subscriber at once, so it needs no store read to catch up.
    fn add(&mut self, subscriber: Subscriber, seen: Option<i64>) -> Result<i64, SubscribeError> {
        let same_kind = self
            .subscribers
            .iter()
            .filter(|s| s.transport == subscriber.transport)
            .count();
        if subscriber.transport == super::Transport::Sse
            && same_kind >= self.settings.max_streams_per_user
        {
            return Err(SubscribeError::TooManyStreams);
        }
        let joined_after = match seen {
            Some(seen) if seen < self.last && self.ring_holds_after(seen) => {
                let missed: Vec<&LiveEvent> = self
                    .recent
                    .iter()
                    .filter(|live| live.event.id > seen)
                    .collect();
                if missed.len() <= subscriber.room() {
                    for live in missed {
                        subscriber.offer(live);
                    }
                    seen
                } else {
                    // More than its buffer holds: it reads them from the store.
                    self.last
                }
            }
            _ => self.last,
        };
        self.subscribers.push(subscriber);
        self.idle_since = None;
        Ok(joined_after)
    }

    /// Whether every event after `seen` up to `last` is in the ring.
    fn ring_holds_after(&self, seen: i64) -> bool {
        self.recent
            .front()
            .is_some_and(|oldest| oldest.event.id <= seen + 1)
    }

    fn remove(&mut self, id: u64) {
        self.subscribers.retain(|s| s.id != id);
        if self.subscribers.is_empty() && self.idle_since.is_none() {
            self.idle_since = Some(Instant::now());
        }
    }
}
