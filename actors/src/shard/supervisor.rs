//! The supervisor of one kind of shard: a shard that panics is started again in its
//! place with the same arguments, and the restart is counted. A shard's normal stop
//! does not stop the supervisor.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use std::sync::{Arc, RwLock};

use super::SlotTable;
use crate::observe;

pub(super) struct ShardSupervisor<A> {
    pub actor: A,
    pub kind: &'static str,
}

pub(super) struct SupervisorState<A: Actor> {
    args: A::Arguments,
    slots: SlotTable<A::Msg>,
}

pub(super) enum SupervisorMsg<M> {
    /// The shard table, shared with the service so calls skip the supervisor.
    Slots(RpcReplyPort<SlotTable<M>>),
}

impl<A> Actor for ShardSupervisor<A>
where
    A: Actor + Clone,
    A::Arguments: Clone,
{
    type Msg = SupervisorMsg<A::Msg>;
    type State = SupervisorState<A>;
    type Arguments = (usize, A::Arguments);

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        (count, args): (usize, A::Arguments),
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let (shard, _) =
                Actor::spawn_linked(None, self.actor.clone(), args.clone(), myself.get_cell())
                    .await?;
            slots.push(RwLock::new(shard));
        }
        Ok(SupervisorState {
            args,
            slots: Arc::new(slots),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
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
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ActorFailed(cell, err) = event {
            let Some(index) = state.slots.iter().position(|slot| {
                slot.read()
                    .map(|a| a.get_id() == cell.get_id())
                    .unwrap_or(false)
            }) else {
                return Ok(());
            };
            let kind = self.kind;
            tracing::warn!(kind, shard = index, error = %err, "shard failed; restarting it");
            metrics::counter!(observe::ACTOR_RESTARTS, "actor" => kind).increment(1);
            let (shard, _) = Actor::spawn_linked(
                None,
                self.actor.clone(),
                state.args.clone(),
                myself.get_cell(),
            )
            .await?;
            if let Ok(mut slot) = state.slots[index].write() {
                *slot = shard;
            }
        }
        Ok(())
    }
}
