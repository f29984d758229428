//! `MoodActor`: one shard of mood writes. All writes of one author go through the same
//! shard, in order, so an author's `mood_update` events reach friends in the order the
//! entries changed. Client mistakes come back in the reply; the handler never fails.
//! A message whose caller has gone is skipped: nobody would learn of the write.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use uuid::Uuid;

use super::writes::MoodWriter;
use crate::domain::idempotency::{Created, IdempotencyKey};
use crate::domain::mood::{MoodDraft, MoodEntry};
use crate::error::EngineResult;
use crate::shard::CallerGone;

pub(crate) enum MoodMsg {
    Create {
        author: Uuid,
        draft: MoodDraft,
        key: Option<IdempotencyKey>,
        reply: RpcReplyPort<EngineResult<Created<MoodEntry>>>,
    },
    Update {
        viewer: Uuid,
        id: Uuid,
        draft: MoodDraft,
        replace: bool,
        reply: RpcReplyPort<EngineResult<MoodEntry>>,
    },
    Delete {
        viewer: Uuid,
        id: Uuid,
        reply: RpcReplyPort<EngineResult<()>>,
    },
}

impl CallerGone for MoodMsg {
    fn caller_gone(&self) -> bool {
        match self {
            Self::Create { reply, .. } => reply.is_closed(),
            Self::Update { reply, .. } => reply.is_closed(),
            Self::Delete { reply, .. } => reply.is_closed(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct MoodActor;

impl Actor for MoodActor {
    type Msg = MoodMsg;
    type State = MoodWriter;
    type Arguments = MoodWriter;

    async fn pre_start(
        &self,
        _myself: ActorRef<MoodMsg>,
        writer: MoodWriter,
    ) -> Result<MoodWriter, ActorProcessingErr> {
        Ok(writer)
    }

    async fn handle(
        &self,
        _myself: ActorRef<MoodMsg>,
        msg: MoodMsg,
        writer: &mut MoodWriter,
    ) -> Result<(), ActorProcessingErr> {
        if msg.caller_gone() {
            return Ok(());
        }
        match msg {
            MoodMsg::Create {
                author,
                draft,
                key,
                reply,
            } => {
                let _ = reply.send(writer.create(author, draft, key).await);
            }
            MoodMsg::Update {
                viewer,
                id,
                draft,
                replace,
                reply,
            } => {
                let _ = reply.send(writer.update(viewer, id, draft, replace).await);
            }
            MoodMsg::Delete { viewer, id, reply } => {
                let _ = reply.send(writer.delete(viewer, id).await);
            }
        }
        Ok(())
    }
}
