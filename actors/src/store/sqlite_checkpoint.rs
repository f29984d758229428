//! WAL checkpoints of the embedded store: a background task on a connection of its
//! own does the bulk of them, so the writer only finishes what is left.
//!
//! Why: SQLite's automatic checkpoint runs inside the commit that crosses the WAL size
//! threshold, on the one writer connection, and with `synchronous = NORMAL` a
//! checkpoint is where the fsyncs are (tens of milliseconds each on a virtual disk,
//! hundreds at worst), so every writer queued behind that commit waited. A PASSIVE
//! checkpoint from another connection waits for no reader and no writer: every
//! [`CHECKPOINT_EVERY`] it copies the WAL back into the database while writes go on.
//! It cannot finish alone under a steady load, though: the writer keeps appending and
//! readers keep old snapshots, so the WAL would never start over and would grow. The
//! writer therefore still checkpoints past [`WRITER_CHECKPOINT_PAGES`], but by then
//! most frames are already copied and synced, so its share (and its fsyncs) is small.
//! Durability is unchanged: a commit is in the WAL before it is acknowledged.

use sqlx::sqlite::SqlitePool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the WAL is copied back into the database file. Often, so that what the
/// writer's fsyncs still have to flush stays small.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// WAL pages (4 KiB each) past which the writer's own commit checkpoints what the
/// background task has not copied yet, and the WAL can start over (SQLite's default
/// is 1,000).
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 4_000;

/// Starts the checkpoint task on `pool` (one connection); it ends with `stop`.
pub(super) fn start(pool: SqlitePool, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => break,
            }
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "WAL checkpoint failed; retrying on the next tick");
            }
        }
        pool.close().await;
    });
}
