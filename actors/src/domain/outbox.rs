//! What one change tells users: events for their logs, notifications for their
//! inboxes, and a fan-out of one event to the friends allowed to see it (which may
//! first take back earlier copies of the entry from readers who may no longer see
//! it). The store writes an outbox in the transaction of the change, so all of it is
//! durable before the change is answered; every notification also becomes a
//! `notification` event.

use chrono::SecondsFormat;
use uuid::Uuid;

use super::event::{EventKind, NewEvent};
use super::social::NewNotification;

/// One event sent to every friend of `author` who may see it: not blocked either way,
/// and — unless the entry is public — only when the author shares moods with friends.
#[derive(Debug, Clone, PartialEq)]
pub struct FriendFanout {
    pub author: Uuid,
    /// The entry the event copies: its copies are found by it when it stops being
    /// visible.
    pub entry: Uuid,
    /// Which earlier copies of the entry are retracted before the event goes out.
    pub retract: Retract,
    /// Whether the entry is public (friends see it whatever the author's privacy).
    pub public: bool,
    pub kind: EventKind,
    pub data: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Which earlier copies of an entry (`mood_update` events in friends' logs) a change
/// of the entry retracts, in its own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retract {
    /// None: the entry is as visible as before, or more.
    Nothing,
    /// Every copy: the entry is gone.
    Everywhere,
    /// Every copy when the author's moods are private: the entry stopped being
    /// public, and then friends no longer see it.
    IfPrivate,
}

/// Everything a change writes besides its own rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub events: Vec<NewEvent>,
    pub notifications: Vec<NewNotification>,
    pub fanout: Option<FriendFanout>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn event(mut self, event: NewEvent) -> Self {
        self.events.push(event);
        self
    }

    pub fn notify(mut self, notification: NewNotification) -> Self {
        self.notifications.push(notification);
        self
    }

    /// Adds `notification` when there is one.
    pub fn maybe_notify(self, notification: Option<NewNotification>) -> Self {
        match notification {
            Some(n) => self.notify(n),
            None => self,
        }
    }

    pub fn fan_out(mut self, fanout: FriendFanout) -> Self {
        self.fanout = Some(fanout);
        self
    }
}

impl NewNotification {
    /// The `notification` event announcing this new inbox item; its `data` is the
    /// notification as the inbox lists it.
    pub fn to_event(&self) -> NewEvent {
        NewEvent {
            user_id: self.user_id,
            kind: EventKind::Notification,
            data: serde_json::json!({
                "id": self.id,
                "type": self.kind,
                "title": self.title,
                "body": self.body,
                "data": self.data,
                "isRead": false,
                "createdAt": self.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            }),
            created_at: self.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_event_carries_the_inbox_item() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07.5Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let n = NewNotification {
            id: Uuid::nil(),
            user_id: Uuid::from_u128(7),
            kind: "hug_received",
            title: "t".into(),
            body: "b".into(),
            data: serde_json::json!({"hugId": "x"}),
            created_at: at,
        };
        let event = n.to_event();
        assert_eq!(event.user_id, n.user_id);
        assert_eq!(event.kind, EventKind::Notification);
        assert_eq!(
            event.data,
            serde_json::json!({"id": Uuid::nil(), "type": "hug_received", "title": "t", "body": "b",
                "data": {"hugId": "x"}, "isRead": false, "createdAt": "2026-03-04T05:06:07.500Z"})
        );
    }

    #[test]
    fn builder_collects_in_order() {
        let outbox = Outbox::new().maybe_notify(None);
        assert!(outbox.notifications.is_empty() && outbox.events.is_empty());
    }
}
