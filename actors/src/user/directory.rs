//! `UserDirectory`: finds or starts the UserActor of a user on this node. Lookups on the
//! hot path (every event hint) and starts both go through one lock-free map: a start
//! is a map insert and a task spawn, so streams opening by the thousand do not queue
//! behind one another. Restarts after a panic and stops after idling are done by the
//! actors themselves (see `actor.rs`), which keep this map up to date.

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::actor::{self, UserArgs};
use super::messages::{SubscribeRequest, UserMsg, UserRef};
use super::roster::RosterChanges;
use super::subscriber::{pair, Subscription, Transport};
use crate::domain::event::Event;
use crate::error::{EngineError, EngineResult};
use crate::presence::Presence;
use crate::realtime::{DeliveryMarks, RealtimeSettings};
use crate::store::Store;

/// Timeout of a request to a UserActor.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts to subscribe while the actor found is stopping.
const SUBSCRIBE_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeError {
    /// The user has as many open streams as allowed (on every node together).
    TooManyStreams,
}

/// The handle the rest of the engine uses; cheap to clone.
#[derive(Clone)]
pub struct Directory {
    actors: Arc<DashMap<Uuid, UserRef>>,
    store: Arc<dyn Store>,
    settings: Arc<RealtimeSettings>,
    delivered: DeliveryMarks,
    next_subscriber: Arc<AtomicU64>,
    /// Told whenever a user's entry appears or goes (the Redis bus follows it).
    roster: RosterChanges,
    /// Seats of every stream and long-poll; the stream cap.
    presence: Presence,
    /// Set by `stop`: no actor is started any more.
    stopped: Arc<AtomicBool>,
}

impl Directory {
    /// Makes an empty directory.
    pub async fn start(
        store: Arc<dyn Store>,
        settings: Arc<RealtimeSettings>,
        delivered: DeliveryMarks,
        roster: RosterChanges,
        presence: Presence,
    ) -> EngineResult<Self> {
        Ok(Self {
            actors: Arc::new(DashMap::new()),
            store,
            settings,
            delivered,
            next_subscriber: Arc::new(AtomicU64::new(1)),
            roster,
            presence,
            stopped: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Passes an event hint to the user's actor on this node, if there is one; without
    /// one nobody here is listening and the hint is dropped (the store has the event).
    pub fn hint(&self, event: Arc<Event>) {
        if let Some(actor) = self.actors.get(&event.user_id) {
            actor.send(UserMsg::Event(event));
        }
    }

    /// Asks every UserActor to re-read the store (after the bus lost messages).
    pub fn resync_all(&self) {
        for entry in self.actors.iter() {
            entry.value().send(UserMsg::Resync);
        }
    }

    /// Asks the UserActor of `user`, if any, to re-read the store (its bus channel
    /// was just subscribed: hints sent before that were not heard).
    pub fn resync(&self, user: Uuid) {
        if let Some(actor) = self.actors.get(&user) {
            actor.send(UserMsg::Resync);
        }
    }

    /// Whether `user` has a UserActor on this node.
    pub fn has(&self, user: Uuid) -> bool {
        self.actors.contains_key(&user)
    }

    /// The users with a UserActor on this node.
    pub fn users(&self) -> Vec<Uuid> {
        self.actors.iter().map(|entry| *entry.key()).collect()
    }

    /// Number of live UserActors.
    pub fn len(&self) -> usize {
        self.actors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }

    /// Subscribes to the live events of `user` from now on.
    pub async fn subscribe(
        &self,
        user: Uuid,
        transport: Transport,
        seen: Option<i64>,
    ) -> EngineResult<Result<Subscription, SubscribeError>> {
        let Ok(seat) = self.presence.admit(user, transport).await else {
            return Ok(Err(SubscribeError::TooManyStreams));
        };
        let mut seat = Some(seat);
        let capacity = match transport {
            Transport::Sse => self.settings.stream_buffer,
            Transport::LongPoll => self.settings.longpoll_buffer,
        };
        for _ in 0..SUBSCRIBE_ATTEMPTS {
            let actor = self.actor_for(user)?;
            let id = self.next_subscriber.fetch_add(1, Ordering::Relaxed);
            let (subscriber, finish) = pair(user, id, capacity, actor.clone());
            let (reply, answer) = oneshot::channel();
            let request = Box::new(SubscribeRequest {
                subscriber,
                seen,
                reply,
            });
            if actor.send(UserMsg::Subscribe(request)) {
                match tokio::time::timeout(CALL_TIMEOUT, answer).await {
                    Ok(Ok(joined_after)) => {
                        return Ok(Ok(finish(joined_after, seat.take())));
                    }
                    // The actor stopped (idle) before it took the request: retry.
                    Ok(Err(_)) => {}
                    Err(_) => {
                        return Err(EngineError::Internal(format!(
                            "the UserActor of {user} did not answer in time"
                        )))
                    }
                }
            }
            if self
                .actors
                .remove_if(&user, |_, a| a.id() == actor.id())
                .is_some()
            {
                self.roster.changed(user);
            }
        }
        Err(EngineError::Internal(format!(
            "cannot subscribe to user {user}: its actor keeps stopping"
        )))
    }

    /// The user's actor, started if there is none.
    fn actor_for(&self, user: Uuid) -> EngineResult<UserRef> {
        if let Some(actor) = self.actors.get(&user) {
            return Ok(actor.clone());
        }
        if self.stopped.load(Ordering::Acquire) {
            return Err(EngineError::Internal(
                "the user directory is stopped".into(),
            ));
        }
        let actor = match self.actors.entry(user) {
            Entry::Occupied(found) => found.get().clone(),
            Entry::Vacant(place) => {
                let actor = actor::spawn(UserArgs {
                    user_id: user,
                    store: self.store.clone(),
                    settings: self.settings.clone(),
                    delivered: self.delivered.clone(),
                    actors: self.actors.clone(),
                    roster: self.roster.clone(),
                });
                place.insert(actor.clone());
                self.roster.changed(user);
                actor
            }
        };
        Ok(actor)
    }

    /// Asks the actor of `user` to panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    pub fn crash_user_actor(&self, user: Uuid) -> bool {
        self.actors
            .get(&user)
            .map(|a| a.send(UserMsg::Crash))
            .unwrap_or(false)
    }

    /// Stops every UserActor; none is started afterwards.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        for entry in self.actors.iter() {
            entry.value().send(UserMsg::Stop);
        }
    }
}
