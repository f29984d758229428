//! Realtime events: what a user's durable event log holds, and their wire forms (the
//! event JSON of the API and the SSE frame), rendered once per event and shared by
//! every stream that carries it.

use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The kinds of event a user's log carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Notification,
    HugReceived,
    HugSeen,
    MoodUpdate,
    FriendRequest,
    FriendAccepted,
    NotificationRead,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Notification,
        EventKind::HugReceived,
        EventKind::HugSeen,
        EventKind::MoodUpdate,
        EventKind::FriendRequest,
        EventKind::FriendAccepted,
        EventKind::NotificationRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Notification => "notification",
            EventKind::HugReceived => "hug_received",
            EventKind::HugSeen => "hug_seen",
            EventKind::MoodUpdate => "mood_update",
            EventKind::FriendRequest => "friend_request",
            EventKind::FriendAccepted => "friend_accepted",
            EventKind::NotificationRead => "notification_read",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event type {s:?}"))
    }
}

/// An event to append to a user's log; the store gives it the next id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub user_id: Uuid,
    pub kind: EventKind,
    /// The `data` of the event JSON.
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// An event of a user's log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub user_id: Uuid,
    /// Per-user, strictly increasing, gapless as allocated.
    pub id: i64,
    pub kind: EventKind,
    /// The `data` as JSON text, exactly as stored.
    pub data: String,
    pub created_at: DateTime<Utc>,
}

impl Event {
    /// The event JSON of the API: `{"id", "type", "data", "createdAt"}`.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"id":{},"type":"{}","data":{},"createdAt":"{}"}}"#,
            self.id,
            self.kind.as_str(),
            self.data,
            self.created_at.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
    }

    /// The SSE frame: `id: <id>\nevent: <type>\ndata: <event JSON>\n\n`.
    pub fn sse_frame(&self) -> String {
        format!(
            "id: {}\nevent: {}\ndata: {}\n\n",
            self.id,
            self.kind.as_str(),
            self.to_json()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            user_id: Uuid::nil(),
            id: 7,
            kind: EventKind::HugReceived,
            data: r#"{"hugType":"warm"}"#.into(),
            created_at: DateTime::parse_from_rfc3339("2026-01-02T03:04:05.000006Z")
                .expect("time")
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn json_and_frame() {
        let json: serde_json::Value = serde_json::from_str(&event().to_json()).expect("valid JSON");
        assert_eq!(
            json,
            serde_json::json!({"id": 7, "type": "hug_received", "data": {"hugType": "warm"}, "createdAt": "2026-01-02T03:04:05.000006Z"})
        );
        let frame = event().sse_frame();
        assert!(frame.starts_with("id: 7\nevent: hug_received\ndata: {"));
        assert!(frame.ends_with("}\n\n"));
        assert_eq!(frame.matches('\n').count(), 4, "data stays on one line");
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
    }
}
