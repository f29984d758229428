//! `HugActor`: one shard of hug sending. All hugs of one sender go through the same
//! shard, in order, and the shard owns those senders' rate-limit buckets. It checks the
//! recipient's privacy and blocks, then commits the hug, its notification and the
//! recipient's event in one transaction, and publishes the event after the commit.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

use super::hug_json;
use crate::domain::event::{EventKind, NewEvent};
use crate::domain::hug::{Hug, HugRequest, HugStatus, RateBucket};
use crate::domain::idempotency::{self, Created, IdempotencyClaim, IdempotencyKey};
use crate::domain::outbox::Outbox;
use crate::domain::social::NewNotification;
use crate::domain::time::now;
use crate::domain::user::{AllowHugsFrom, User};
use crate::error::{EngineError, EngineResult};
use crate::realtime::Realtime;
use crate::store::{Claimed, Store};

/// Scope of hug keys in the idempotency table.
const IDEMPOTENCY_SCOPE: &str = "hugs";
/// Rate buckets are swept when a shard holds more than this many.
const BUCKET_SWEEP_AT: usize = 10_000;

pub(crate) enum HugMsg {
    Send {
        sender: Uuid,
        request: HugRequest,
        key: Option<IdempotencyKey>,
        reply: RpcReplyPort<EngineResult<Created<Hug>>>,
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
    pub store: Arc<dyn Store>,
    pub realtime: Realtime,
}

pub(crate) struct HugState {
    store: Arc<dyn Store>,
    realtime: Realtime,
    rate_per_minute: u32,
    buckets: HashMap<Uuid, RateBucket>,
}

fn not_allowed() -> EngineError {
    EngineError::forbidden(
        "hugs_not_allowed",
        "this user does not accept hugs from you",
    )
}

impl HugState {
    async fn send(
        &mut self,
        sender: Uuid,
        request: HugRequest,
        key: Option<IdempotencyKey>,
    ) -> EngineResult<Created<Hug>> {
        let at = now();
        let request_hash = idempotency::fingerprint(
            &serde_json::to_string(&request).map_err(|e| EngineError::Internal(e.to_string()))?,
        );
        if let Some(key) = &key {
            let since = at - idempotency::KEY_LIFETIME;
            if let Some(answer) = self
                .store
                .idempotent_answer(sender, IDEMPOTENCY_SCOPE, key.as_str(), since)
                .await?
            {
                return answer.replay(&request_hash);
            }
        }
        let recipient = self
            .store
            .user_by_id(request.recipient_id)
            .await?
            .ok_or(EngineError::NotFound("user"))?;
        self.check_allowed(sender, &recipient).await?;
        self.take_token(sender, at)?;
        let sender_user = self
            .store
            .user_by_id(sender)
            .await?
            .ok_or(EngineError::NotFound("user"))?;
        let hug = Hug {
            id: Uuid::new_v4(),
            sender_id: sender,
            recipient_id: recipient.id,
            hug_type: request.hug_type,
            message: request.message,
            sent_at: at,
            status: HugStatus::Sent,
        };
        let data = hug_json(&hug)?;
        let notification = NewNotification {
            id: Uuid::new_v4(),
            user_id: recipient.id,
            kind: "hug_received",
            title: "You received a hug".into(),
            body: format!(
                "{} sent you a {} hug",
                sender_user.display_name,
                hug.hug_type.as_str()
            ),
            data: serde_json::json!({ "hugId": hug.id, "senderId": sender, "hugType": hug.hug_type }),
            created_at: at,
        };
        let event = NewEvent {
            user_id: recipient.id,
            kind: EventKind::HugReceived,
            data: data.clone(),
            created_at: at,
        };
        let claim = key.map(|key| IdempotencyClaim {
            user_id: sender,
            scope: IDEMPOTENCY_SCOPE,
            key: key.as_str().to_owned(),
            request_hash: request_hash.clone(),
            response: data.to_string(),
            created_at: at,
        });
        let outbox = Outbox::new().event(event).notify(notification);
        match self.store.insert_hug(&hug, &outbox, claim.as_ref()).await? {
            Claimed::Written(events) => {
                self.realtime.publish(events).await;
                Ok(Created::New(hug))
            }
            Claimed::Replay(answer) => answer.replay(&request_hash),
        }
    }

    /// Blocks either way, or the recipient's `allowHugsFrom`, forbid the hug.
    async fn check_allowed(&self, sender: Uuid, recipient: &User) -> EngineResult<()> {
        let relation = self.store.relation(recipient.id, sender).await?;
        let allowed = !relation.a_blocks_b
            && !relation.b_blocks_a
            && match recipient.privacy.allow_hugs_from {
                AllowHugsFrom::Everyone => true,
                AllowHugsFrom::Friends => relation.friends,
                AllowHugsFrom::Nobody => false,
            };
        if allowed {
            Ok(())
        } else {
            Err(not_allowed())
        }
    }

    fn take_token(&mut self, sender: Uuid, at: chrono::DateTime<chrono::Utc>) -> EngineResult<()> {
        let rate = self.rate_per_minute;
        if self.buckets.len() > BUCKET_SWEEP_AT {
            self.buckets.retain(|_, bucket| !bucket.is_full(rate, at));
        }
        let bucket = self
            .buckets
            .entry(sender)
            .or_insert_with(|| RateBucket::full(rate, at));
        bucket
            .take(rate, at)
            .map_err(|retry_after_secs| EngineError::RateLimited { retry_after_secs })
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
        let rate_per_minute = args.realtime.settings().hug_rate_per_minute;
        Ok(HugState {
            store: args.store,
            realtime: args.realtime,
            rate_per_minute,
            buckets: HashMap::new(),
        })
    }

    /// Client mistakes come back in the reply; the handler itself never fails.
    async fn handle(
        &self,
        _myself: ActorRef<HugMsg>,
        msg: HugMsg,
        state: &mut HugState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            HugMsg::Send {
                sender,
                request,
                key,
                reply,
            } => {
                let answer = state.send(sender, request, key).await;
                let _ = reply.send(answer);
            }
            #[cfg(feature = "fault-injection")]
            HugMsg::Crash => panic!("HugActor asked to crash"),
        }
        Ok(())
    }
}
