//! Storage of hugs, written together with the notification and the event they cause.
//!
//! Sending is built for throughput: the checks of a hug read everything they need in
//! one query ([`HugStore::hug_parties`]), and hugs are committed in groups
//! ([`HugStore::insert_hug_batch`]): one transaction for many hugs, so the cost of a
//! commit is shared, with a savepoint per hug so one failing hug fails alone.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::event::{Event, NewEvent};
use crate::domain::hug::Hug;
use crate::domain::idempotency::{IdempotencyClaim, StoredAnswer};
use crate::domain::outbox::Outbox;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::NewNotification;
use crate::domain::user::AllowHugsFrom;
use crate::error::EngineResult;
use crate::store::social::Relation;

/// Which of a user's hugs a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HugDirection {
    Received,
    Sent,
}

/// What an idempotent write did.
#[derive(Debug, Clone, PartialEq)]
pub enum Claimed<T> {
    /// Written now.
    Written(T),
    /// Nothing written: the key already holds this answer.
    Replay(StoredAnswer),
}

impl<T> Claimed<T> {
    /// Whether the write happened (the key was not live).
    pub fn is_written(&self) -> bool {
        matches!(self, Claimed::Written(_))
    }
}

/// One hug to commit, with what it causes: the recipient's notification and event, and
/// the sender's idempotency claim when the request carried a key.
#[derive(Debug, Clone, PartialEq)]
pub struct HugWrite {
    pub hug: Hug,
    pub notification: NewNotification,
    pub event: NewEvent,
    pub claim: Option<IdempotencyClaim>,
}

/// What one hug of a batch came to: written (with the recipient's events: its
/// `hug_received`, then its inbox item's `notification`), a replay of an idempotency
/// key, or its own error.
pub type HugWritten = EngineResult<Claimed<Vec<Event>>>;

/// Everything the checks of a hug read, in one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HugParties {
    /// The sender's display name; `None` when the sender's account is gone.
    pub sender_name: Option<String>,
    /// The recipient's `allowHugsFrom`; `None` when there is no such user.
    pub recipient_allows: Option<AllowHugsFrom>,
    /// Between recipient (`a`) and sender (`b`).
    pub relation: Relation,
}

#[async_trait]
pub trait HugStore {
    /// The sender's name, the recipient's hug privacy and the blocks and friendship
    /// between the two, read together (one round trip on the hot path of sending).
    async fn hug_parties(&self, sender: Uuid, recipient: Uuid) -> EngineResult<HugParties>;
    /// Commits every write in ONE transaction, each in its own savepoint: per write the
    /// idempotency claim (a live claim makes it a replay that writes nothing), the hug,
    /// the notification and the recipient's event, whose id is allocated in order, so a
    /// recipient's ids stay strictly increasing and gapless across the batch (a write
    /// that fails is rolled back to its savepoint, id included). Writes run grouped by
    /// recipient (see `lock_order`). Answers one outcome per write, in the order given;
    /// `Err` only when the transaction itself failed and nothing of the batch was
    /// written.
    async fn insert_hug_batch(&self, writes: &[HugWrite]) -> EngineResult<Vec<HugWritten>>;
    /// Inserts hugs as history, without notifications or events (demo data).
    async fn insert_hugs(&self, hugs: &[Hug]) -> EngineResult<()>;
    async fn hug_by_id(&self, id: Uuid) -> EngineResult<Option<Hug>>;
    /// Newest first.
    async fn list_hugs(
        &self,
        user: Uuid,
        direction: HugDirection,
        page: PageRequest,
    ) -> EngineResult<Paged<Hug>>;
    /// Marks a hug seen and writes its outbox (the sender's event and notification), in
    /// one transaction. `None` (and nothing written) when it was seen already.
    async fn mark_hug_seen(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        outbox: &Outbox,
    ) -> EngineResult<Option<Vec<Event>>>;
    /// Moves `sent` hugs among `ids` to `delivered`.
    async fn mark_hugs_delivered(&self, ids: &[Uuid]) -> EngineResult<u64>;
}

pub(crate) fn owner_column(direction: HugDirection) -> &'static str {
    match direction {
        HugDirection::Received => "recipient_id",
        HugDirection::Sent => "sender_id",
    }
}

/// Scalar subqueries, so a missing sender or recipient reads as NULL instead of no row.
pub(crate) const HUG_PARTIES: &str = "SELECT \
    (SELECT display_name FROM users WHERE id = $1), \
    (SELECT allow_hugs_from FROM users WHERE id = $2), \
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $2 AND blocked_id = $1), \
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2), \
    EXISTS (SELECT 1 FROM friendships WHERE user_id = $2 AND friend_id = $1)";

/// The order in which a batch's writes run: by recipient, each recipient's hugs in
/// queue order (so their event ids follow it). Each write locks its recipient's row to
/// allocate an event id; taking those locks in one global order means two nodes'
/// batches on PostgreSQL cannot deadlock on each other.
pub(crate) fn lock_order(writes: &[HugWrite]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..writes.len()).collect();
    order.sort_by_key(|&i| writes[i].event.user_id);
    order
}

/// A hug whose sender or recipient was deleted after its checks breaks a foreign key:
/// that user is gone, which is a 404, not a storage failure.
pub(crate) fn insert_error(err: sqlx::Error) -> crate::error::EngineError {
    match &err {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            crate::error::EngineError::NotFound("user")
        }
        _ => err.into(),
    }
}

pub(crate) fn insert_sql() -> String {
    format!(
        "INSERT INTO hugs ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        crate::store::rows::HUG_COLUMNS
    )
}

macro_rules! impl_hug_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn insert_hug_query<'q>(
                sql: &'q str,
                hug: &'q $crate::domain::hug::Hug,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                Self::bind_hug(sqlx::query(sql), hug)
            }

            /// Binds `hug`'s values in `HUG_COLUMNS` order.
            fn bind_hug<'q>(
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                hug: &'q $crate::domain::hug::Hug,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                query
                    .bind(hug.id)
                    .bind(hug.sender_id)
                    .bind(hug.recipient_id)
                    .bind(hug.hug_type.as_str())
                    .bind(&hug.message)
                    .bind(hug.sent_at)
                    .bind(hug.status.as_str())
            }

            /// One write of a batch, inside its savepoint (the one-by-one path of
            /// `hug_batch.rs`).
            async fn write_hug(
                tx: &mut sqlx::Transaction<'_, $db>,
                write: &$crate::store::hugs::HugWrite,
            ) -> $crate::store::hugs::HugWritten {
                if let Some(claim) = &write.claim {
                    if let Some(answer) = Self::claim_idempotency_key(tx, claim).await? {
                        return Ok($crate::store::hugs::Claimed::Replay(answer));
                    }
                }
                Self::insert_hug_query(&$crate::store::hugs::insert_sql(), &write.hug)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::store::hugs::insert_error)?;
                let mut appended: Vec<_> = Self::append_event(tx, &write.event).await?.into_iter().collect();
                Self::insert_notification_query(&write.notification).execute(&mut **tx).await?;
                appended.extend(Self::append_event(tx, &write.notification.to_event()).await?);
                Ok($crate::store::hugs::Claimed::Written(appended))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::hugs::HugStore for $store {
            async fn hug_parties(
                &self,
                sender: uuid::Uuid,
                recipient: uuid::Uuid,
            ) -> $crate::error::EngineResult<$crate::store::hugs::HugParties> {
                let (sender_name, allows, a_blocks_b, b_blocks_a, friends): (
                    Option<String>,
                    Option<String>,
                    bool,
                    bool,
                    bool,
                ) = sqlx::query_as($crate::store::hugs::HUG_PARTIES)
                    .bind(sender)
                    .bind(recipient)
                    .fetch_one(self.reader())
                    .await?;
                let recipient_allows = allows
                    .map(|text| {
                        text.parse().map_err(|e| {
                            $crate::error::EngineError::Storage(format!("corrupt allow_hugs_from: {e}"))
                        })
                    })
                    .transpose()?;
                Ok($crate::store::hugs::HugParties {
                    sender_name,
                    recipient_allows,
                    relation: $crate::store::social::Relation { a_blocks_b, b_blocks_a, friends },
                })
            }

            async fn insert_hug_batch(
                &self,
                writes: &[$crate::store::hugs::HugWrite],
            ) -> $crate::error::EngineResult<Vec<$crate::store::hugs::HugWritten>> {
                self.write_hug_batch(writes).await
            }

            async fn insert_hugs(&self, hugs: &[$crate::domain::hug::Hug]) -> $crate::error::EngineResult<()> {
                let sql = $crate::store::hugs::insert_sql();
                let mut tx = self.writer().begin().await?;
                for hug in hugs {
                    Self::insert_hug_query(&sql, hug).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn hug_by_id(&self, id: uuid::Uuid) -> $crate::error::EngineResult<Option<$crate::domain::hug::Hug>> {
                let sql = format!("SELECT {} FROM hugs WHERE id = $1", $crate::store::rows::HUG_READ_COLUMNS);
                sqlx::query_as::<_, $crate::store::rows::HugRow>(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn list_hugs(
                &self,
                user: uuid::Uuid,
                direction: $crate::store::hugs::HugDirection,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::hug::Hug>> {
                let column = $crate::store::hugs::owner_column(direction);
                let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM hugs WHERE {column} = $1"))
                    .bind(user)
                    .fetch_one(self.reader())
                    .await?;
                let sql = format!(
                    "SELECT {} FROM hugs WHERE {column} = $1 ORDER BY sent_at DESC, id DESC LIMIT $2 OFFSET $3",
                    $crate::store::rows::HUG_READ_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::HugRow>(&sql)
                    .bind(user)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                Ok($crate::domain::page::Paged {
                    items: $crate::store::rows::convert_all(rows)?,
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn mark_hug_seen(
                &self,
                id: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Option<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                let changed = sqlx::query("UPDATE hugs SET status = 'seen', seen_at = $2 WHERE id = $1 AND status <> 'seen'")
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                Self::commit_with_outbox(tx, changed.rows_affected(), outbox).await
            }

            async fn mark_hugs_delivered(&self, ids: &[uuid::Uuid]) -> $crate::error::EngineResult<u64> {
                if ids.is_empty() {
                    return Ok(0);
                }
                let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "UPDATE hugs SET status = 'delivered' WHERE status = 'sent' AND id IN ({})",
                    placeholders.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for id in ids {
                    query = query.bind(id);
                }
                Ok(query.execute(self.writer()).await?.rows_affected())
            }
        }
    };
}
pub(crate) use impl_hug_store;
