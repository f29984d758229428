//! Direct reads of SQLite: the few small, hot queries — does this account exist, where
//! does a user's log stand, a poll's log version — run on the calling thread through
//! read-only connections of their own, instead of being handed to a sqlx connection's
//! worker thread and back. Each is an index probe of microseconds; the hand-off around
//! it cost several times that in thread wake-ups (docs/benchmarks.md, "Polling
//! clients"). A read never waits: the connections have no busy timeout, and when one
//! fails for any reason (busy, schema changing, I/O) the caller takes the pooled path,
//! which waits and reports errors as usual.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use uuid::Uuid;

use super::events::{EventBounds, LogVersion, EVENT_BOUNDS, LOG_VERSION};
use super::users::USER_EXISTS;

/// Connections kept between reads (more are opened when reads overlap, then closed).
const IDLE_CONNECTIONS: usize = 4;

pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    /// Reads of the database file at `path`.
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (or a new one); `None` when anything failed.
    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let idle = self.lock().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.connect().ok()?,
        };
        match read(&connection) {
            Ok(value) => {
                let mut idle = self.lock();
                if idle.len() < IDLE_CONNECTIONS {
                    idle.push(connection);
                }
                Some(value)
            }
            Err(err) => {
                tracing::debug!(error = %err, "direct read failed; taking the pooled path");
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::ZERO)?;
        Ok(connection)
    }

    /// Whether the user exists; `None`: ask the pool.
    pub fn user_exists(&self, user: Uuid) -> Option<bool> {
        self.with(|c| {
            c.prepare_cached(USER_EXISTS)?
                .query_row([user.as_bytes().as_slice()], |_| Ok(()))
                .optional()
                .map(|found| found.is_some())
        })
    }

    /// The user's log bounds (all zero for an unknown user); `None`: ask the pool.
    pub fn event_bounds(&self, user: Uuid) -> Option<EventBounds> {
        self.with(|c| {
            let row: Option<(i64, Option<i64>)> = c
                .prepare_cached(EVENT_BOUNDS)?
                .query_row([user.as_bytes().as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (last, oldest) = row.unwrap_or((0, None));
            Ok(EventBounds { oldest, last })
        })
    }

    /// The user's log version (`Some(None)`: no such user); `None`: ask the pool.
    pub fn log_version(&self, user: Uuid) -> Option<Option<LogVersion>> {
        self.with(|c| {
            c.prepare_cached(LOG_VERSION)?
                .query_row([user.as_bytes().as_slice()], |r| {
                    let newest: Option<String> = r.get(4)?;
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, newest))
                })
                .optional()?
                .map(|(last, oldest, retracted, notifications, newest)| {
                    Ok(LogVersion {
                        bounds: EventBounds { oldest, last },
                        retracted,
                        notifications,
                        newest_notification: newest.as_deref().map(parse_time).transpose()?,
                    })
                })
                .transpose()
        })
    }
}

/// A time as sqlx stores it in SQLite (RFC 3339).
fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database file with just the columns the direct reads touch, written as sqlx
    /// writes them (ids as 16-byte blobs, times as RFC 3339 text).
    fn database(dir: &Path, user: Uuid) -> PathBuf {
        let path = dir.join("direct.db");
        let c = Connection::open(&path).expect("create");
        c.execute_batch(
            "CREATE TABLE users (id BLOB PRIMARY KEY, last_event_id INTEGER NOT NULL);
             CREATE TABLE events (user_id BLOB, id INTEGER, retracted INTEGER NOT NULL);
             CREATE TABLE notifications (user_id BLOB, created_at TEXT);",
        )
        .expect("schema");
        let id = user.as_bytes().as_slice();
        c.execute("INSERT INTO users VALUES (?1, 7)", [id])
            .expect("user");
        for (event, retracted) in [(3, 0), (5, 1), (7, 0)] {
            c.execute(
                "INSERT INTO events VALUES (?1, ?2, ?3)",
                rusqlite::params![id, event, retracted],
            )
            .expect("event");
        }
        for at in [
            "2026-12-01T10:00:00.000001+00:00",
            "2026-12-02T11:30:00+00:00",
        ] {
            c.execute(
                "INSERT INTO notifications VALUES (?1, ?2)",
                rusqlite::params![id, at],
            )
            .expect("notification");
        }
        path
    }

    #[test]
    fn the_direct_reads_answer_what_the_rows_hold() {
        let dir = tempfile::tempdir().expect("tempdir");
        let user = Uuid::new_v4();
        let reads = DirectReads::new(&database(dir.path(), user));
        assert_eq!(reads.user_exists(user), Some(true));
        assert_eq!(reads.user_exists(Uuid::new_v4()), Some(false));
        let bounds = EventBounds {
            oldest: Some(3),
            last: 7,
        };
        assert_eq!(reads.event_bounds(user), Some(bounds));
        assert_eq!(
            reads.event_bounds(Uuid::new_v4()),
            Some(EventBounds {
                oldest: None,
                last: 0
            })
        );
        let newest = DateTime::parse_from_rfc3339("2026-12-02T11:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            reads.log_version(user),
            Some(Some(LogVersion {
                bounds,
                retracted: 1,
                notifications: 2,
                newest_notification: Some(newest),
            }))
        );
        assert_eq!(reads.log_version(Uuid::new_v4()), Some(None));
        assert!(
            !reads.lock().is_empty(),
            "a connection is kept for the next read"
        );
    }

    #[test]
    fn a_read_that_cannot_be_made_directly_defers_to_the_pool() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = DirectReads::new(&dir.path().join("absent.db"));
        assert_eq!(missing.user_exists(Uuid::new_v4()), None);
        assert!(!dir.path().join("absent.db").exists(), "nothing is created");
        // A time that is not RFC 3339 is not guessed at.
        let user = Uuid::new_v4();
        let path = database(dir.path(), user);
        Connection::open(&path)
            .expect("open")
            .execute("UPDATE notifications SET created_at = 'yesterday'", [])
            .expect("update");
        assert_eq!(DirectReads::new(&path).log_version(user), None);
    }
}
