//! The supervisor of the HugActor shards: a shard that panics is started again in its
//! place (its rate-limit buckets start full), and the restart is counted.

use ractor::{call_t, Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use std::sync::{Arc, RwLock};

use super::actor::{HugActor, HugArgs, HugMsg};
use crate::error::{EngineError, EngineResult};
use crate::observe;

/// The current actor of each shard; read on every send, written only on a restart.
#[derive(Clone)]
pub(super) struct Shards {
    slots: SlotTable,
    supervisor: ActorRef<SupervisorMsg>,
}

struct HugSupervisor;

struct SupervisorState {
    args: HugArgs,
    slots: SlotTable,
}

impl Shards {
    pub async fn start(count: usize, args: HugArgs) -> EngineResult<Self> {
        let failed =
            |e: ractor::SpawnErr| EngineError::Internal(format!("cannot start hug shards: {e}"));
        let (supervisor, _) = Actor::spawn(None, HugSupervisor, (count, args))
            .await
            .map_err(failed)?;
        let slots = call_t!(supervisor, SupervisorMsg::Slots, ASK_TIMEOUT_MS)
            .map_err(|e| EngineError::Internal(format!("hug supervisor unavailable: {e}")))?;
        Ok(Self { slots, supervisor })
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// The live actor of shard `index`.
    pub fn get(&self, index: usize) -> ActorRef<HugMsg> {
        match self.slots[index].read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn stop(&self) {
        self.supervisor.stop(Some("shutdown".into()));
    }
}

type SlotTable = Arc<Vec<RwLock<ActorRef<HugMsg>>>>;

/// Timeout of asking the supervisor for its shard table, in milliseconds.
const ASK_TIMEOUT_MS: u64 = 5_000;

pub(super) enum SupervisorMsg {
    /// The shard table, shared with the service so sends skip the supervisor.
    Slots(RpcReplyPort<SlotTable>),
}

impl Actor for HugSupervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = (usize, HugArgs);

    async fn pre_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        (count, args): (usize, HugArgs),
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let (shard, _) =
                Actor::spawn_linked(None, HugActor, args.clone(), myself.get_cell()).await?;
            slots.push(RwLock::new(shard));
        }
        Ok(SupervisorState {
            args,
            slots: Arc::new(slots),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<SupervisorMsg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SupervisorMsg::Slots(reply) => {
                let _ = reply.send(state.slots.clone());
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ActorFailed(cell, err) = event {
            let Some(index) = state.slots.iter().position(|slot| {
                slot.read()
                    .map(|a| a.get_id() == cell.get_id())
                    .unwrap_or(false)
            }) else {
                return Ok(());
            };
            tracing::warn!(shard = index, error = %err, "HugActor failed; restarting it");
            metrics::counter!(observe::ACTOR_RESTARTS, "actor" => "hug").increment(1);
            let (shard, _) =
                Actor::spawn_linked(None, HugActor, state.args.clone(), myself.get_cell()).await?;
            if let Ok(mut slot) = state.slots[index].write() {
                *slot = shard;
            }
        }
        Ok(())
    }
}
