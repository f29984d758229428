//! Refresh-token sessions. A login starts a *family*; each refresh spends one token and
//! issues the next in the same family, so the reuse of a spent token can revoke all of it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One refresh token as stored: only a hash of the secret is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Once spent: the token it was traded for.
    pub successor_id: Option<Uuid>,
    /// Once spent: the successor's secret, sealed with a key derived from this
    /// token's secret (see `auth::refresh::seal`).
    pub successor_sealed: Option<String>,
}
