//! The notification inbox: listing with unread counts, and marking read. Reading
//! appends a `notification_read` event so the user's other devices clear their badge.

use chrono::Duration;
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::event::{EventKind, NewEvent};
use crate::domain::notification::{InboxFilter, Notification};
use crate::domain::page::{PageRequest, Paged};
use crate::domain::time::now;
use crate::error::{EngineError, EngineResult};
use crate::realtime::Realtime;
use crate::store::Store;

/// How recent a notification must be to count as recent activity.
pub const RECENT: Duration = Duration::minutes(10);

/// One page of the inbox with its counters.
#[derive(Debug, Clone)]
pub struct InboxPage {
    pub page: Paged<Notification>,
    pub unread_count: u64,
    /// Any notification in the last 10 minutes.
    pub recent_activity: bool,
}

#[derive(Clone)]
pub struct Inbox {
    store: Arc<dyn Store>,
    realtime: Realtime,
}

impl Inbox {
    pub fn new(store: Arc<dyn Store>, realtime: Realtime) -> Self {
        Self { store, realtime }
    }

    pub async fn list(&self, filter: InboxFilter, page: PageRequest) -> EngineResult<InboxPage> {
        let listed = self.store.list_notifications(&filter, page).await?;
        let unread_count = self.store.unread_notifications(filter.user_id).await?;
        let recent_activity = self
            .store
            .notified_since(filter.user_id, now() - RECENT)
            .await?;
        Ok(InboxPage {
            page: listed,
            unread_count,
            recent_activity,
        })
    }

    /// Marks one of the user's notifications read; not found if it is not theirs.
    pub async fn read(&self, user: Uuid, id: Uuid) -> EngineResult<()> {
        let event = read_event(user, serde_json::json!({ "notificationId": id }));
        match self.store.mark_notification_read(user, id, &event).await? {
            None => Err(EngineError::NotFound("notification")),
            Some(appended) => {
                self.realtime.publish(appended).await;
                Ok(())
            }
        }
    }

    pub async fn read_all(&self, user: Uuid) -> EngineResult<()> {
        let event = read_event(user, serde_json::json!({ "all": true }));
        let appended = self.store.mark_all_notifications_read(user, &event).await?;
        self.realtime.publish(appended).await;
        Ok(())
    }
}

/// The `notification_read` event; the store adds the `unreadCount` after the change.
fn read_event(user: Uuid, data: serde_json::Value) -> NewEvent {
    NewEvent {
        user_id: user,
        kind: EventKind::NotificationRead,
        data,
        created_at: now(),
    }
}
