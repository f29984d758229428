//! The cluster store: PostgreSQL, shared by every node.

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Postgres;
use std::time::Duration;

use super::collections::impl_collection_store;
use super::events::impl_event_store;
use super::hug_batch::impl_hug_batch_writes;
use super::hugs::impl_hug_store;
use super::idempotency::impl_idempotency_store;
use super::moods::impl_mood_store;
use super::notifications::impl_notification_store;
use super::outbox::impl_outbox_writes;
use super::retraction::impl_retraction;
use super::{
    sessions::impl_session_store, social::impl_social_store, users::impl_user_store, Store,
    StoreOptions,
};
use crate::error::{EngineError, EngineResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long a request waits for a connection before failing with `Unavailable`. It
/// bounds opening one too: while the server is down, the pool retries refused
/// connects with backoff until this deadline, so a request answers 503 within it
/// instead of hanging. Connections are checked as they return to the pool (see
/// `connect`), so ones the server dropped are replaced and the pool recovers with it.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Ceiling of a readiness ping: below the acquire timeout, so a probe answers 503
/// within it even when the round trip itself hangs.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(database_url: &str, options: &StoreOptions) -> EngineResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx pings every connection as it goes back to the pool (and drops a
            // broken one); pinging again as it comes out cost a round trip per query.
            // A connection that breaks while idle fails its next query once (503
            // `unavailable`) and is dropped on release.
            .test_before_acquire(false)
            .connect(database_url)
            .await?;
        Ok(Self { pool })
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    /// PostgreSQL takes concurrent writers itself; reads and writes share one pool.
    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// No direct reads: every query goes over the network anyway.
    fn direct_reads(&self) -> Option<&super::sqlite_direct::DirectReads> {
        None
    }
}

impl_user_store!(PostgresStore);
impl_session_store!(PostgresStore, Postgres);
impl_social_store!(PostgresStore, Postgres);
impl_mood_store!(PostgresStore, Postgres);
impl_idempotency_store!(PostgresStore, Postgres);
impl_event_store!(PostgresStore, Postgres);
impl_hug_store!(PostgresStore, Postgres);
impl_hug_batch_writes!(PostgresStore, Postgres);
impl_notification_store!(PostgresStore, Postgres);
impl_outbox_writes!(PostgresStore, Postgres);
impl_retraction!(PostgresStore, Postgres);
impl_collection_store!(PostgresStore, Postgres);

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> EngineResult<usize> {
        let before = super::applied_migrations!(&self.pool);
        MIGRATOR.run(&self.pool).await?;
        Ok(super::applied_migrations!(&self.pool).saturating_sub(before))
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn ping(&self) -> EngineResult<()> {
        tokio::time::timeout(PING_TIMEOUT, sqlx::query("SELECT 1").execute(&self.pool))
            .await
            .map_err(|_| EngineError::Unavailable("readiness ping timed out".into()))??;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn pool_connections(&self) -> Vec<(&'static str, u32)> {
        let idle = self.pool.num_idle() as u32;
        vec![
            ("idle", idle),
            ("active", self.pool.size().saturating_sub(idle)),
        ]
    }
}
