//! Hugs: sending (through the sharded `HugActor`, which owns the per-sender rate limit),
//! reading, marking seen, reciprocating. Every change commits the hug, its notification
//! and its event together, and the event is published after the commit.

use ractor::{call_t, Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::event::{EventKind, NewEvent};
use crate::domain::hug::{Hug, HugRequest, HugStatus, RateBucket};
use crate::domain::idempotency::{self, Created, IdempotencyClaim, IdempotencyKey, StoredAnswer};
use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::NewNotification;
use crate::domain::time::now;
use crate::domain::user::{AllowHugsFrom, User};
use crate::error::{EngineError, EngineResult};
use crate::realtime::Realtime;
use crate::store::{Claimed, HugDirection, Store};

/// Timeout of a send through a HugActor, in milliseconds.
const SEND_TIMEOUT_MS: u64 = 10_000;
/// Scope of hug keys in the idempotency table.
const IDEMPOTENCY_SCOPE: &str = "hugs";
/// Rate buckets are swept when a shard holds more than this many.
const BUCKET_SWEEP_AT: usize = 10_000;

/// The hug service: what the API calls.
#[derive(Clone)]
pub struct Hugs {
    shards: Arc<Vec<ActorRef<HugMsg>>>,
    store: Arc<dyn Store>,
    realtime: Realtime,
}

pub(crate) enum HugMsg {
    Send {
        sender: Uuid,
        request: HugRequest,
        key: Option<IdempotencyKey>,
        reply: RpcReplyPort<EngineResult<Created<Hug>>>,
    },
}

struct HugActor;

struct HugState {
    store: Arc<dyn Store>,
    realtime: Realtime,
    rate_per_minute: u32,
    buckets: HashMap<Uuid, RateBucket>,
}

impl Hugs {
    /// Starts the HugActor shards.
    pub async fn start(store: Arc<dyn Store>, realtime: Realtime) -> EngineResult<Self> {
        let count = realtime.settings().hug_shards.max(1);
        let mut shards = Vec::with_capacity(count);
        for _ in 0..count {
            let state = HugState {
                store: store.clone(),
                realtime: realtime.clone(),
                rate_per_minute: realtime.settings().hug_rate_per_minute,
                buckets: HashMap::new(),
            };
            let (actor, _) = Actor::spawn(None, HugActor, state)
                .await
                .map_err(|e| EngineError::Internal(format!("cannot start a HugActor: {e}")))?;
            shards.push(actor);
        }
        Ok(Self { shards: Arc::new(shards), store, realtime })
    }

    /// The shard of a sender: all of one sender's hugs go through one actor, in order.
    fn shard(&self, sender: Uuid) -> &ActorRef<HugMsg> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sender.hash(&mut hasher);
        &self.shards[(hasher.finish() % self.shards.len() as u64) as usize]
    }

    pub async fn send(&self, sender: Uuid, request: HugRequest, key: Option<IdempotencyKey>) -> EngineResult<Created<Hug>> {
        call_t!(self.shard(sender), |reply| HugMsg::Send { sender, request, key, reply }, SEND_TIMEOUT_MS)
            .map_err(|e| EngineError::Internal(format!("hug shard unavailable: {e}")))?
    }

    /// A hug its sender or recipient asks for.
    pub async fn get(&self, viewer: Uuid, id: Uuid) -> EngineResult<Hug> {
        match self.store.hug_by_id(id).await? {
            Some(hug) if hug.sender_id == viewer || hug.recipient_id == viewer => Ok(hug),
            _ => Err(EngineError::NotFound("hug")),
        }
    }

    pub async fn list(&self, user: Uuid, direction: HugDirection, page: PageRequest) -> EngineResult<Paged<Hug>> {
        self.store.list_hugs(user, direction, page).await
    }

    /// The recipient has seen the hug: status `seen`, and the sender hears of it.
    pub async fn mark_seen(&self, viewer: Uuid, id: Uuid) -> EngineResult<Hug> {
        let hug = self.get(viewer, id).await?;
        if hug.recipient_id != viewer {
            return Err(EngineError::forbidden("not_recipient", "only the recipient can mark a hug seen"));
        }
        if hug.status == HugStatus::Seen {
            return Ok(hug);
        }
        let at = now();
        let seen = Hug { status: HugStatus::Seen, ..hug };
        let viewer_name = self.display_name(viewer).await?;
        let notification = NewNotification {
            id: Uuid::new_v4(),
            user_id: seen.sender_id,
            kind: "hug_seen",
            title: "Your hug was seen".into(),
            body: format!("{viewer_name} saw your {} hug", seen.hug_type.as_str()),
            data: serde_json::json!({ "hugId": seen.id, "userId": viewer }),
            created_at: at,
        };
        let event = NewEvent { user_id: seen.sender_id, kind: EventKind::HugSeen, data: hug_json(&seen)?, created_at: at };
        if let Some(event) = self.store.mark_hug_seen(seen.id, at, &notification, &event).await? {
            self.realtime.publish([event]).await;
        }
        Ok(seen)
    }

    /// Sends a hug back to the sender of hug `id` (which the viewer received).
    pub async fn reciprocate(
        &self,
        viewer: Uuid,
        id: Uuid,
        hug_type: Option<&str>,
        message: Option<String>,
        key: Option<IdempotencyKey>,
    ) -> EngineResult<Created<Hug>> {
        let original = self.get(viewer, id).await?;
        if original.recipient_id != viewer {
            return Err(EngineError::forbidden("not_recipient", "only the recipient can hug back"));
        }
        let hug_type = hug_type.unwrap_or(original.hug_type.as_str());
        let request = HugRequest::parse(viewer, Some(original.sender_id), Some(hug_type), message)
            .map_err(EngineError::Invalid)?;
        self.send(viewer, request, key).await
    }

    async fn display_name(&self, user: Uuid) -> EngineResult<String> {
        Ok(self.store.user_by_id(user).await?.map(|u| u.display_name).unwrap_or_default())
    }
}

fn hug_json(hug: &Hug) -> EngineResult<serde_json::Value> {
    serde_json::to_value(hug).map_err(|e| EngineError::Internal(format!("hug JSON: {e}")))
}

fn not_allowed() -> EngineError {
    EngineError::forbidden("hugs_not_allowed", "this user does not accept hugs from you")
}

impl HugState {
    async fn send(&mut self, sender: Uuid, request: HugRequest, key: Option<IdempotencyKey>) -> EngineResult<Created<Hug>> {
        let at = now();
        let request_hash = idempotency::fingerprint(
            &serde_json::to_string(&request).map_err(|e| EngineError::Internal(e.to_string()))?,
        );
        if let Some(key) = &key {
            let since = at - idempotency::KEY_LIFETIME;
            if let Some(answer) = self.store.idempotent_answer(sender, IDEMPOTENCY_SCOPE, key.as_str(), since).await? {
                return replay(answer, &request_hash);
            }
        }
        let recipient = self.store.user_by_id(request.recipient_id).await?.ok_or(EngineError::NotFound("user"))?;
        self.check_allowed(sender, &recipient).await?;
        self.take_token(sender, at)?;
        let sender_user = self.store.user_by_id(sender).await?.ok_or(EngineError::NotFound("user"))?;
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
            body: format!("{} sent you a {} hug", sender_user.display_name, hug.hug_type.as_str()),
            data: serde_json::json!({ "hugId": hug.id, "senderId": sender, "hugType": hug.hug_type }),
            created_at: at,
        };
        let event = NewEvent { user_id: recipient.id, kind: EventKind::HugReceived, data: data.clone(), created_at: at };
        let claim = key.map(|key| IdempotencyClaim {
            user_id: sender,
            scope: IDEMPOTENCY_SCOPE,
            key: key.as_str().to_owned(),
            request_hash: request_hash.clone(),
            response: data.to_string(),
            created_at: at,
        });
        match self.store.insert_hug(&hug, &notification, &event, claim.as_ref()).await? {
            Claimed::Written(event) => {
                self.realtime.publish(event).await;
                Ok(Created::New(hug))
            }
            Claimed::Replay(answer) => replay(answer, &request_hash),
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
        let bucket = self.buckets.entry(sender).or_insert_with(|| RateBucket::full(rate, at));
        bucket.take(rate, at).map_err(|retry_after_secs| EngineError::RateLimited { retry_after_secs })
    }
}

/// The first answer to a key, if the retried request is the same one.
fn replay(answer: StoredAnswer, request_hash: &str) -> EngineResult<Created<Hug>> {
    if answer.request_hash != request_hash {
        return Err(EngineError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        ));
    }
    serde_json::from_str(&answer.response)
        .map(Created::Replayed)
        .map_err(|e| EngineError::Internal(format!("stored idempotent answer unreadable: {e}")))
}

impl Actor for HugActor {
    type Msg = HugMsg;
    type State = HugState;
    type Arguments = HugState;

    async fn pre_start(&self, _myself: ActorRef<HugMsg>, state: HugState) -> Result<HugState, ActorProcessingErr> {
        Ok(state)
    }

    /// Client mistakes come back in the reply; the handler itself never fails.
    async fn handle(&self, _myself: ActorRef<HugMsg>, msg: HugMsg, state: &mut HugState) -> Result<(), ActorProcessingErr> {
        match msg {
            HugMsg::Send { sender, request, key, reply } => {
                let answer = state.send(sender, request, key).await;
                let _ = reply.send(answer);
            }
        }
        Ok(())
    }
}
