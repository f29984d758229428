//! Durable storage behind one trait, with an SQLite and a PostgreSQL implementation.
//!
//! Every query is a runtime query written once, in the concern's file (`users.rs`,
//! `sessions.rs`, `social.rs`, `moods.rs`, `idempotency.rs`,
//! `events.rs`, `retraction.rs`, `hugs.rs`, `hug_batch.rs`, `notifications.rs`), in SQL both databases accept (`$n` parameters,
//! `RETURNING`, `ON CONFLICT`). Each file's macro instantiates its queries for both
//! backends; what differs between the databases (connection set-up, pools, migrations)
//! stays in `sqlite.rs` and `postgres.rs`.

mod collections;
mod events;
mod hug_batch;
mod hugs;
mod idempotency;
mod locks;
mod markers;
mod moods;
mod notifications;
mod outbox;
mod postgres;
mod retraction;
mod rows;
mod sessions;
mod social;
mod sqlite;
mod sqlite_checkpoint;
mod sqlite_direct;
mod users;

use async_trait::async_trait;
use std::sync::Arc;

use crate::error::{EngineError, EngineResult};
pub use collections::CollectionStore;
pub use events::{EventBounds, EventStore, LogVersion};
pub use hugs::{Claimed, HugDirection, HugParties, HugStore, HugWrite, HugWritten};
pub use idempotency::IdempotencyStore;
pub use moods::{MoodFilter, MoodStore};
pub use notifications::NotificationStore;
pub use postgres::PostgresStore;
pub use sessions::SessionStore;
pub use social::{Relation, SocialStore};
pub use sqlite::SqliteStore;
pub use users::UserStore;

/// All storage the engine needs, as one object-safe trait.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + SocialStore
    + MoodStore
    + IdempotencyStore
    + EventStore
    + HugStore
    + NotificationStore
    + CollectionStore
    + Send
    + Sync
    + 'static
{
    /// Applies the embedded migrations that have not run yet; answers how many it
    /// applied (0 when the database was up to date).
    async fn migrate(&self) -> EngineResult<usize>;
    /// Closes the connection pools; every later query fails (readiness turns 503).
    async fn close(&self);
    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> EngineResult<()>;
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;
    /// Connections per state (`"idle"`, `"active"`), for the pool gauge.
    fn pool_connections(&self) -> Vec<(&'static str, u32)>;
}

/// Tuning for the connection pools.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// SQLite only: WAL length in bytes past which the WAL is started over (see
    /// `sqlite_checkpoint.rs`).
    pub wal_restart_bytes: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            wal_restart_bytes: sqlite_checkpoint::DEFAULT_RESTART_BYTES,
        }
    }
}

/// Opens the store that `database_url` names (`sqlite:…` or `postgres:…`).
pub async fn connect(database_url: &str, options: &StoreOptions) -> EngineResult<Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(database_url, options).await?))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Ok(Arc::new(
            PostgresStore::connect(database_url, options).await?,
        ))
    } else {
        Err(EngineError::Storage(format!(
            "database_url must start with sqlite: or postgres:, got {:?}",
            database_url.split(':').next().unwrap_or_default()
        )))
    }
}

/// Migrations recorded as applied in the database (none before the first run, when
/// sqlx's table does not exist yet).
macro_rules! applied_migrations {
    ($pool:expr) => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one($pool)
            .await
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    };
}
pub(crate) use applied_migrations;

/// Rows deleted per statement when pruning, so a backlog never holds the writer long.
pub(crate) const PRUNE_CHUNK: i64 = 5_000;

/// Runs a pruning `DELETE` (binding `$1` = the bound, `$2` = the chunk size) until it
/// deletes less than a chunk; evaluates to the number deleted.
macro_rules! delete_in_chunks {
    ($pool:expr, $sql:expr, $bound:expr) => {{
        let chunk = $crate::store::PRUNE_CHUNK;
        let mut total = 0;
        loop {
            let done = sqlx::query($sql)
                .bind($bound)
                .bind(chunk)
                .execute($pool)
                .await?
                .rows_affected();
            total += done;
            if done < chunk as u64 {
                break Ok(total);
            }
        }
    }};
}
pub(crate) use delete_in_chunks;

/// Escapes `%`, `_` and `\` so user text matches literally inside a `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in crate::domain::user::fold_case(text).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(super::like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
