//! The embedded store: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, so writers queue in-process
//! instead of meeting `SQLITE_BUSY`; reads use a separate pool and run concurrently
//! with the writer, as WAL allows. Most of the WAL checkpointing runs on a third
//! connection, in the background (see `sqlite_checkpoint.rs`).

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite};
use std::str::FromStr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use super::collections::impl_collection_store;
use super::events::impl_event_store;
use super::hug_batch::impl_hug_batch_writes;
use super::hugs::impl_hug_store;
use super::idempotency::impl_idempotency_store;
use super::moods::impl_mood_store;
use super::notifications::impl_notification_store;
use super::outbox::impl_outbox_writes;
use super::retraction::impl_retraction;
use super::sqlite_checkpoint;
use super::sqlite_direct::DirectReads;
use super::{
    sessions::impl_session_store, social::impl_social_store, users::impl_user_store, Store,
    StoreOptions,
};
use crate::error::{EngineError, EngineResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// How long a connection waits on a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Page cache of the writer, in KiB: about SQLite's default, on purpose. A bigger one
/// saves re-reading index pages from the OS, but costs more at commits: when an insert
/// splits a page, SQLite briefly renumbers a page beyond the end of the file, and the
/// commit then walks the whole cache to drop pages past the end. With 64 MiB that
/// walk took a third of the writer's time at 2,000 hugs/s (docs/benchmarks.md).
const WRITER_CACHE_KIB: u32 = 2 * 1024;

/// Page size of a new database file (SQLite's default is 4 KiB). A hug changes a
/// handful of index entries at random places in the file, and each changed page is
/// written whole to the WAL and again at the checkpoint: smaller pages, fewer bytes.
/// An existing file keeps the page size it was created with.
const PAGE_SIZE: u32 = 2048;

pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    /// The hot small reads on the calling thread (a database file only).
    direct: Option<DirectReads>,
    /// Stops the background checkpoints (on close, or when the store is dropped).
    checkpoints: CancellationToken,
}

impl SqliteStore {
    pub async fn connect(database_url: &str, options: &StoreOptions) -> EngineResult<Self> {
        let connect = SqliteConnectOptions::from_str(database_url)
            .map_err(|e| EngineError::Storage(format!("invalid SQLite url: {e}")))?
            .create_if_missing(true)
            .page_size(PAGE_SIZE)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let in_memory = database_url.contains(":memory:") || database_url.contains("mode=memory");
        let direct = (!in_memory).then(|| DirectReads::new(connect.get_filename()));
        if !in_memory {
            if let Some(dir) = connect
                .get_filename()
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    EngineError::Storage(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
        }
        let single = || {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        };
        let page_size = if in_memory {
            PAGE_SIZE
        } else {
            page_size(&connect).await?
        };
        let restart_pages = sqlite_checkpoint::restart_pages(options.wal_restart_bytes, page_size);
        let writer = single()
            .connect_with(
                connect
                    .clone()
                    .pragma(
                        "wal_autocheckpoint",
                        sqlite_checkpoint::writer_backstop_pages(restart_pages).to_string(),
                    )
                    .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
                    // Statement journals and savepoints in memory: before a statement
                    // that may fail half-way (a multi-row insert) or a savepoint first
                    // changes a page, SQLite copies the page aside; in a temporary file,
                    // that doubled the bytes every hug batch wrote.
                    .pragma("temp_store", "MEMORY"),
            )
            .await?;
        let checkpoints = CancellationToken::new();
        // An in-memory database lives in its one connection: readers must share it.
        let reader = if in_memory {
            writer.clone()
        } else {
            sqlite_checkpoint::start(
                single().connect_with(connect.clone()).await?,
                writer.clone(),
                restart_pages,
                page_size,
                checkpoints.clone(),
            );
            SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .connect_with(connect.read_only(true))
                .await?
        };
        Ok(Self {
            reader,
            writer,
            direct,
            checkpoints,
        })
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn direct_reads(&self) -> Option<&DirectReads> {
        self.direct.as_ref()
    }
}

/// The page size of the database file, which the first connection creates if missing
/// (with [`PAGE_SIZE`]); an existing file keeps its own.
async fn page_size(connect: &SqliteConnectOptions) -> EngineResult<u32> {
    let mut probe = connect.connect().await?;
    let (size,): (i64,) = sqlx::query_as("PRAGMA page_size")
        .fetch_one(&mut probe)
        .await?;
    probe.close().await?;
    u32::try_from(size).map_err(|_| EngineError::Storage(format!("unexpected page size {size}")))
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.checkpoints.cancel();
    }
}

impl_user_store!(SqliteStore);
impl_session_store!(SqliteStore, Sqlite);
impl_social_store!(SqliteStore, Sqlite);
impl_mood_store!(SqliteStore, Sqlite);
impl_idempotency_store!(SqliteStore, Sqlite);
impl_event_store!(SqliteStore, Sqlite);
impl_hug_store!(SqliteStore, Sqlite);
impl_hug_batch_writes!(SqliteStore, Sqlite);
impl_notification_store!(SqliteStore, Sqlite);
impl_outbox_writes!(SqliteStore, Sqlite);
impl_retraction!(SqliteStore, Sqlite);
impl_collection_store!(SqliteStore, Sqlite);

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> EngineResult<usize> {
        let before = super::applied_migrations!(&self.writer);
        MIGRATOR.run(&self.writer).await?;
        Ok(super::applied_migrations!(&self.writer).saturating_sub(before))
    }

    async fn close(&self) {
        self.checkpoints.cancel();
        self.reader.close().await;
        self.writer.close().await;
    }

    async fn ping(&self) -> EngineResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn pool_connections(&self) -> Vec<(&'static str, u32)> {
        let idle = (self.reader.num_idle() + self.writer.num_idle()) as u32;
        let size = self.reader.size() + self.writer.size();
        vec![("idle", idle), ("active", size.saturating_sub(idle))]
    }
}
