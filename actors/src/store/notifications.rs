//! Storage of the notification inbox: listing, counts, and marking read (with the
//! `notification_read` event that tells the user's other devices).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::event::{Event, NewEvent};
use crate::domain::notification::{InboxFilter, Notification};
use crate::domain::page::{PageRequest, Paged};
use crate::error::EngineResult;

#[async_trait]
pub trait NotificationStore {
    /// Newest first.
    async fn list_notifications(
        &self,
        filter: &InboxFilter,
        page: PageRequest,
    ) -> EngineResult<Paged<Notification>>;
    /// Whether the user has any notification created at or after `since`.
    async fn notified_since(&self, user: Uuid, since: DateTime<Utc>) -> EngineResult<bool>;
    /// Marks one notification of `user` read and appends `event`, in one transaction.
    /// `None` when the user has no such notification; `Some(None)` when it was read
    /// already (nothing written).
    async fn mark_notification_read(
        &self,
        user: Uuid,
        id: Uuid,
        event: &NewEvent,
    ) -> EngineResult<Option<Option<Event>>>;
    /// Marks every notification of `user` read and appends `event` when any changed.
    async fn mark_all_notifications_read(
        &self,
        user: Uuid,
        event: &NewEvent,
    ) -> EngineResult<Option<Event>>;
}

pub(crate) const INBOX_FILTER: &str =
    "FROM notifications WHERE user_id = $1 AND ($2 IS NULL OR created_at >= $2) AND ($3 = false OR is_read = false)";

macro_rules! impl_notification_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// `event` with `unreadCount` set to the user's unread count inside `tx`.
            async fn with_unread_count(
                tx: &mut sqlx::Transaction<'_, $db>,
                event: &$crate::domain::event::NewEvent,
            ) -> $crate::error::EngineResult<$crate::domain::event::NewEvent> {
                let (unread,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND is_read = false")
                        .bind(event.user_id)
                        .fetch_one(&mut **tx)
                        .await?;
                let mut event = event.clone();
                if let Some(map) = event.data.as_object_mut() {
                    map.insert("unreadCount".into(), unread.max(0).into());
                }
                Ok(event)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::notifications::NotificationStore for $store {
            async fn list_notifications(
                &self,
                filter: &$crate::domain::notification::InboxFilter,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::notification::Notification>> {
                let count_sql = format!("SELECT COUNT(*) {}", $crate::store::notifications::INBOX_FILTER);
                let (total,): (i64,) = sqlx::query_as(&count_sql)
                    .bind(filter.user_id)
                    .bind(filter.since)
                    .bind(filter.unread_only)
                    .fetch_one(self.reader())
                    .await?;
                let sql = format!(
                    "SELECT id, user_id, kind, title, body, data, is_read, created_at {} \
                     ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5",
                    $crate::store::notifications::INBOX_FILTER
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::NotificationRow>(&sql)
                    .bind(filter.user_id)
                    .bind(filter.since)
                    .bind(filter.unread_only)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                Ok($crate::domain::page::Paged {
                    items: rows.into_iter().map(Into::into).collect(),
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn notified_since(
                &self,
                user: uuid::Uuid,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<bool> {
                let (any,): (bool,) = sqlx::query_as(
                    "SELECT EXISTS (SELECT 1 FROM notifications WHERE user_id = $1 AND created_at >= $2)",
                )
                .bind(user)
                .bind(since)
                .fetch_one(self.reader())
                .await?;
                Ok(any)
            }

            async fn mark_notification_read(
                &self,
                user: uuid::Uuid,
                id: uuid::Uuid,
                event: &$crate::domain::event::NewEvent,
            ) -> $crate::error::EngineResult<Option<Option<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                let found: Option<(bool,)> =
                    sqlx::query_as("SELECT is_read FROM notifications WHERE id = $1 AND user_id = $2")
                        .bind(id)
                        .bind(user)
                        .fetch_optional(&mut *tx)
                        .await?;
                match found {
                    None => Ok(None),
                    Some((true,)) => Ok(Some(None)),
                    Some((false,)) => {
                        sqlx::query("UPDATE notifications SET is_read = true WHERE id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        let event = Self::with_unread_count(&mut tx, event).await?;
                        let appended = Self::append_event(&mut tx, &event).await?;
                        tx.commit().await?;
                        Ok(Some(appended))
                    }
                }
            }

            async fn mark_all_notifications_read(
                &self,
                user: uuid::Uuid,
                event: &$crate::domain::event::NewEvent,
            ) -> $crate::error::EngineResult<Option<$crate::domain::event::Event>> {
                let mut tx = self.writer().begin().await?;
                let changed = sqlx::query("UPDATE notifications SET is_read = true WHERE user_id = $1 AND is_read = false")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                if changed.rows_affected() == 0 {
                    return Ok(None);
                }
                let event = Self::with_unread_count(&mut tx, event).await?;
                let appended = Self::append_event(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(appended)
            }
        }
    };
}
pub(crate) use impl_notification_store;
