//! Storage of refresh tokens and their families.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::session::RefreshTokenRecord;
use crate::error::EngineResult;

#[async_trait]
pub trait SessionStore {
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> EngineResult<()>;
    async fn refresh_token_by_hash(
        &self,
        token_hash: &str,
    ) -> EngineResult<Option<RefreshTokenRecord>>;
    /// Spends `spent_id` and stores `next` in one transaction. `false` (and nothing
    /// stored) when `spent_id` was already spent or revoked: a concurrent reuse.
    async fn rotate_refresh_token(
        &self,
        spent_id: Uuid,
        next: &RefreshTokenRecord,
        at: DateTime<Utc>,
    ) -> EngineResult<bool>;
    /// Revokes every live token of a family.
    async fn revoke_token_family(&self, family_id: Uuid, at: DateTime<Utc>) -> EngineResult<()>;
    /// Whether a family was revoked (by logout or reuse).
    async fn token_family_revoked(&self, family_id: Uuid) -> EngineResult<bool>;
    async fn insert_stream_ticket(
        &self,
        token_hash: &str,
        user: Uuid,
        expires_at: DateTime<Utc>,
    ) -> EngineResult<()>;
    /// Spends a ticket: the user it was for, if it exists and has not expired at `at`.
    async fn redeem_stream_ticket(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> EngineResult<Option<Uuid>>;
    /// Deletes tickets that expired before `at`.
    async fn prune_stream_tickets(&self, at: DateTime<Utc>) -> EngineResult<u64>;
}

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO refresh_tokens \
    (id, family_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";

macro_rules! impl_session_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn insert_token_query<'q>(
                token: &'q $crate::domain::session::RefreshTokenRecord,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                sqlx::query($crate::store::sessions::INSERT_TOKEN)
                    .bind(token.id)
                    .bind(token.family_id)
                    .bind(token.user_id)
                    .bind(&token.token_hash)
                    .bind(token.created_at)
                    .bind(token.expires_at)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::sessions::SessionStore for $store {
            async fn insert_refresh_token(
                &self,
                token: &$crate::domain::session::RefreshTokenRecord,
            ) -> $crate::error::EngineResult<()> {
                Self::insert_token_query(token).execute(self.writer()).await?;
                Ok(())
            }

            async fn refresh_token_by_hash(
                &self,
                token_hash: &str,
            ) -> $crate::error::EngineResult<Option<$crate::domain::session::RefreshTokenRecord>> {
                let row = sqlx::query_as::<_, $crate::store::rows::RefreshTokenRow>(
                    "SELECT id, family_id, user_id, token_hash, created_at, expires_at, spent_at, revoked_at \
                     FROM refresh_tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(Into::into))
            }

            async fn rotate_refresh_token(
                &self,
                spent_id: uuid::Uuid,
                next: &$crate::domain::session::RefreshTokenRecord,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<bool> {
                let mut tx = self.writer().begin().await?;
                let spent = sqlx::query(
                    "UPDATE refresh_tokens SET spent_at = $2 \
                     WHERE id = $1 AND spent_at IS NULL AND revoked_at IS NULL",
                )
                .bind(spent_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                if spent.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::insert_token_query(next).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn revoke_token_family(
                &self,
                family_id: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
                    .bind(family_id)
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn token_family_revoked(&self, family_id: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let (revoked,): (bool,) = sqlx::query_as(
                    "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL)",
                )
                .bind(family_id)
                .fetch_one(self.reader())
                .await?;
                Ok(revoked)
            }

            async fn insert_stream_ticket(
                &self,
                token_hash: &str,
                user: uuid::Uuid,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query("INSERT INTO stream_tickets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(user)
                    .bind(expires_at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn redeem_stream_ticket(
                &self,
                token_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<Option<uuid::Uuid>> {
                let user: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "DELETE FROM stream_tickets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id",
                )
                .bind(token_hash)
                .bind(at)
                .fetch_optional(self.writer())
                .await?;
                Ok(user.map(|(id,)| id))
            }

            async fn prune_stream_tickets(&self, at: chrono::DateTime<chrono::Utc>) -> $crate::error::EngineResult<u64> {
                let done = sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use impl_session_store;
