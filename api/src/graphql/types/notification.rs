//! `Notification`: one inbox item, as REST lists it.

use async_graphql::{SimpleObject, ID};
use hugmood_actors::domain::notification::Notification;

use super::id;
use crate::graphql::scalars::Timestamp;

/// One item of the caller's inbox.
#[derive(SimpleObject)]
#[graphql(name = "Notification")]
pub(crate) struct NotificationNode {
    pub id: ID,
    /// hug_received, hug_seen, friend_request, friend_accepted or streak_milestone.
    #[graphql(name = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    /// What the notification is about (ids of the hug, request or user), as JSON.
    pub data: async_graphql::Json<serde_json::Value>,
    pub is_read: bool,
    pub created_at: Timestamp,
}

impl From<Notification> for NotificationNode {
    fn from(n: Notification) -> Self {
        let data = serde_json::from_str(&n.data).unwrap_or(serde_json::Value::Null);
        Self {
            id: id(n.id),
            kind: n.kind,
            title: n.title,
            body: n.body,
            data: async_graphql::Json(data),
            is_read: n.is_read,
            created_at: Timestamp(n.created_at),
        }
    }
}
