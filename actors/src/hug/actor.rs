//! `HugActor`: one shard of the per-sender rate limit. All hugs of one sender ask the
//! same shard, which owns those senders' token buckets, so a bucket needs no lock.
//!
//! The shard only answers "may this sender send one more hug now?"; it never waits on
//! the database. Checks and writes run in the sender's own request (and commits are
//! shared by the group-commit writer), so the number of shards does not bound how many
//! hugs are in flight.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::hug::RateBucket;
use crate::domain::time::now;

/// Rate buckets are swept when a shard holds more than this many.
const BUCKET_SWEEP_AT: usize = 10_000;

pub(crate) enum HugMsg {
    /// Takes one token of `sender`: `Err(seconds)` until one is available.
    TakeToken {
        sender: Uuid,
        reply: RpcReplyPort<Result<(), u64>>,
    },
    /// Makes the shard panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    Crash,
}

#[derive(Clone)]
pub(crate) struct HugActor;

/// What a shard starts from (and restarts from, after a panic).
#[derive(Clone)]
pub(crate) struct HugArgs {
    /// Hugs one sender may send per minute.
    pub rate_per_minute: u32,
}

pub(crate) struct HugState {
    rate_per_minute: u32,
    buckets: HashMap<Uuid, RateBucket>,
}

impl HugState {
    fn take_token(&mut self, sender: Uuid) -> Result<(), u64> {
        let (rate, at) = (self.rate_per_minute, now());
        if self.buckets.len() > BUCKET_SWEEP_AT {
            self.buckets.retain(|_, bucket| !bucket.is_full(rate, at));
        }
        self.buckets
            .entry(sender)
            .or_insert_with(|| RateBucket::full(rate, at))
            .take(rate, at)
    }
}

impl Actor for HugActor {
    type Msg = HugMsg;
    type State = HugState;
    type Arguments = HugArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<HugMsg>,
        args: HugArgs,
    ) -> Result<HugState, ActorProcessingErr> {
        Ok(HugState {
            rate_per_minute: args.rate_per_minute,
            buckets: HashMap::new(),
        })
    }

    /// The handler itself never fails: a refusal is an answer, not an error.
    async fn handle(
        &self,
        _myself: ActorRef<HugMsg>,
        msg: HugMsg,
        state: &mut HugState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            // A caller that has gone does not spend the sender's token.
            HugMsg::TakeToken { reply, .. } if reply.is_closed() => {}
            HugMsg::TakeToken { sender, reply } => {
                let _ = reply.send(state.take_token(sender));
            }
            #[cfg(feature = "fault-injection")]
            HugMsg::Crash => panic!("HugActor asked to crash"),
        }
        Ok(())
    }
}
