//! Friend requests and the relations between two users.

use chrono::{DateTime, Utc};
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
}

impl FromStr for RequestStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "accepted" => Ok(Self::Accepted),
            "declined" => Ok(Self::Declined),
            other => Err(format!("unknown request status {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FriendRequest {
    pub id: Uuid,
    pub from: Uuid,
    pub to: Uuid,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
}

/// Which side of friend requests a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "incoming" => Ok(Self::Incoming),
            "outgoing" => Ok(Self::Outgoing),
            _ => Err("must be incoming or outgoing".into()),
        }
    }
}

/// The unordered pair key of two users, so one pending request per pair can be
/// enforced by a unique index whichever side asked first.
pub fn pair_key(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// A notification to write along with the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_key_is_symmetric() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(pair_key(a, b), pair_key(b, a));
    }
}
