//! Storage of hugs, written together with the notification and the event they cause.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::event::Event;
use crate::domain::hug::Hug;
use crate::domain::idempotency::{IdempotencyClaim, StoredAnswer};
use crate::domain::outbox::Outbox;
use crate::domain::page::{PageRequest, Paged};
use crate::error::EngineResult;

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

#[async_trait]
pub trait HugStore {
    /// Stores a hug and its outbox (the recipient's event and notification) in one
    /// transaction, claiming the idempotency key; returns the appended events.
    async fn insert_hug(
        &self,
        hug: &Hug,
        outbox: &Outbox,
        claim: Option<&IdempotencyClaim>,
    ) -> EngineResult<Claimed<Vec<Event>>>;
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
                sqlx::query(sql)
                    .bind(hug.id)
                    .bind(hug.sender_id)
                    .bind(hug.recipient_id)
                    .bind(hug.hug_type.as_str())
                    .bind(&hug.message)
                    .bind(hug.sent_at)
                    .bind(hug.status.as_str())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::hugs::HugStore for $store {
            async fn insert_hug(
                &self,
                hug: &$crate::domain::hug::Hug,
                outbox: &$crate::domain::outbox::Outbox,
                claim: Option<&$crate::domain::idempotency::IdempotencyClaim>,
            ) -> $crate::error::EngineResult<$crate::store::hugs::Claimed<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                if let Some(claim) = claim {
                    if let Some(answer) = Self::claim_idempotency_key(&mut tx, claim).await? {
                        return Ok($crate::store::hugs::Claimed::Replay(answer));
                    }
                }
                let sql = $crate::store::hugs::insert_sql();
                Self::insert_hug_query(&sql, hug).execute(&mut *tx).await?;
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok($crate::store::hugs::Claimed::Written(appended))
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
                let sql = format!("SELECT {} FROM hugs WHERE id = $1", $crate::store::rows::HUG_COLUMNS);
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
                    $crate::store::rows::HUG_COLUMNS
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
                if changed.rows_affected() != 1 {
                    return Ok(None);
                }
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok(Some(appended))
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
