//! Row shapes shared by both backends, and their conversion into domain types.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::session::RefreshTokenRecord;
use crate::domain::social::FriendRequest;
use crate::domain::user::{Privacy, User};
use crate::error::EngineError;

/// Columns of `users` in `UserRow` order, for `concat!` into queries.
macro_rules! user_columns {
    () => {
        "users.id, users.username, users.email, users.password_hash, users.display_name, \
         users.profile_image, users.bio, users.status, users.is_anonymous, users.joined_at, \
         users.last_active, users.mood_visibility, users.allow_hugs_from, users.show_online"
    };
}
pub(crate) use user_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    username: String,
    email: Option<String>,
    password_hash: Option<String>,
    display_name: String,
    profile_image: Option<String>,
    bio: Option<String>,
    status: Option<String>,
    is_anonymous: bool,
    joined_at: DateTime<Utc>,
    last_active: DateTime<Utc>,
    mood_visibility: String,
    allow_hugs_from: String,
    show_online: bool,
}

impl TryFrom<UserRow> for User {
    type Error = EngineError;

    fn try_from(row: UserRow) -> Result<Self, EngineError> {
        let corrupt = |e: String| EngineError::Internal(format!("user {}: {e}", row.id));
        let privacy = Privacy {
            mood_visibility: row.mood_visibility.parse().map_err(corrupt)?,
            allow_hugs_from: row.allow_hugs_from.parse().map_err(corrupt)?,
            show_online: row.show_online,
        };
        Ok(User {
            id: row.id,
            username: row.username,
            email: row.email,
            password_hash: row.password_hash,
            display_name: row.display_name,
            profile_image: row.profile_image,
            bio: row.bio,
            status: row.status,
            is_anonymous: row.is_anonymous,
            joined_at: row.joined_at,
            last_active: row.last_active,
            privacy,
        })
    }
}

/// Converts a list of rows, failing on the first corrupt one.
pub(crate) fn users(rows: Vec<UserRow>) -> Result<Vec<User>, EngineError> {
    rows.into_iter().map(User::try_from).collect()
}

pub(crate) const FRIEND_REQUEST_COLUMNS: &str = "id, from_user, to_user, status, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct FriendRequestRow {
    id: Uuid,
    from_user: Uuid,
    to_user: Uuid,
    status: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<FriendRequestRow> for FriendRequest {
    type Error = EngineError;

    fn try_from(row: FriendRequestRow) -> Result<Self, EngineError> {
        Ok(FriendRequest {
            status: row
                .status
                .parse()
                .map_err(|e| EngineError::Internal(format!("friend request {}: {e}", row.id)))?,
            id: row.id,
            from: row.from_user,
            to: row.to_user,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RefreshTokenRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    token_hash: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    spent_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<RefreshTokenRow> for RefreshTokenRecord {
    fn from(row: RefreshTokenRow) -> Self {
        Self {
            id: row.id,
            family_id: row.family_id,
            user_id: row.user_id,
            token_hash: row.token_hash,
            created_at: row.created_at,
            expires_at: row.expires_at,
            spent_at: row.spent_at,
            revoked_at: row.revoked_at,
        }
    }
}
