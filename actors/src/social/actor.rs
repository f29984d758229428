//! `SocialActor`: one shard of friend-request writes, keyed by the user who acts.
//! Client mistakes come back in the reply; the handler never fails.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use uuid::Uuid;

use super::writes::SocialWriter;
use crate::domain::social::FriendRequest;
use crate::error::EngineResult;
use crate::shard::CallerGone;

pub(crate) enum SocialMsg {
    Request {
        from: Uuid,
        to: Uuid,
        reply: RpcReplyPort<EngineResult<FriendRequest>>,
    },
    Respond {
        user: Uuid,
        request_id: Uuid,
        accept: bool,
        reply: RpcReplyPort<EngineResult<FriendRequest>>,
    },
}

impl CallerGone for SocialMsg {
    fn caller_gone(&self) -> bool {
        match self {
            Self::Request { reply, .. } | Self::Respond { reply, .. } => reply.is_closed(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct SocialActor;

impl Actor for SocialActor {
    type Msg = SocialMsg;
    type State = SocialWriter;
    type Arguments = SocialWriter;

    async fn pre_start(
        &self,
        _myself: ActorRef<SocialMsg>,
        writer: SocialWriter,
    ) -> Result<SocialWriter, ActorProcessingErr> {
        Ok(writer)
    }

    async fn handle(
        &self,
        _myself: ActorRef<SocialMsg>,
        msg: SocialMsg,
        writer: &mut SocialWriter,
    ) -> Result<(), ActorProcessingErr> {
        if msg.caller_gone() {
            return Ok(());
        }
        match msg {
            SocialMsg::Request { from, to, reply } => {
                let _ = reply.send(writer.send_request(from, to).await);
            }
            SocialMsg::Respond {
                user,
                request_id,
                accept,
                reply,
            } => {
                let _ = reply.send(writer.respond(user, request_id, accept).await);
            }
        }
        Ok(())
    }
}
