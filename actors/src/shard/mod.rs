//! Sharded domain actors (`HugActor`, `MoodActor`, `SocialActor`): N actors of one
//! kind under a supervisor, a key (the sender, the author, the user) always routed to
//! the same shard so one key's messages stay in order. A shard that panics is started
//! again in its place and the restart is counted; a call that found its shard dead is
//! sent again once the supervisor has replaced it.
//!
//! Every shard's queue is bounded: a call takes a place in its shard's queue for as
//! long as it waits, and finds none when `queue_limit` calls are already waiting (the
//! caller answers 503, busy). A caller that gives up (its request was dropped, or the
//! call timed out) leaves its message behind, and the shard skips a message whose
//! caller has gone instead of doing work nobody waits for (`CallerGone`).

mod supervisor;

use ractor::{call_t, Actor, ActorRef, RpcReplyPort};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::error::{EngineError, EngineResult};
use supervisor::{ShardSupervisor, SupervisorMsg};

/// Timeout of a call through a shard, in milliseconds.
const CALL_TIMEOUT_MS: u64 = 10_000;
/// Tries of a call whose shard was found dead (it is being restarted).
const CALL_ATTEMPTS: usize = 3;
const RESTART_WAIT: std::time::Duration = std::time::Duration::from_millis(50);
/// Timeout of asking the supervisor for its shard table, in milliseconds.
const ASK_TIMEOUT_MS: u64 = 5_000;

/// The current actor of each shard; read on every call, written only on a restart.
type SlotTable<M> = Arc<Vec<RwLock<ActorRef<M>>>>;

/// A message that knows whether its caller still waits for the answer. A shard checks
/// it before doing the work, so a request that was dropped or timed out while its
/// message queued does not write later (where a retry without an idempotency key would
/// then make a duplicate).
pub(crate) trait CallerGone {
    fn caller_gone(&self) -> bool;
}

/// The shards of one actor kind.
pub struct Shards<A: Actor> {
    slots: SlotTable<A::Msg>,
    /// Per shard, the places of callers waiting for it.
    queues: Arc<Vec<Semaphore>>,
    supervisor: ActorRef<SupervisorMsg<A::Msg>>,
    kind: &'static str,
}

impl<A: Actor> Clone for Shards<A> {
    fn clone(&self) -> Self {
        Self {
            slots: self.slots.clone(),
            queues: self.queues.clone(),
            supervisor: self.supervisor.clone(),
            kind: self.kind,
        }
    }
}

impl<A> Shards<A>
where
    A: Actor + Clone,
    A::Arguments: Clone,
{
    /// Starts `count` (at least one) actors `actor` with `args` under a supervisor,
    /// each taking at most `queue_limit` (at least one) waiting calls; `kind` names
    /// them in logs and in `hugmood_actor_restarts_total{actor}`.
    pub async fn start(
        kind: &'static str,
        actor: A,
        count: usize,
        queue_limit: usize,
        args: A::Arguments,
    ) -> EngineResult<Self> {
        let failed =
            |e: ractor::SpawnErr| EngineError::Internal(format!("cannot start {kind} shards: {e}"));
        let supervisor = ShardSupervisor { actor, kind };
        let (supervisor, _) = Actor::spawn(None, supervisor, (count.max(1), args))
            .await
            .map_err(failed)?;
        let slots = call_t!(supervisor, SupervisorMsg::Slots, ASK_TIMEOUT_MS)
            .map_err(|e| EngineError::Internal(format!("{kind} supervisor unavailable: {e}")))?;
        let queues = (0..slots.len())
            .map(|_| Semaphore::new(queue_limit.max(1)))
            .collect();
        Ok(Self {
            slots,
            queues: Arc::new(queues),
            supervisor,
            kind,
        })
    }
}

impl<A: Actor> Shards<A> {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The shard that owns `key`.
    fn index(&self, key: Uuid) -> usize {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        (hasher.finish() % self.slots.len() as u64) as usize
    }

    /// The live actor of the shard that owns `key`.
    pub fn of(&self, key: Uuid) -> ActorRef<A::Msg> {
        match self.slots[self.index(key)].read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks the shard of `key` and waits for its answer. `message` builds the message
    /// around the reply port; it may be called again when the shard was found dead
    /// (a message that never reached a shard is safe to send again). Busy when the
    /// shard's queue is full or the answer does not come within the call timeout.
    pub async fn call<R: Send + 'static>(
        &self,
        key: Uuid,
        message: impl Fn(RpcReplyPort<R>) -> A::Msg,
    ) -> EngineResult<R> {
        let Ok(_place) = self.queues[self.index(key)].try_acquire() else {
            return Err(EngineError::Busy(format!("{} shard queue full", self.kind)));
        };
        for attempt in 0..CALL_ATTEMPTS {
            if attempt > 0 {
                // The shard died and is being restarted: give the supervisor a moment.
                tokio::time::sleep(RESTART_WAIT).await;
            }
            match call_t!(self.of(key), &message, CALL_TIMEOUT_MS) {
                Ok(answer) => return Ok(answer),
                Err(ractor::RactorErr::Messaging(ractor::MessagingErr::SendErr(_))) => {}
                Err(ractor::RactorErr::Timeout) => {
                    return Err(EngineError::Busy(format!(
                        "{} shard did not answer within {CALL_TIMEOUT_MS} ms",
                        self.kind
                    )))
                }
                Err(err) => {
                    return Err(EngineError::Internal(format!(
                        "{} shard unavailable: {err}",
                        self.kind
                    )))
                }
            }
        }
        Err(EngineError::Internal(format!(
            "{} shard unavailable: it was stopped",
            self.kind
        )))
    }

    /// Stops the shards and their supervisor.
    pub fn stop(&self) {
        self.supervisor.stop(Some("shutdown".into()));
    }
}
