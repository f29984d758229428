//! `UserActor`: one per user with live subscribers on this node. It delivers the user's
//! events to every subscriber in id order, with no gap and no duplicate: a hint whose
//! id is not the next one makes it read the missing events from the store first (ids
//! there may have gaps: a retracted event is never read back). It keeps a small ring of
//! the latest events, so a client that reconnects shortly after (a dropped connection,
//! a slow reader told to reconnect) catches up from memory — unless what it missed
//! holds a `mood_update`, which may have been retracted since: that is read from the
//! store, which alone knows.
//!
//! It is a tokio task with a mailbox of its own, not a ractor actor, because the node
//! holds one per user with a live stream and a ractor actor cost about three times the
//! memory before it did anything (`docs/benchmarks.md`, "Held SSE streams"). What
//! ractor gave it is kept here: one message is handled at a time; a panic is caught, counted
//! in `hugmood_actor_restarts_total{actor="user"}` and answered with a fresh actor for
//! the user (its subscribers resubscribe and catch up from the store); and an actor
//! without subscribers stops after `user_idle`.

use dashmap::DashMap;
use futures::FutureExt;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::messages::{SubscribeRequest, UserMsg, UserRef};
use super::roster::RosterChanges;
use super::subscriber::{Live, LiveEvent, Offer, Subscriber};
use crate::domain::event::{Event, EventKind};
use crate::observe;
use crate::realtime::{DeliveryMarks, RealtimeSettings};
use crate::store::Store;

/// Most events read from the store in one gap fill.
const GAP_PAGE: u32 = 500;
/// Delays before retrying a failed store read: from 200 ms, doubling up to 10 s, so
/// thousands of live actors do not poll a store that is down five times a second.
type StoreRetry = crate::backoff::Backoff<200, 10_000>;

/// What a UserActor needs; cloned for the fresh actor that replaces one that panicked.
#[derive(Clone)]
pub(crate) struct UserArgs {
    pub user_id: Uuid,
    pub store: Arc<dyn Store>,
    pub settings: Arc<RealtimeSettings>,
    /// Where hugs pushed to a live stream are noted, to be marked `delivered`.
    pub delivered: DeliveryMarks,
    /// The directory's map, which the actor leaves when it stops.
    pub actors: Arc<DashMap<Uuid, UserRef>>,
    /// Told when the actor leaves the map (the Redis bus unsubscribes the user).
    pub roster: RosterChanges,
}

/// Starts a UserActor; its first message reads where the user's log stands, so it
/// starts without waiting for the store.
pub(crate) fn spawn(args: UserArgs) -> UserRef {
    let (tx, rx) = mpsc::unbounded_channel();
    let me = UserRef::new(tx);
    me.send(UserMsg::Init);
    tokio::spawn(run(args, me.clone(), rx));
    me
}

/// How the message loop ended.
enum End {
    /// Idle for `user_idle`, or asked to stop.
    Stopped,
    Panicked(String),
}

async fn run(args: UserArgs, me: UserRef, mut mailbox: mpsc::UnboundedReceiver<UserMsg>) {
    metrics::gauge!(observe::USER_ACTORS).increment(1.0);
    let mut state = UserState::new(args);
    let end = loop {
        let Some(msg) = state.next(&mut mailbox).await else {
            break End::Stopped;
        };
        match AssertUnwindSafe(state.handle(&me, msg))
            .catch_unwind()
            .await
        {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => break End::Stopped,
            Err(panic) => break End::Panicked(panic_text(panic.as_ref())),
        }
    };
    // Leave the directory first (or hand the place to a fresh actor), so no new
    // subscriber finds this one; a subscribe still queued is refused by dropping its
    // reply, and the caller asks the directory again.
    let args = &state.args;
    match end {
        End::Stopped => {
            if args
                .actors
                .remove_if(&args.user_id, |_, actor| actor.id() == me.id())
                .is_some()
            {
                args.roster.changed(args.user_id);
            }
        }
        End::Panicked(reason) => {
            tracing::warn!(user = %args.user_id, error = %reason, "UserActor failed; restarting it");
            metrics::counter!(observe::ACTOR_RESTARTS, "actor" => "user").increment(1);
            if let Some(mut entry) = args.actors.get_mut(&args.user_id) {
                if entry.id() == me.id() {
                    *entry = spawn(args.clone());
                }
            }
        }
    }
    mailbox.close();
    while mailbox.try_recv().is_ok() {}
    // Dropping the state drops the subscribers: their streams resubscribe (to the
    // fresh actor after a panic) and catch up from the store.
    drop(state);
    metrics::gauge!(observe::USER_ACTORS).decrement(1.0);
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

/// Sends `msg()` to `me` after `delay` (a retry after a failed store read; rare).
fn later(me: &UserRef, delay: Duration, msg: fn() -> UserMsg) {
    let me = me.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        me.send(msg());
    });
}

enum Flow {
    Continue,
    Stop,
}

struct UserState {
    args: UserArgs,
    /// Id of the last event delivered (or, at start, the last in the store).
    last: i64,
    subscribers: Vec<Subscriber>,
    /// The latest delivered events, oldest first, ending at `last`.
    recent: VecDeque<LiveEvent>,
    /// Since when the actor has had no subscriber.
    idle_since: Option<Instant>,
    /// Delays of store-read retries while the store fails.
    retry: StoreRetry,
    /// A retry is scheduled: failures meanwhile do not schedule another.
    retry_pending: bool,
}

/// Latest events kept for reconnecting subscribers. Small: the frames are shared with
/// the subscribers' queues, and an actor without traffic keeps none.
const RECENT_EVENTS: usize = 16;

impl UserState {
    fn new(args: UserArgs) -> Self {
        Self {
            args,
            last: 0,
            subscribers: Vec::new(),
            recent: VecDeque::new(),
            idle_since: Some(Instant::now()),
            retry: StoreRetry::new(),
            retry_pending: false,
        }
    }

    /// Schedules `msg` once the current backoff delay has passed, unless a retry is
    /// already scheduled.
    fn retry_later(&mut self, me: &UserRef, msg: fn() -> UserMsg) {
        if !self.retry_pending {
            self.retry_pending = true;
            later(me, self.retry.next_delay(), msg);
        }
    }

    /// The next message; `None` once the actor has been without subscribers for
    /// `user_idle` (messages meanwhile do not extend that).
    async fn next(&self, mailbox: &mut mpsc::UnboundedReceiver<UserMsg>) -> Option<UserMsg> {
        match self.idle_since {
            None => mailbox.recv().await,
            Some(since) => {
                let deadline = since + self.args.settings.user_idle;
                tokio::time::timeout_at(deadline.into(), mailbox.recv())
                    .await
                    .ok()
                    .flatten()
            }
        }
    }

    /// Handles one message. The branches that read the store are boxed, so between
    /// messages the actor's task holds only the small state of waiting.
    async fn handle(&mut self, me: &UserRef, msg: UserMsg) -> Flow {
        match msg {
            // Everything up to the store's last id is history: subscribers read it from
            // the store themselves; this actor delivers what comes after.
            UserMsg::Init => {
                self.retry_pending = false;
                Box::pin(self.init(me)).await
            }
            UserMsg::Event(event) => {
                if event.id == self.last + 1 {
                    self.deliver(Live::new(Event::clone(&event)));
                } else if event.id > self.last {
                    Box::pin(self.catch_up(me)).await;
                }
            }
            UserMsg::Resync => {
                self.retry_pending = false;
                Box::pin(self.catch_up(me)).await
            }
            UserMsg::Subscribe(request) => {
                let SubscribeRequest {
                    subscriber,
                    seen,
                    reply,
                } = *request;
                let _ = reply.send(self.add(subscriber, seen));
            }
            UserMsg::Unsubscribe(id) => self.remove(id),
            UserMsg::Stop => return Flow::Stop,
            #[cfg(feature = "fault-injection")]
            UserMsg::Crash => panic!("UserActor {} asked to crash", self.args.user_id),
        }
        Flow::Continue
    }

    async fn init(&mut self, me: &UserRef) {
        match self.args.store.event_bounds(self.args.user_id).await {
            Ok(bounds) => {
                self.last = bounds.last;
                self.retry.reset();
            }
            Err(err) => {
                tracing::warn!(user = %self.args.user_id, error = %err, "cannot read the event log; retrying");
                self.retry_later(me, || UserMsg::Init);
            }
        }
    }

    /// Delivers every stored event after `last`. A hint is published after its commit,
    /// so the store has it — unless it was retracted since, and then it is not sent.
    async fn catch_up(&mut self, me: &UserRef) {
        loop {
            let page = match self
                .args
                .store
                .events_after(self.args.user_id, self.last, GAP_PAGE)
                .await
            {
                Ok(page) => page,
                Err(err) => {
                    tracing::warn!(user = %self.args.user_id, error = %err, "cannot read missed events; retrying");
                    self.retry_later(me, || UserMsg::Resync);
                    return;
                }
            };
            self.retry.reset();
            let full = page.len() as u32 == GAP_PAGE;
            // Every event after `last`, in order; a missing id was retracted.
            for event in page {
                self.deliver(Live::new(event));
            }
            if !full {
                break;
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
            self.args.delivered.note(&live.event);
        }
        if self.subscribers.is_empty() && self.idle_since.is_none() {
            self.idle_since = Some(Instant::now());
        }
    }

    /// Adds `subscriber`, which has seen the user's events up to `seen` (if given).
    /// Answers the id after which every event reaches it: the last delivered one, or
    /// `seen` itself when the ring still holds everything after it and none of it can
    /// have been retracted — those events are queued to the subscriber at once, so it
    /// needs no store read to catch up.
    /// (The stream cap is checked before, by the presence registry, which counts every
    /// node's streams.)
    fn add(&mut self, subscriber: Subscriber, seen: Option<i64>) -> i64 {
        let joined_after = match seen {
            Some(seen) if seen < self.last && self.ring_holds_after(seen) => {
                let missed: Vec<&LiveEvent> = self
                    .recent
                    .iter()
                    .filter(|live| live.event.id > seen)
                    .collect();
                let retractable = missed
                    .iter()
                    .any(|live| live.event.kind == EventKind::MoodUpdate);
                if !retractable && missed.len() <= subscriber.room() {
                    for live in missed {
                        subscriber.offer(live);
                    }
                    seen
                } else {
                    // A copied mood may have been retracted since (only the store
                    // knows), or more than its buffer holds: it reads them from the
                    // store.
                    self.last
                }
            }
            _ => self.last,
        };
        self.subscribers.push(subscriber);
        self.idle_since = None;
        joined_after
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
