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
        }
    };
}
pub(crate) use impl_session_store;
