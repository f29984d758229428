//! `Event`: one event of the caller's realtime log, as the REST stream carries it —
//! plus the stream's own `reset` and `reconnect` notices, which have no id.

use async_graphql::{SimpleObject, ID};
use hugmood_actors::domain::event::Event;

use crate::feed::FeedItem;
use crate::graphql::scalars::Timestamp;

/// An event of the caller's log (`hug_received`, `notification`, `mood_update`...), or
/// a notice of the stream: `reset` (data `{lastId, unreadCount}`: refetch state) or
/// `reconnect` (data `{reason, lastEventId}`: the last item; subscribe again with
/// `lastEventId`).
#[derive(SimpleObject)]
#[graphql(name = "Event")]
pub(crate) struct EventNode {
    /// Per-user, strictly increasing; null for `reset` and `reconnect`.
    pub id: Option<ID>,
    #[graphql(name = "type")]
    pub kind: String,
    pub data: async_graphql::Json<serde_json::Value>,
    pub created_at: Timestamp,
}

impl EventNode {
    fn of(event: &Event) -> Self {
        Self {
            id: Some(ID(event.id.to_string())),
            kind: event.kind.as_str().to_owned(),
            data: async_graphql::Json(
                serde_json::from_str(&event.data).unwrap_or(serde_json::Value::Null),
            ),
            created_at: Timestamp(event.created_at),
        }
    }

    fn notice(kind: &str, data: serde_json::Value) -> Self {
        Self {
            id: None,
            kind: kind.to_owned(),
            data: async_graphql::Json(data),
            created_at: Timestamp(chrono::Utc::now()),
        }
    }

    /// What a feed item shows a subscriber; heartbeats show nothing (the transport
    /// keeps the connection alive by itself).
    pub fn from_item(item: FeedItem) -> Option<Self> {
        match item {
            FeedItem::Stored(event) => Some(Self::of(&event)),
            FeedItem::Live(live) => Some(Self::of(&live.event)),
            FeedItem::Heartbeat(_) => None,
            FeedItem::Reset { last_id, unread } => Some(Self::notice(
                "reset",
                serde_json::json!({"lastId": last_id, "unreadCount": unread}),
            )),
            FeedItem::Reconnect {
                reason,
                last_event_id,
            } => Some(Self::notice(
                "reconnect",
                serde_json::json!({"reason": reason, "lastEventId": last_event_id}),
            )),
        }
    }
}
