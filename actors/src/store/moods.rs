//! Storage of mood entries.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::analytics::MoodPoint;
use crate::domain::event::Event;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::mood::{Mood, MoodEntry};
use crate::domain::outbox::Outbox;
use crate::domain::page::{PageRequest, Paged};
use crate::error::EngineResult;
use crate::store::Claimed;

/// Which entries of one user a listing shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodFilter {
    pub user_id: Uuid,
    /// Whether entries that are not public are included (the viewer may see them).
    pub include_private: bool,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub mood: Option<Mood>,
}

#[async_trait]
pub trait MoodStore {
    /// Stores an entry, with its outbox (friends' `mood_update`, a streak notification)
    /// and the idempotency claim of its request, in one transaction; returns the
    /// appended events. When the claim's key is already live, nothing is written and
    /// the stored answer comes back instead.
    async fn insert_mood(
        &self,
        entry: &MoodEntry,
        outbox: &Outbox,
        claim: Option<&IdempotencyClaim>,
    ) -> EngineResult<Claimed<Vec<Event>>>;
    /// Inserts many entries in one transaction (demo data).
    async fn insert_moods(&self, entries: &[MoodEntry]) -> EngineResult<()>;
    /// Inserts many entries in one transaction, each written as [`insert_mood`]
    /// writes it, outbox included (demo data that reaches inboxes and logs); returns
    /// how many events were appended.
    ///
    /// [`insert_mood`]: MoodStore::insert_mood
    async fn insert_moods_with_outboxes(
        &self,
        entries: &[(MoodEntry, Outbox)],
    ) -> EngineResult<usize>;
    async fn mood_by_id(&self, id: Uuid) -> EngineResult<Option<MoodEntry>>;
    /// Replaces the content of an existing entry and writes the outbox (which retracts
    /// the earlier copies readers may no longer see); `None` (and nothing written) if
    /// it is gone.
    async fn update_mood(
        &self,
        entry: &MoodEntry,
        outbox: &Outbox,
    ) -> EngineResult<Option<Vec<Event>>>;
    /// Deletes an entry and writes the outbox (which retracts every earlier copy of
    /// it); `None` if it was gone.
    async fn delete_mood(&self, id: Uuid, outbox: &Outbox) -> EngineResult<Option<Vec<Event>>>;
    /// Newest first.
    async fn list_moods(
        &self,
        filter: &MoodFilter,
        page: PageRequest,
    ) -> EngineResult<Paged<MoodEntry>>;
    /// What analytics needs of the entries created since `since`.
    async fn mood_points(
        &self,
        user_id: Uuid,
        include_private: bool,
        since: DateTime<Utc>,
    ) -> EngineResult<Vec<MoodPoint>>;
    /// Creation times of the user's entries since `since` (all when `None`), for streaks.
    async fn entry_times(
        &self,
        user_id: Uuid,
        since: Option<DateTime<Utc>>,
    ) -> EngineResult<Vec<DateTime<Utc>>>;
}

/// The filter of a listing, binding `$1`–`$5`.
pub(crate) const LIST_FILTER: &str = "FROM mood_entries WHERE user_id = $1 AND ($2 OR is_public = true) \
    AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at <= $4) AND ($5 IS NULL OR mood = $5)";

pub(crate) fn insert_sql() -> String {
    format!(
        "INSERT INTO mood_entries ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        crate::store::rows::MOOD_COLUMNS
    )
}

macro_rules! impl_mood_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn insert_mood_query<'q>(
                sql: &'q str,
                entry: &'q $crate::domain::mood::MoodEntry,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                sqlx::query(sql)
                    .bind(entry.id)
                    .bind(entry.user_id)
                    .bind(entry.mood.as_str())
                    .bind(i64::from(entry.intensity))
                    .bind(entry.valence)
                    .bind(entry.arousal)
                    .bind(&entry.note)
                    .bind(entry.is_public)
                    .bind($crate::store::rows::tags_json(&entry.tags))
                    .bind(entry.created_at)
                    .bind(entry.updated_at)
            }

            fn bind_list_filter<'q>(
                sql: &'q str,
                filter: &'q $crate::store::moods::MoodFilter,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                sqlx::query(sql)
                    .bind(filter.user_id)
                    .bind(filter.include_private)
                    .bind(filter.start)
                    .bind(filter.end)
                    .bind(filter.mood.map($crate::domain::mood::Mood::as_str))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::moods::MoodStore for $store {
            async fn insert_mood(
                &self,
                entry: &$crate::domain::mood::MoodEntry,
                outbox: &$crate::domain::outbox::Outbox,
                claim: Option<&$crate::domain::idempotency::IdempotencyClaim>,
            ) -> $crate::error::EngineResult<$crate::store::hugs::Claimed<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                Self::lock_outbox_users(&mut tx, outbox).await?;
                if let Some(claim) = claim {
                    if let Some(answer) = Self::claim_idempotency_key(&mut tx, claim).await? {
                        return Ok($crate::store::hugs::Claimed::Replay(answer));
                    }
                }
                let sql = $crate::store::moods::insert_sql();
                Self::insert_mood_query(&sql, entry).execute(&mut *tx).await?;
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok($crate::store::hugs::Claimed::Written(appended))
            }

            async fn insert_moods(&self, entries: &[$crate::domain::mood::MoodEntry]) -> $crate::error::EngineResult<()> {
                let sql = $crate::store::moods::insert_sql();
                let mut tx = self.writer().begin().await?;
                for entry in entries {
                    Self::insert_mood_query(&sql, entry).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_moods_with_outboxes(
                &self,
                entries: &[($crate::domain::mood::MoodEntry, $crate::domain::outbox::Outbox)],
            ) -> $crate::error::EngineResult<usize> {
                let sql = $crate::store::moods::insert_sql();
                let mut tx = self.writer().begin().await?;
                let mut appended = 0;
                for (entry, outbox) in entries {
                    Self::lock_outbox_users(&mut tx, outbox).await?;
                    Self::insert_mood_query(&sql, entry).execute(&mut *tx).await?;
                    appended += Self::write_outbox(&mut tx, outbox).await?.len();
                }
                tx.commit().await?;
                Ok(appended)
            }

            async fn mood_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::error::EngineResult<Option<$crate::domain::mood::MoodEntry>> {
                let sql = format!("SELECT {} FROM mood_entries WHERE id = $1", $crate::store::rows::MOOD_COLUMNS);
                sqlx::query_as::<_, $crate::store::rows::MoodEntryRow>(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn update_mood(
                &self,
                entry: &$crate::domain::mood::MoodEntry,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Option<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                Self::lock_outbox_users(&mut tx, outbox).await?;
                let done = sqlx::query(
                    "UPDATE mood_entries SET mood = $2, intensity = $3, valence = $4, arousal = $5, note = $6, \
                     is_public = $7, tags = $8, updated_at = $9 WHERE id = $1",
                )
                .bind(entry.id)
                .bind(entry.mood.as_str())
                .bind(i64::from(entry.intensity))
                .bind(entry.valence)
                .bind(entry.arousal)
                .bind(&entry.note)
                .bind(entry.is_public)
                .bind($crate::store::rows::tags_json(&entry.tags))
                .bind(entry.updated_at)
                .execute(&mut *tx)
                .await?;
                Self::commit_with_outbox(tx, done.rows_affected(), outbox).await
            }

            async fn delete_mood(
                &self,
                id: uuid::Uuid,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Option<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                Self::lock_outbox_users(&mut tx, outbox).await?;
                let done = sqlx::query("DELETE FROM mood_entries WHERE id = $1").bind(id).execute(&mut *tx).await?;
                Self::commit_with_outbox(tx, done.rows_affected(), outbox).await
            }

            async fn list_moods(
                &self,
                filter: &$crate::store::moods::MoodFilter,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::mood::MoodEntry>> {
                use sqlx::Row as _;
                let count_sql = format!("SELECT COUNT(*) {}", $crate::store::moods::LIST_FILTER);
                let total: i64 = Self::bind_list_filter(&count_sql, filter).fetch_one(self.reader()).await?.try_get(0)?;
                let list_sql = format!(
                    "SELECT {} {} ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7",
                    $crate::store::rows::MOOD_COLUMNS,
                    $crate::store::moods::LIST_FILTER
                );
                let rows = Self::bind_list_filter(&list_sql, filter)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                let rows = rows
                    .iter()
                    .map(<$crate::store::rows::MoodEntryRow as sqlx::FromRow<_>>::from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok($crate::domain::page::Paged {
                    items: $crate::store::rows::convert_all(rows)?,
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn mood_points(
                &self,
                user_id: uuid::Uuid,
                include_private: bool,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::analytics::MoodPoint>> {
                let rows = sqlx::query_as::<_, $crate::store::rows::MoodPointRow>(
                    "SELECT id, mood, intensity, valence, arousal, tags, created_at FROM mood_entries \
                     WHERE user_id = $1 AND ($2 OR is_public = true) AND created_at >= $3",
                )
                .bind(user_id)
                .bind(include_private)
                .bind(since)
                .fetch_all(self.reader())
                .await?;
                $crate::store::rows::convert_all(rows)
            }

            async fn entry_times(
                &self,
                user_id: uuid::Uuid,
                since: Option<chrono::DateTime<chrono::Utc>>,
            ) -> $crate::error::EngineResult<Vec<chrono::DateTime<chrono::Utc>>> {
                let times: Vec<(chrono::DateTime<chrono::Utc>,)> = sqlx::query_as(
                    "SELECT created_at FROM mood_entries WHERE user_id = $1 AND ($2 IS NULL OR created_at >= $2)",
                )
                .bind(user_id)
                .bind(since)
                .fetch_all(self.reader())
                .await?;
                Ok(times.into_iter().map(|(t,)| t).collect())
            }
        }
    };
}
pub(crate) use impl_mood_store;
