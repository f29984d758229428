//! Storage of refresh tokens, their families (sessions), the record of ended sessions
//! every node re-reads, and stream tickets.
//!
//! Rotation and revocation of one family are exclusive: both lock the family's row
//! first (PostgreSQL: `SELECT … FOR UPDATE` / `UPDATE`; SQLite has one writer, so its
//! transactions never overlap). Without it, on PostgreSQL a revocation whose `UPDATE`
//! took its snapshot before a rotation committed missed the new token, which stayed
//! refreshable.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::revocations::Revocation;
use crate::domain::session::RefreshTokenRecord;
use crate::error::EngineResult;

#[async_trait]
pub trait SessionStore {
    /// Stores a token, and its family when it is the first of one (a new session).
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> EngineResult<()>;
    async fn refresh_token_by_hash(
        &self,
        token_hash: &str,
    ) -> EngineResult<Option<RefreshTokenRecord>>;
    async fn refresh_token_by_id(&self, id: Uuid) -> EngineResult<Option<RefreshTokenRecord>>;
    /// Spends `spent_id` (noting `next` as its successor, with the successor's secret
    /// sealed as `sealed_next`) and stores `next`, in one transaction that holds the
    /// family's lock. `false` (and nothing stored) when `spent_id` was already spent or
    /// its family revoked.
    async fn rotate_refresh_token(
        &self,
        spent_id: Uuid,
        next: &RefreshTokenRecord,
        sealed_next: &str,
        at: DateTime<Utc>,
    ) -> EngineResult<bool>;
    /// Revokes a family and every token of it, and records the end for the other
    /// nodes, under the family's lock. `false` when it was revoked already (or is
    /// unknown).
    async fn revoke_token_family(&self, family_id: Uuid, at: DateTime<Utc>) -> EngineResult<bool>;
    /// Whether a family was revoked (by logout or reuse).
    async fn token_family_revoked(&self, family_id: Uuid) -> EngineResult<bool>;
    /// Records that every session of `user` ends (the account is being deleted).
    async fn record_account_end(&self, user: Uuid, at: DateTime<Utc>) -> EngineResult<()>;
    /// The ends recorded at or after `since`.
    async fn revocations_since(&self, since: DateTime<Utc>) -> EngineResult<Vec<Revocation>>;
    /// Deletes the record of ends before `before`.
    async fn prune_revocations(&self, before: DateTime<Utc>) -> EngineResult<u64>;
    /// Stores a ticket for `user`, minted in session `family`.
    async fn insert_stream_ticket(
        &self,
        token_hash: &str,
        user: Uuid,
        family: Option<Uuid>,
        expires_at: DateTime<Utc>,
    ) -> EngineResult<()>;
    /// Spends a ticket: the user it was for and their session, if it exists and has
    /// not expired at `at`.
    async fn redeem_stream_ticket(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> EngineResult<Option<(Uuid, Option<Uuid>)>>;
    /// Deletes tickets that expired before `at`.
    async fn prune_stream_tickets(&self, at: DateTime<Utc>) -> EngineResult<u64>;
    /// Deletes refresh tokens that expired before `at` (spent or not: an expired token
    /// refreshes nothing, so reuse detection no longer needs it), a chunk at a time.
    async fn prune_refresh_tokens(&self, at: DateTime<Utc>) -> EngineResult<u64>;
}

pub(crate) const PRUNE_TOKENS: &str = "DELETE FROM refresh_tokens WHERE id IN \
    (SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)";

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO refresh_tokens \
    (id, family_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const TOKEN_COLUMNS: &str = "id, family_id, user_id, token_hash, created_at, \
    expires_at, spent_at, revoked_at, successor_id, successor_sealed";

/// Takes a family's lock for a rotation and reads whether it is revoked.
pub(crate) fn lock_family_sql<DB: sqlx::Database>() -> &'static str {
    if crate::store::locks::takes_row_locks::<DB>() {
        "SELECT revoked_at IS NOT NULL FROM token_families WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT revoked_at IS NOT NULL FROM token_families WHERE id = $1"
    }
}

pub(crate) const INSERT_REVOCATION: &str =
    "INSERT INTO session_revocations (user_id, family_id, revoked_at) VALUES ($1, $2, $3)";

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
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO token_families (id, user_id, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(token.family_id)
                .bind(token.user_id)
                .bind(token.created_at)
                .execute(&mut *tx)
                .await?;
                Self::insert_token_query(token).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn refresh_token_by_hash(
                &self,
                token_hash: &str,
            ) -> $crate::error::EngineResult<Option<$crate::domain::session::RefreshTokenRecord>> {
                let sql = format!(
                    "SELECT {} FROM refresh_tokens WHERE token_hash = $1",
                    $crate::store::sessions::TOKEN_COLUMNS
                );
                let row = sqlx::query_as::<_, $crate::store::rows::RefreshTokenRow>(&sql)
                    .bind(token_hash)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(Into::into))
            }

            async fn refresh_token_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::error::EngineResult<Option<$crate::domain::session::RefreshTokenRecord>> {
                let sql = format!(
                    "SELECT {} FROM refresh_tokens WHERE id = $1",
                    $crate::store::sessions::TOKEN_COLUMNS
                );
                let row = sqlx::query_as::<_, $crate::store::rows::RefreshTokenRow>(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(Into::into))
            }

            async fn rotate_refresh_token(
                &self,
                spent_id: uuid::Uuid,
                next: &$crate::domain::session::RefreshTokenRecord,
                sealed_next: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<bool> {
                let mut tx = self.writer().begin().await?;
                let revoked: Option<(bool,)> =
                    sqlx::query_as($crate::store::sessions::lock_family_sql::<$db>())
                        .bind(next.family_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if revoked != Some((false,)) {
                    return Ok(false);
                }
                let spent = sqlx::query(
                    "UPDATE refresh_tokens SET spent_at = $2, successor_id = $3, successor_sealed = $4 \
                     WHERE id = $1 AND spent_at IS NULL AND revoked_at IS NULL",
                )
                .bind(spent_id)
                .bind(at)
                .bind(next.id)
                .bind(sealed_next)
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
            ) -> $crate::error::EngineResult<bool> {
                let mut tx = self.writer().begin().await?;
                // Locks the family first; the statements after it see every token a
                // rotation that held the lock before committed.
                let user: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "UPDATE token_families SET revoked_at = $2 \
                     WHERE id = $1 AND revoked_at IS NULL RETURNING user_id",
                )
                .bind(family_id)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((user,)) = user else {
                    return Ok(false);
                };
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
                    .bind(family_id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::store::sessions::INSERT_REVOCATION)
                    .bind(user)
                    .bind(Some(family_id))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn token_family_revoked(&self, family_id: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let revoked: Option<(bool,)> = sqlx::query_as(
                    "SELECT revoked_at IS NOT NULL FROM token_families WHERE id = $1",
                )
                .bind(family_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(revoked.is_some_and(|(revoked,)| revoked))
            }

            async fn record_account_end(
                &self,
                user: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query($crate::store::sessions::INSERT_REVOCATION)
                    .bind(user)
                    .bind(None::<uuid::Uuid>)
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn revocations_since(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<Vec<$crate::auth::revocations::Revocation>> {
                let rows: Vec<(uuid::Uuid, Option<uuid::Uuid>)> = sqlx::query_as(
                    "SELECT user_id, family_id FROM session_revocations WHERE revoked_at >= $1",
                )
                .bind(since)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user, family)| $crate::auth::revocations::Revocation { user, family })
                    .collect())
            }

            async fn prune_revocations(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<u64> {
                let done = sqlx::query("DELETE FROM session_revocations WHERE revoked_at < $1")
                    .bind(before)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn insert_stream_ticket(
                &self,
                token_hash: &str,
                user: uuid::Uuid,
                family: Option<uuid::Uuid>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query("INSERT INTO stream_tickets (token_hash, user_id, family_id, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(user)
                    .bind(family)
                    .bind(expires_at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn redeem_stream_ticket(
                &self,
                token_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<Option<(uuid::Uuid, Option<uuid::Uuid>)>> {
                let found: Option<(uuid::Uuid, Option<uuid::Uuid>)> = sqlx::query_as(
                    "DELETE FROM stream_tickets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id, family_id",
                )
                .bind(token_hash)
                .bind(at)
                .fetch_optional(self.writer())
                .await?;
                Ok(found)
            }

            async fn prune_stream_tickets(&self, at: chrono::DateTime<chrono::Utc>) -> $crate::error::EngineResult<u64> {
                let done = sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn prune_refresh_tokens(&self, at: chrono::DateTime<chrono::Utc>) -> $crate::error::EngineResult<u64> {
                $crate::store::delete_in_chunks!(
                    self.writer(),
                    $crate::store::sessions::PRUNE_TOKENS,
                    at
                )
            }
        }
    };
}
pub(crate) use impl_session_store;
