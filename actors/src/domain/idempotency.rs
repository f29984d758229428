//! Idempotent creates: a client's `Idempotency-Key` claims one answer for 24 hours.
//! The claim is stored in the same transaction as what it creates, so a retry either
//! finds the first answer or creates it, never both.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::validation::FieldErrors;
use crate::error::{EngineError, EngineResult};

/// How long a key keeps its first answer.
pub const KEY_LIFETIME: Duration = Duration::hours(24);
/// Longest accepted key.
pub const KEY_MAX: usize = 255;

/// A validated `Idempotency-Key` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1–255 visible ASCII characters.
    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let ok =
            !raw.is_empty() && raw.len() <= KEY_MAX && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            let mut errors = FieldErrors::default();
            errors.add(
                "Idempotency-Key",
                format!("must be 1 to {KEY_MAX} visible ASCII characters"),
            );
            Err(errors)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the store writes with a create: the key, a fingerprint of the request (a reused
/// key with a different request is refused), and the answer to replay.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyClaim {
    pub user_id: Uuid,
    /// The kind of create, e.g. `"moods"`; keys are unique per user and scope.
    pub scope: &'static str,
    pub key: String,
    pub request_hash: String,
    /// The answer as JSON, replayed verbatim to retries.
    pub response: String,
    pub created_at: DateTime<Utc>,
}

impl IdempotencyClaim {
    /// Claims older than this are expired and may be replaced.
    pub fn expired_before(&self) -> DateTime<Utc> {
        self.created_at - KEY_LIFETIME
    }
}

/// A stored claim found for a retried request.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub response: String,
}

impl StoredAnswer {
    /// The first answer, for a retry of the same request; a reused key with a different
    /// request is a conflict.
    pub fn replay<T: serde::de::DeserializeOwned>(
        self,
        request_hash: &str,
    ) -> EngineResult<Created<T>> {
        if self.request_hash != request_hash {
            return Err(EngineError::conflict(
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request",
            ));
        }
        serde_json::from_str(&self.response)
            .map(Created::Replayed)
            .map_err(|e| EngineError::Internal(format!("stored idempotent answer unreadable: {e}")))
    }
}

/// Hex SHA-256 of a request's canonical form.
pub fn fingerprint(canonical: &str) -> String {
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The outcome of an idempotent create.
#[derive(Debug, Clone, PartialEq)]
pub enum Created<T> {
    /// Made now.
    New(T),
    /// Made by an earlier request with the same key; this is its answer.
    Replayed(T),
}

impl<T> Created<T> {
    pub fn into_inner(self) -> T {
        match self {
            Created::New(v) | Created::Replayed(v) => v,
        }
    }

    pub fn is_new(&self) -> bool {
        matches!(self, Created::New(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_validated() {
        assert!(IdempotencyKey::parse("abc-123_XYZ").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse("é").is_err());
    }

    #[test]
    fn fingerprints_differ_by_request() {
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("b"));
    }
}
