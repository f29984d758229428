//! Hugs: their types and statuses, the rules of sending one, and the per-sender rate
//! limit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

use crate::domain::validation::{self, FieldErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum HugType {
    Warm,
    Bear,
    Side,
    Group,
    Healing,
    Celebration,
}

impl HugType {
    pub const ALL: [HugType; 6] = [
        HugType::Warm,
        HugType::Bear,
        HugType::Side,
        HugType::Group,
        HugType::Healing,
        HugType::Celebration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HugType::Warm => "warm",
            HugType::Bear => "bear",
            HugType::Side => "side",
            HugType::Group => "group",
            HugType::Healing => "healing",
            HugType::Celebration => "celebration",
        }
    }
}

impl FromStr for HugType {
    type Err = String;
    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_ascii_lowercase();
        HugType::ALL
            .into_iter()
            .find(|t| t.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "must be one of {}",
                    HugType::ALL.map(HugType::as_str).join(", ")
                )
            })
    }
}

/// `sent` → `delivered` (pushed to at least one live stream of the recipient) → `seen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum HugStatus {
    Sent,
    Delivered,
    Seen,
}

impl HugStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HugStatus::Sent => "sent",
            HugStatus::Delivered => "delivered",
            HugStatus::Seen => "seen",
        }
    }
}

impl FromStr for HugStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sent" => Ok(HugStatus::Sent),
            "delivered" => Ok(HugStatus::Delivered),
            "seen" => Ok(HugStatus::Seen),
            other => Err(format!("unknown hug status {other:?}")),
        }
    }
}

pub const MESSAGE_MAX: usize = 280;

/// A hug as stored and as shown (`{id, senderId, recipientId, hugType, message, sentAt, status}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Hug {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub hug_type: HugType,
    pub message: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub status: HugStatus,
}

/// A validated request to send a hug.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HugRequest {
    pub recipient_id: Uuid,
    pub hug_type: HugType,
    pub message: Option<String>,
}

impl HugRequest {
    /// Checks the fields of a hug from `sender`; hugging oneself is refused.
    pub fn parse(
        sender: Uuid,
        recipient_id: Option<Uuid>,
        hug_type: Option<&str>,
        message: Option<String>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        match recipient_id {
            None => errors.add("recipientId", "is required"),
            Some(id) if id == sender => errors.add("recipientId", "you cannot hug yourself"),
            Some(_) => {}
        }
        let hug_type = match hug_type {
            None => {
                errors.add("hugType", "is required");
                None
            }
            Some(text) => text
                .parse::<HugType>()
                .map_err(|e| errors.add("hugType", e))
                .ok(),
        };
        if let Some(text) = &message {
            errors.check("message", validation::max_chars(text, MESSAGE_MAX));
        }
        match (recipient_id, hug_type) {
            (Some(recipient_id), Some(hug_type)) if errors.is_empty() => Ok(Self {
                recipient_id,
                hug_type,
                message,
            }),
            _ => Err(errors),
        }
    }
}

/// A token bucket: `capacity` hugs at once, refilled at `capacity` per minute.
#[derive(Debug, Clone, PartialEq)]
pub struct RateBucket {
    tokens: f64,
    updated: DateTime<Utc>,
}

impl RateBucket {
    pub fn full(capacity: u32, now: DateTime<Utc>) -> Self {
        Self {
            tokens: f64::from(capacity),
            updated: now,
        }
    }

    /// Takes one token; `Err(seconds)` says how long until one is available.
    pub fn take(&mut self, capacity: u32, now: DateTime<Utc>) -> Result<(), u64> {
        let per_sec = f64::from(capacity) / 60.0;
        let elapsed = (now - self.updated)
            .num_microseconds()
            .unwrap_or(i64::MAX)
            .max(0) as f64
            / 1e6;
        self.tokens = (self.tokens + elapsed * per_sec).min(f64::from(capacity));
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }

    /// Whether the bucket is full again at `now` (and can be forgotten).
    pub fn is_full(&self, capacity: u32, now: DateTime<Utc>) -> bool {
        let elapsed = (now - self.updated).num_seconds().max(0) as f64;
        self.tokens + elapsed * f64::from(capacity) / 60.0 >= f64::from(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn hug_requests_are_checked() {
        let (me, you) = (Uuid::new_v4(), Uuid::new_v4());
        let ok = HugRequest::parse(me, Some(you), Some("Bear"), Some("hi".into())).expect("valid");
        assert_eq!(ok.hug_type, HugType::Bear);
        let err = HugRequest::parse(me, Some(me), Some("squeeze"), Some("x".repeat(281)))
            .expect_err("invalid");
        let fields: Vec<&str> = err.fields().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["hugType", "message", "recipientId"]);
        assert!(HugRequest::parse(me, None, None, None).is_err());
    }

    #[test]
    fn bucket_limits_and_refills() {
        let t0 = chrono::Utc::now();
        let mut bucket = RateBucket::full(30, t0);
        for _ in 0..30 {
            assert_eq!(bucket.take(30, t0), Ok(()));
        }
        assert_eq!(bucket.take(30, t0), Err(2), "one token per 2 s at 30/min");
        assert_eq!(bucket.take(30, t0 + Duration::seconds(2)), Ok(()));
        assert!(!bucket.is_full(30, t0 + Duration::seconds(2)));
        assert!(bucket.is_full(30, t0 + Duration::seconds(62)));
    }
}
