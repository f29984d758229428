//! Hugs: sending, reading, marking seen, reciprocating. Every change commits the hug,
//! its notification and its event together, and the event is published after the
//! commit.
//!
//! Sending a hug: one read for the checks (sender, recipient privacy, blocks), one
//! token from the sender's `HugActor` shard (the rate limit), then the group-commit
//! writer commits it with the hugs queued beside it and answers after the commit.

mod actor;
mod compose;
mod group_commit;

use std::sync::Arc;
use uuid::Uuid;

use crate::domain::event::{EventKind, NewEvent};
use crate::domain::hug::{Hug, HugRequest, HugStatus};
use crate::domain::idempotency::{self, Created, IdempotencyKey};
use crate::domain::outbox::Outbox;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::NewNotification;
use crate::domain::time::now;
use crate::error::{EngineError, EngineResult};
use crate::limits::{ClusterRate, Rate};
use crate::realtime::Realtime;
use crate::shard::Shards;
use crate::store::{Claimed, HugDirection, HugWrite, Store};
use actor::{HugActor, HugMsg};
use group_commit::HugWriter;
pub use group_commit::MAX_BATCH;

/// Hugs waiting for the writer at most; beyond, senders wait for room.
const WRITE_QUEUE: usize = 4_096;

/// The hug service: what the API calls.
#[derive(Clone)]
pub struct Hugs {
    shards: Shards<HugActor>,
    /// In cluster mode, the per-sender limit shared by every node (the shards are
    /// then the fallback while Redis does not answer).
    cluster_rate: Option<ClusterRate>,
    writer: HugWriter,
    store: Arc<dyn Store>,
    realtime: Realtime,
}

impl Hugs {
    /// Starts the HugActor shards under their supervisor, and the hug writer.
    pub async fn start(store: Arc<dyn Store>, realtime: Realtime) -> EngineResult<Self> {
        let settings = realtime.settings();
        let shards = Shards::start(
            "hug",
            HugActor,
            settings.hug_shards,
            settings.actor_queue_limit,
            actor::HugArgs {
                rate_per_minute: settings.hug_rate_per_minute,
            },
        )
        .await?;
        let writer = HugWriter::start(store.clone(), realtime.clone(), WRITE_QUEUE);
        let cluster_rate = realtime
            .redis()
            .map(|link| ClusterRate::new(link.clone(), "hugs"));
        Ok(Self {
            shards,
            cluster_rate,
            writer,
            store,
            realtime,
        })
    }

    /// Sends a hug: checks, rate limit, then the group commit; answers after the commit.
    /// With `key`, a retry of the same request answers the first hug.
    pub async fn send(
        &self,
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
                .idempotent_answer(sender, compose::IDEMPOTENCY_SCOPE, key.as_str(), since)
                .await?
            {
                return answer.replay(&request_hash);
            }
        }
        let parties = self.store.hug_parties(sender, request.recipient_id).await?;
        let sender_name = compose::check(parties)?;
        self.take_token(sender).await?;
        let composed =
            compose::compose(sender, &sender_name, request, key, request_hash.clone(), at)?;
        match self.writer.write(composed.write).await? {
            Claimed::Written(()) => Ok(Created::New(composed.hug)),
            Claimed::Replay(answer) => answer.replay(&request_hash),
        }
    }

    /// The rows of a hug from `sender` (named `sender_name`) sent at `at`, as `send`
    /// commits them: the hug, the recipient's notification and `hug_received` event.
    /// For writers that make hugs without a request (demo data), which skip the
    /// checks and the rate limit and commit through
    /// [`HugStore::insert_hug_batch`](crate::store::HugStore::insert_hug_batch), in
    /// batches of at most [`MAX_BATCH`].
    pub fn compose(
        sender: Uuid,
        sender_name: &str,
        request: HugRequest,
        at: chrono::DateTime<chrono::Utc>,
    ) -> EngineResult<HugWrite> {
        Ok(compose::compose(sender, sender_name, request, None, String::new(), at)?.write)
    }

    /// Takes one of `sender`'s tokens — from the cluster's bucket in Redis, or else
    /// from its shard; 429 with the wait when none is left.
    async fn take_token(&self, sender: Uuid) -> EngineResult<()> {
        if let Some(rate) = &self.cluster_rate {
            let per_minute = self.realtime.settings().hug_rate_per_minute;
            match rate.take(sender, Rate::per_minute(per_minute)).await {
                Ok(taken) => {
                    return taken
                        .map_err(|retry_after_secs| EngineError::RateLimited { retry_after_secs })
                }
                Err(err) => {
                    tracing::debug!(error = %err, "Redis does not answer: hug rate limited per node")
                }
            }
        }
        self.shards
            .call(sender, |reply| HugMsg::TakeToken { sender, reply })
            .await?
            .map_err(|retry_after_secs| EngineError::RateLimited { retry_after_secs })
    }

    /// Makes the shard of `sender` panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    pub fn crash_shard_of(&self, sender: Uuid) -> bool {
        self.shards.of(sender).cast(HugMsg::Crash).is_ok()
    }

    /// Stops the shards and their supervisor.
    pub fn stop(&self) {
        self.shards.stop();
    }

    /// A hug its sender or recipient asks for.
    pub async fn get(&self, viewer: Uuid, id: Uuid) -> EngineResult<Hug> {
        match self.store.hug_by_id(id).await? {
            Some(hug) if hug.sender_id == viewer || hug.recipient_id == viewer => Ok(hug),
            _ => Err(EngineError::NotFound("hug")),
        }
    }

    pub async fn list(
        &self,
        user: Uuid,
        direction: HugDirection,
        page: PageRequest,
    ) -> EngineResult<Paged<Hug>> {
        self.store.list_hugs(user, direction, page).await
    }

    /// The recipient has seen the hug: status `seen`, and the sender hears of it.
    pub async fn mark_seen(&self, viewer: Uuid, id: Uuid) -> EngineResult<Hug> {
        let hug = self.get(viewer, id).await?;
        if hug.recipient_id != viewer {
            return Err(EngineError::forbidden(
                "not_recipient",
                "only the recipient can mark a hug seen",
            ));
        }
        if hug.status == HugStatus::Seen {
            return Ok(hug);
        }
        let at = now();
        let seen = Hug {
            status: HugStatus::Seen,
            ..hug
        };
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
        let event = NewEvent {
            user_id: seen.sender_id,
            kind: EventKind::HugSeen,
            data: hug_json(&seen)?,
            created_at: at,
        };
        let outbox = Outbox::new().event(event).notify(notification);
        if let Some(events) = self.store.mark_hug_seen(seen.id, at, &outbox).await? {
            self.realtime.publish(events).await;
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
            return Err(EngineError::forbidden(
                "not_recipient",
                "only the recipient can hug back",
            ));
        }
        let hug_type = hug_type.unwrap_or(original.hug_type.as_str());
        let request = HugRequest::parse(viewer, Some(original.sender_id), Some(hug_type), message)
            .map_err(EngineError::Invalid)?;
        self.send(viewer, request, key).await
    }

    async fn display_name(&self, user: Uuid) -> EngineResult<String> {
        Ok(self
            .store
            .user_by_id(user)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default())
    }
}

fn hug_json(hug: &Hug) -> EngineResult<serde_json::Value> {
    serde_json::to_value(hug).map_err(|e| EngineError::Internal(format!("hug JSON: {e}")))
}
