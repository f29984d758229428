//! Inbox notifications as stored and listed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One notification of a user's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    /// hug_received, hug_seen, friend_request, friend_accepted or streak_milestone.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// JSON text.
    pub data: String,
    pub is_read: bool,
    pub created_at: DateTime<Utc>,
}

/// Which notifications an inbox listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxFilter {
    pub user_id: Uuid,
    /// Only those created at or after this time.
    pub since: Option<DateTime<Utc>>,
    pub unread_only: bool,
}
