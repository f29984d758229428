//! Storage of idempotency claims, shared by every idempotent create.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::idempotency::StoredAnswer;
use crate::error::EngineResult;

#[async_trait]
pub trait IdempotencyStore {
    /// The live answer stored for `key`, if any (claims made before `since` are expired).
    async fn idempotent_answer(
        &self,
        user_id: Uuid,
        scope: &str,
        key: &str,
        since: DateTime<Utc>,
    ) -> EngineResult<Option<StoredAnswer>>;
    /// Deletes claims made before `before` (expired: they can no longer answer a
    /// retry), a chunk at a time so no transaction grows long. The number deleted.
    async fn prune_idempotency_keys(&self, before: DateTime<Utc>) -> EngineResult<u64>;
}

pub(crate) const PRUNE_CLAIMS: &str =
    "DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN \
    (SELECT user_id, scope, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)";

/// Inserts a claim, or replaces an expired one; affects no row when a live claim exists.
pub(crate) const CLAIM: &str = "INSERT INTO idempotency_keys \
    (user_id, scope, key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (user_id, scope, key) DO UPDATE SET request_hash = excluded.request_hash, \
    response = excluded.response, created_at = excluded.created_at \
    WHERE idempotency_keys.created_at < $7";

pub(crate) const ANSWER: &str = "SELECT request_hash, response FROM idempotency_keys \
    WHERE user_id = $1 AND scope = $2 AND key = $3 AND created_at >= $4";

macro_rules! impl_idempotency_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Claims the key inside `tx`. `Some(answer)` when a live claim exists already:
            /// the caller must then write nothing and replay that answer.
            async fn claim_idempotency_key(
                tx: &mut sqlx::Transaction<'_, $db>,
                claim: &$crate::domain::idempotency::IdempotencyClaim,
            ) -> $crate::error::EngineResult<Option<$crate::domain::idempotency::StoredAnswer>>
            {
                let claimed = sqlx::query($crate::store::idempotency::CLAIM)
                    .bind(claim.user_id)
                    .bind(claim.scope)
                    .bind(&claim.key)
                    .bind(&claim.request_hash)
                    .bind(&claim.response)
                    .bind(claim.created_at)
                    .bind(claim.expired_before())
                    .execute(&mut **tx)
                    .await?;
                if claimed.rows_affected() == 1 {
                    return Ok(None);
                }
                let answer: Option<(String, String)> =
                    sqlx::query_as($crate::store::idempotency::ANSWER)
                        .bind(claim.user_id)
                        .bind(claim.scope)
                        .bind(&claim.key)
                        .bind(claim.expired_before())
                        .fetch_optional(&mut **tx)
                        .await?;
                let (request_hash, response) = answer.ok_or_else(|| {
                    $crate::error::EngineError::Internal(
                        "idempotency claim neither stored nor found".into(),
                    )
                })?;
                Ok(Some($crate::domain::idempotency::StoredAnswer {
                    request_hash,
                    response,
                }))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::idempotency::IdempotencyStore for $store {
            async fn idempotent_answer(
                &self,
                user_id: uuid::Uuid,
                scope: &str,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<Option<$crate::domain::idempotency::StoredAnswer>>
            {
                let answer: Option<(String, String)> =
                    sqlx::query_as($crate::store::idempotency::ANSWER)
                        .bind(user_id)
                        .bind(scope)
                        .bind(key)
                        .bind(since)
                        .fetch_optional(self.reader())
                        .await?;
                Ok(answer.map(|(request_hash, response)| {
                    $crate::domain::idempotency::StoredAnswer {
                        request_hash,
                        response,
                    }
                }))
            }

            async fn prune_idempotency_keys(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<u64> {
                $crate::store::delete_in_chunks!(
                    self.writer(),
                    $crate::store::idempotency::PRUNE_CLAIMS,
                    before
                )
            }
        }
    };
}
pub(crate) use impl_idempotency_store;
