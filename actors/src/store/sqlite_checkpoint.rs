//! WAL checkpoints of the embedded store, kept off the writer's path.
//!
//! Why: a checkpoint is where SQLite's fsyncs are (with `synchronous = NORMAL` a commit
//! only appends to the WAL), tens of milliseconds each on a virtual disk under load.
//! SQLite's automatic checkpoint runs them inside the commit that crosses its
//! threshold, on the one writer connection, so every write queued behind that commit
//! waited: at 2,000 hugs/s the WAL crossed 4,000 pages three times a second and each
//! crossing stalled the writer 30–85 ms.
//!
//! Here a background task on a connection of its own copies the WAL back into the
//! database every [`CHECKPOINT_EVERY`] with a PASSIVE checkpoint, which waits for no
//! reader and no writer. Under steady writes that never finishes, because frames keep
//! arriving while it runs, and the WAL can only start over (be reused from its
//! beginning instead of growing) once every frame is in the database. So when the WAL
//! passes its restart length (`sqlite_wal_restart_mib`, 256 MiB by default), the task
//! runs a couple of passes back to back (each copies what arrived during the one
//! before), then a RESTART checkpoint *on the writer's own connection*: queued like
//! any write, it runs between two transactions, copies the little that is left, waits
//! for readers still on the old frames, and the next write starts the WAL over.
//! Restarts are rare (a WAL of that length holds seconds of the heaviest load) because
//! each one pauses the writer for its fsyncs. The writer's automatic checkpoint stays
//! only as a backstop (at four times the restart length), should this task fall
//! behind.
//!
//! Durability is unchanged: a commit is in the WAL before it is acknowledged.

use sqlx::sqlite::SqlitePool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use crate::observe;

/// How often the WAL is copied back into the database file: often, so that each pass
/// (and what the restart step has left to do) stays small.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// WAL length past which the WAL is started over, unless configured: 256 MiB, several
/// seconds of the heaviest hug load (each restart pauses the writer for tens of
/// milliseconds, so the fewer the better; after a restart the file is reused, not
/// grown).
pub(super) const DEFAULT_RESTART_BYTES: u64 = 256 << 20;

/// The restart length in WAL pages of `page_size` bytes (at least one).
pub(super) fn restart_pages(restart_bytes: u64, page_size: u32) -> i64 {
    let pages = restart_bytes / u64::from(page_size.max(1));
    i64::try_from(pages).unwrap_or(i64::MAX).max(1)
}

/// The writer's own automatic checkpoint, only reached if the background task falls
/// far behind (SQLite's default is 1,000 pages).
pub(super) fn writer_backstop_pages(restart_pages: i64) -> i64 {
    restart_pages.saturating_mul(4)
}

/// Background passes run back to back before the writer's short part of a restart.
const CATCH_UP_PASSES: usize = 2;

const PASSIVE: &str = "PRAGMA wal_checkpoint(PASSIVE)";
/// On the writer's connection: copies what is left, waits (briefly: reads are short)
/// for readers still on the old WAL, so that the next write starts the WAL over.
const RESTART: &str = "PRAGMA wal_checkpoint(RESTART)";

/// Starts the checkpoint task: passes on `checkpointer` (one connection of its own),
/// restarts through `writer` past `restart_pages`; it ends with `stop`. Each pass
/// sets `hugmood_sqlite_wal_bytes` (pages of `page_size` bytes).
pub(super) fn start(
    checkpointer: SqlitePool,
    writer: SqlitePool,
    restart_pages: i64,
    page_size: u32,
    stop: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The WAL starts over at the first write after a restart; until then (and on
        // an idle node, for good) a pass still sees the length it had.
        let mut restarted_at = None;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => break,
            }
            let pass = checkpoint(&checkpointer, PASSIVE).await;
            if let Ok(wal_pages) = pass {
                metrics::gauge!(observe::SQLITE_WAL_BYTES)
                    .set(wal_pages as f64 * f64::from(page_size));
            }
            match pass {
                Ok(wal_pages) if wal_pages >= restart_pages && restarted_at != Some(wal_pages) => {
                    restarted_at = restart(&checkpointer, &writer).await;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "WAL checkpoint failed; retrying on the next tick");
                }
            }
        }
        checkpointer.close().await;
    });
}

/// Starts the WAL over: catches up in the background, then finishes on the writer's
/// connection, where nothing can commit meanwhile. Answers the WAL's length when it
/// was restarted (what passes see until the next write starts it over).
async fn restart(checkpointer: &SqlitePool, writer: &SqlitePool) -> Option<i64> {
    let started = std::time::Instant::now();
    // Each pass copies what was committed during the one before; after a couple the
    // rest is about one fsync's worth of commits, which is what the writer waits for.
    for _ in 0..CATCH_UP_PASSES {
        if let Err(err) = checkpoint(checkpointer, PASSIVE).await {
            tracing::warn!(error = %err, "WAL checkpoint failed");
        }
    }
    let caught_up = started.elapsed();
    match checkpoint(writer, RESTART).await {
        Ok(restarted_at) => {
            let paused = started.elapsed() - caught_up;
            metrics::histogram!(observe::SQLITE_WAL_RESTART_PAUSE).record(paused.as_secs_f64());
            tracing::debug!(
                wal_pages = restarted_at,
                ?caught_up,
                writer_paused = ?paused,
                "WAL started over"
            );
            Some(restarted_at)
        }
        Err(err) => {
            tracing::warn!(error = %err, "WAL restart failed; retrying on the next tick");
            None
        }
    }
}

/// One checkpoint on `pool`; answers how many pages the WAL holds.
async fn checkpoint(pool: &SqlitePool, mode: &str) -> Result<i64, sqlx::Error> {
    let (_busy, wal_pages, _copied): (i64, i64, i64) = sqlx::query_as(mode).fetch_one(pool).await?;
    Ok(wal_pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restart_length_is_counted_in_pages_of_the_file() {
        assert_eq!(restart_pages(DEFAULT_RESTART_BYTES, 4096), 65_536);
        assert_eq!(restart_pages(DEFAULT_RESTART_BYTES, 2048), 131_072);
        assert_eq!(restart_pages(1000, 4096), 1);
    }
}
