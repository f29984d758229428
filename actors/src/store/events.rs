//! Storage of the per-user event log: appending inside the transaction of the change
//! that causes an event, reading after an id (retracted events left out, see
//! `retraction.rs`), and retention.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::event::Event;
use crate::error::EngineResult;

/// The retained span of one user's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventBounds {
    /// Smallest id still stored, a retracted one included (retraction is not
    /// pruning); `None` when nothing is retained.
    pub oldest: Option<i64>,
    /// Last id ever allocated (0 before the first event).
    pub last: i64,
}

/// What a polling client's answer depends on, read without a page of the log or the
/// inbox: it changes whenever an event is appended, pruned or retracted, or a
/// notification is created or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogVersion {
    pub bounds: EventBounds,
    /// Retracted events (tombstones) in the log.
    pub retracted: i64,
    /// Notifications in the inbox.
    pub notifications: i64,
    /// When the newest notification was created.
    pub newest_notification: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait EventStore {
    /// Up to `limit` events of `user` with ids above `after`, oldest first; retracted
    /// ones are left out (their ids are gaps).
    async fn events_after(&self, user: Uuid, after: i64, limit: u32) -> EngineResult<Vec<Event>>;
    async fn event_bounds(&self, user: Uuid) -> EngineResult<EventBounds>;
    /// The version of `user`'s log and inbox, from indexes only; `None` when the user
    /// does not exist (so a poll needs no other read to know its caller is still there).
    async fn log_version(&self, user: Uuid) -> EngineResult<Option<LogVersion>>;
    /// Deletes events older than `before`, and all but the last `keep_per_user` of each
    /// user's log. Returns how many went.
    async fn prune_events(&self, before: DateTime<Utc>, keep_per_user: i64) -> EngineResult<u64>;
}

/// The user's last allocated event id and oldest retained one.
pub(crate) const EVENT_BOUNDS: &str = "SELECT users.last_event_id, \
    (SELECT MIN(events.id) FROM events WHERE events.user_id = users.id) \
    FROM users WHERE users.id = $1";

/// What a poll's answer depends on (see `LogVersion`); no row for an unknown user.
pub(crate) const LOG_VERSION: &str = "SELECT u.last_event_id, \
    (SELECT MIN(e.id) FROM events e WHERE e.user_id = u.id), \
    (SELECT COUNT(*) FROM events e WHERE e.user_id = u.id AND e.retracted), \
    (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id), \
    (SELECT MAX(n.created_at) FROM notifications n WHERE n.user_id = u.id) \
    FROM users u WHERE u.id = $1";

pub(crate) const NEXT_EVENT_ID: &str =
    "UPDATE users SET last_event_id = last_event_id + 1 WHERE id = $1 RETURNING last_event_id";
/// An event row's insert, before its values.
pub(crate) const INSERT_EVENT_HEAD: &str =
    "INSERT INTO events (user_id, id, kind, data, created_at)";
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (user_id, id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)";

/// Events deleted by age per statement.
pub(crate) const PRUNE_CHUNK: i64 = 2_000;
/// Users whose logs are cut by count in one transaction.
pub(crate) const PRUNE_USERS_PER_TX: usize = 200;

pub(crate) const PRUNE_OLD_CHUNK: &str = "DELETE FROM events WHERE (user_id, id) IN \
    (SELECT user_id, id FROM events WHERE created_at < $1 LIMIT $2)";

/// Users holding events beyond the last `$1` of their log, with the last id to delete.
pub(crate) const LOGS_OVER_COUNT: &str = "SELECT u.id, u.last_event_id - $1 FROM users u \
    WHERE u.last_event_id > $1 AND EXISTS \
    (SELECT 1 FROM events e WHERE e.user_id = u.id AND e.id <= u.last_event_id - $1)";

pub(crate) const PRUNE_USER_UPTO: &str = "DELETE FROM events WHERE user_id = $1 AND id <= $2";

macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Appends `event` to its user's log inside `tx`, allocating the next id.
            /// `None` when the user no longer exists.
            async fn append_event(
                tx: &mut sqlx::Transaction<'_, $db>,
                event: &$crate::domain::event::NewEvent,
            ) -> $crate::error::EngineResult<Option<$crate::domain::event::Event>> {
                let next: Option<(i64,)> = sqlx::query_as($crate::store::events::NEXT_EVENT_ID)
                    .bind(event.user_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some((id,)) = next else { return Ok(None) };
                let data = event.data.to_string();
                sqlx::query($crate::store::events::INSERT_EVENT)
                    .bind(event.user_id)
                    .bind(id)
                    .bind(event.kind.as_str())
                    .bind(&data)
                    .bind(event.created_at)
                    .execute(&mut **tx)
                    .await?;
                Ok(Some($crate::domain::event::Event {
                    user_id: event.user_id,
                    id,
                    kind: event.kind,
                    data,
                    created_at: event.created_at,
                }))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::events::EventStore for $store {
            async fn events_after(
                &self,
                user: uuid::Uuid,
                after: i64,
                limit: u32,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::event::Event>> {
                let rows = sqlx::query_as::<_, $crate::store::rows::EventRow>(
                    "SELECT user_id, id, kind, data, created_at FROM events \
                     WHERE user_id = $1 AND id > $2 AND retracted = false ORDER BY id LIMIT $3",
                )
                .bind(user)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                $crate::store::rows::convert_all(rows)
            }

            async fn event_bounds(&self, user: uuid::Uuid) -> $crate::error::EngineResult<$crate::store::events::EventBounds> {
                if let Some(bounds) = self.direct_reads().and_then(|d| d.event_bounds(user)) {
                    return Ok(bounds);
                }
                let row: Option<(i64, Option<i64>)> = sqlx::query_as($crate::store::events::EVENT_BOUNDS)
                .bind(user)
                .fetch_optional(self.reader())
                .await?;
                let (last, oldest) = row.unwrap_or((0, None));
                Ok($crate::store::events::EventBounds { oldest, last })
            }

            async fn log_version(&self, user: uuid::Uuid) -> $crate::error::EngineResult<Option<$crate::store::events::LogVersion>> {
                if let Some(version) = self.direct_reads().and_then(|d| d.log_version(user)) {
                    return Ok(version);
                }
                type Row = (i64, Option<i64>, i64, i64, Option<chrono::DateTime<chrono::Utc>>);
                let row: Option<Row> = sqlx::query_as($crate::store::events::LOG_VERSION)
                .bind(user)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|(last, oldest, retracted, notifications, newest_notification)| {
                    $crate::store::events::LogVersion {
                        bounds: $crate::store::events::EventBounds { oldest, last },
                        retracted,
                        notifications,
                        newest_notification,
                    }
                }))
            }

            async fn prune_events(
                &self,
                before: chrono::DateTime<chrono::Utc>,
                keep_per_user: i64,
            ) -> $crate::error::EngineResult<u64> {
                use $crate::store::events as ev;
                let mut pruned = 0;
                // By age, a bounded chunk per statement, so the writer is never held
                // for long however much has expired.
                loop {
                    let gone = sqlx::query(ev::PRUNE_OLD_CHUNK)
                        .bind(before)
                        .bind(ev::PRUNE_CHUNK)
                        .execute(self.writer())
                        .await?
                        .rows_affected();
                    pruned += gone;
                    if gone < ev::PRUNE_CHUNK as u64 {
                        break;
                    }
                }
                // By count: found on a reader (an index probe per user), then each
                // log cut by a range delete on its own key, a chunk of users per
                // transaction.
                let over: Vec<(uuid::Uuid, i64)> = sqlx::query_as(ev::LOGS_OVER_COUNT)
                    .bind(keep_per_user)
                    .fetch_all(self.reader())
                    .await?;
                for users in over.chunks(ev::PRUNE_USERS_PER_TX) {
                    let mut tx = self.writer().begin().await?;
                    for (user, upto) in users {
                        pruned += sqlx::query(ev::PRUNE_USER_UPTO)
                            .bind(user)
                            .bind(upto)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    }
                    tx.commit().await?;
                }
                Ok(pruned)
            }
        }
    };
}
pub(crate) use impl_event_store;
