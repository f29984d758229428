//! `UserDirectory`: finds or starts the UserActor of a user on this node. Lookups on the
//! hot path (every event hint) read a lock-free map; starting and supervising actors is
//! the job of the directory actor, which restarts a UserActor that panics (counting it)
//! and forgets one that stopped normally (idle), without stopping itself.

use dashmap::DashMap;
use ractor::{
    call_t, Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

use super::actor::{UserActor, UserArgs};
use super::messages::UserMsg;
use super::subscriber::{pair, Subscription, Transport};
use crate::domain::event::Event;
use crate::error::{EngineError, EngineResult};
use crate::observe;
use crate::realtime::{DeliveryMarks, RealtimeSettings};
use crate::store::Store;

/// Timeout of a request to the directory or a UserActor, in milliseconds.
const CALL_TIMEOUT_MS: u64 = 5_000;
/// Attempts to subscribe while the actor found is stopping.
const SUBSCRIBE_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeError {
    /// The user has as many open streams on this node as allowed.
    TooManyStreams,
}

/// The handle the rest of the engine uses; cheap to clone.
#[derive(Clone)]
pub struct Directory {
    actors: Arc<DashMap<Uuid, ActorRef<UserMsg>>>,
    supervisor: ActorRef<DirectoryMsg>,
    next_subscriber: Arc<AtomicU64>,
    settings: Arc<RealtimeSettings>,
}

pub(crate) enum DirectoryMsg {
    GetOrSpawn(Uuid, RpcReplyPort<Result<ActorRef<UserMsg>, String>>),
}

struct DirectoryActor;

struct DirectoryArgs {
    actors: Arc<DashMap<Uuid, ActorRef<UserMsg>>>,
    store: Arc<dyn Store>,
    settings: Arc<RealtimeSettings>,
    delivered: DeliveryMarks,
}

struct DirectoryState {
    args: DirectoryArgs,
    /// Which user each live child serves, to clean up after it stops.
    users: HashMap<ActorId, Uuid>,
}

impl Directory {
    /// Starts the directory actor.
    pub async fn start(
        store: Arc<dyn Store>,
        settings: Arc<RealtimeSettings>,
        delivered: DeliveryMarks,
    ) -> EngineResult<Self> {
        let actors = Arc::new(DashMap::new());
        let args = DirectoryArgs {
            actors: actors.clone(),
            store,
            settings: settings.clone(),
            delivered,
        };
        let (supervisor, _) = Actor::spawn(None, DirectoryActor, args)
            .await
            .map_err(|e| EngineError::Internal(format!("cannot start the user directory: {e}")))?;
        Ok(Self {
            actors,
            supervisor,
            next_subscriber: Arc::new(AtomicU64::new(1)),
            settings,
        })
    }

    /// Passes an event hint to the user's actor on this node, if there is one; without
    /// one nobody here is listening and the hint is dropped (the store has the event).
    pub fn hint(&self, event: Arc<Event>) {
        if let Some(actor) = self.actors.get(&event.user_id) {
            let _ = actor.cast(UserMsg::Event(event));
        }
    }

    /// Asks every UserActor to re-read the store (after the bus lost messages).
    pub fn resync_all(&self) {
        for entry in self.actors.iter() {
            let _ = entry.value().cast(UserMsg::Resync);
        }
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
        let capacity = match transport {
            Transport::Sse => self.settings.stream_buffer,
            Transport::LongPoll => self.settings.longpoll_buffer,
        };
        let mut last_error = String::new();
        for _ in 0..SUBSCRIBE_ATTEMPTS {
            let actor = self.actor_for(user).await?;
            let id = self.next_subscriber.fetch_add(1, Ordering::Relaxed);
            let (subscriber, finish) = pair(user, id, transport, capacity, actor.clone());
            match call_t!(actor, UserMsg::Subscribe, CALL_TIMEOUT_MS, subscriber, seen) {
                Ok(Ok(joined_after)) => return Ok(Ok(finish(joined_after))),
                Ok(Err(refused)) => return Ok(Err(refused)),
                Err(err) => {
                    // The actor stopped (idle) between lookup and call: forget it, retry.
                    last_error = err.to_string();
                    self.actors
                        .remove_if(&user, |_, a| a.get_id() == actor.get_id());
                }
            }
        }
        Err(EngineError::Internal(format!(
            "cannot subscribe to user {user}: {last_error}"
        )))
    }

    async fn actor_for(&self, user: Uuid) -> EngineResult<ActorRef<UserMsg>> {
        if let Some(actor) = self.actors.get(&user) {
            return Ok(actor.clone());
        }
        call_t!(
            self.supervisor,
            DirectoryMsg::GetOrSpawn,
            CALL_TIMEOUT_MS,
            user
        )
        .map_err(|e| EngineError::Internal(format!("user directory unavailable: {e}")))?
        .map_err(EngineError::Internal)
    }

    /// Asks the actor of `user` to panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    pub fn crash_user_actor(&self, user: Uuid) -> bool {
        self.actors
            .get(&user)
            .map(|a| a.cast(UserMsg::Crash).is_ok())
            .unwrap_or(false)
    }

    /// Stops the directory and all UserActors.
    pub fn stop(&self) {
        self.supervisor.stop(Some("shutdown".into()));
    }
}

impl DirectoryState {
    async fn spawn(
        &mut self,
        myself: &ActorRef<DirectoryMsg>,
        user: Uuid,
    ) -> Result<ActorRef<UserMsg>, String> {
        let args = UserArgs {
            user_id: user,
            store: self.args.store.clone(),
            settings: self.args.settings.clone(),
            delivered: self.args.delivered.clone(),
        };
        let supervisor: ActorCell = myself.get_cell();
        let (actor, _) = Actor::spawn_linked(None, UserActor, args, supervisor)
            .await
            .map_err(|e| e.to_string())?;
        self.users.insert(actor.get_id(), user);
        self.args.actors.insert(user, actor.clone());
        Ok(actor)
    }

    fn forget(&mut self, id: ActorId) -> Option<Uuid> {
        let user = self.users.remove(&id)?;
        self.args.actors.remove_if(&user, |_, a| a.get_id() == id);
        Some(user)
    }
}

impl Actor for DirectoryActor {
    type Msg = DirectoryMsg;
    type State = DirectoryState;
    type Arguments = DirectoryArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<DirectoryMsg>,
        args: DirectoryArgs,
    ) -> Result<DirectoryState, ActorProcessingErr> {
        Ok(DirectoryState {
            args,
            users: HashMap::new(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<DirectoryMsg>,
        msg: DirectoryMsg,
        state: &mut DirectoryState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            DirectoryMsg::GetOrSpawn(user, reply) => {
                let answer = match state.args.actors.get(&user).map(|a| a.clone()) {
                    Some(actor) => Ok(actor),
                    None => state.spawn(&myself, user).await,
                };
                let _ = reply.send(answer);
            }
        }
        Ok(())
    }

    /// A child's normal stop (idle) only removes it; a panic restarts it. The directory
    /// itself never stops because of a child (ractor's default would).
    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<DirectoryMsg>,
        event: SupervisionEvent,
        state: &mut DirectoryState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                state.forget(cell.get_id());
            }
            SupervisionEvent::ActorFailed(cell, err) => {
                if let Some(user) = state.forget(cell.get_id()) {
                    tracing::warn!(%user, error = %err, "UserActor failed; restarting it");
                    metrics::counter!(observe::ACTOR_RESTARTS, "actor" => "user").increment(1);
                    if let Err(err) = state.spawn(&myself, user).await {
                        tracing::error!(%user, error = %err, "cannot restart UserActor");
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
