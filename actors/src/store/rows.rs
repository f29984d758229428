//! Row shapes shared by both backends, and their conversion into domain types.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::analytics::MoodPoint;
use crate::domain::event::Event;
use crate::domain::hug::Hug;
use crate::domain::mood::MoodEntry;
use crate::domain::notification::Notification;
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
    convert_all(rows)
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
    successor_id: Option<Uuid>,
    successor_sealed: Option<String>,
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
            successor_id: row.successor_id,
            successor_sealed: row.successor_sealed,
        }
    }
}

pub(crate) const MOOD_COLUMNS: &str =
    "id, user_id, mood, intensity, valence, arousal, note, is_public, tags, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct MoodEntryRow {
    id: Uuid,
    user_id: Uuid,
    mood: String,
    intensity: i64,
    valence: f64,
    arousal: f64,
    note: Option<String>,
    is_public: bool,
    tags: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Tags are stored as a JSON array of strings.
pub(crate) fn tags_json(tags: &[String]) -> String {
    serde_json::Value::from(tags.to_vec()).to_string()
}

fn parse_tags(id: Uuid, text: &str) -> Result<Vec<String>, EngineError> {
    serde_json::from_str(text)
        .map_err(|e| EngineError::Internal(format!("mood entry {id}: bad tags: {e}")))
}

/// Intensity is stored as a 64-bit integer; a value beyond a byte is a corrupt row.
fn intensity(id: Uuid, value: i64) -> Result<u8, EngineError> {
    u8::try_from(value)
        .map_err(|e| EngineError::Internal(format!("mood entry {id}: bad intensity: {e}")))
}

impl TryFrom<MoodEntryRow> for MoodEntry {
    type Error = EngineError;

    fn try_from(row: MoodEntryRow) -> Result<Self, EngineError> {
        let corrupt = |e: String| EngineError::Internal(format!("mood entry {}: {e}", row.id));
        Ok(MoodEntry {
            mood: row.mood.parse().map_err(corrupt)?,
            intensity: intensity(row.id, row.intensity)?,
            tags: parse_tags(row.id, &row.tags)?,
            id: row.id,
            user_id: row.user_id,
            valence: row.valence,
            arousal: row.arousal,
            note: row.note,
            is_public: row.is_public,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MoodPointRow {
    id: Uuid,
    mood: String,
    intensity: i64,
    valence: f64,
    arousal: f64,
    tags: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<MoodPointRow> for MoodPoint {
    type Error = EngineError;

    fn try_from(row: MoodPointRow) -> Result<Self, EngineError> {
        Ok(MoodPoint {
            mood: row
                .mood
                .parse()
                .map_err(|e| EngineError::Internal(format!("mood entry {}: {e}", row.id)))?,
            tags: parse_tags(row.id, &row.tags)?,
            intensity: intensity(row.id, row.intensity)?,
            valence: row.valence,
            arousal: row.arousal,
            created_at: row.created_at,
        })
    }
}

/// Converts rows, failing on the first corrupt one.
pub(crate) fn convert_all<R, T: TryFrom<R, Error = EngineError>>(
    rows: Vec<R>,
) -> Result<Vec<T>, EngineError> {
    rows.into_iter().map(T::try_from).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    user_id: Uuid,
    id: i64,
    kind: String,
    data: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for Event {
    type Error = EngineError;

    fn try_from(row: EventRow) -> Result<Self, EngineError> {
        Ok(Event {
            kind: row.kind.parse().map_err(|e| {
                EngineError::Internal(format!("event {}/{}: {e}", row.user_id, row.id))
            })?,
            user_id: row.user_id,
            id: row.id,
            data: row.data,
            created_at: row.created_at,
        })
    }
}

pub(crate) const HUG_COLUMNS: &str =
    "id, sender_id, recipient_id, hug_type, message, sent_at, status";

/// The columns of `HugRow` as a read shows them: `delivered` says the recipient had a
/// live stream, so it reads as `sent` while the recipient does not show when they are
/// online (`showOnline` false), whatever the row holds; `seen` is the recipient's own act
/// and always shows.
pub(crate) const HUG_READ_COLUMNS: &str = "hugs.id, hugs.sender_id, hugs.recipient_id, \
    hugs.hug_type, hugs.message, hugs.sent_at, \
    CASE WHEN hugs.status = 'delivered' AND NOT EXISTS \
        (SELECT 1 FROM users WHERE users.id = hugs.recipient_id AND users.show_online) \
    THEN 'sent' ELSE hugs.status END AS status";

#[derive(sqlx::FromRow)]
pub(crate) struct HugRow {
    id: Uuid,
    sender_id: Uuid,
    recipient_id: Uuid,
    hug_type: String,
    message: Option<String>,
    sent_at: DateTime<Utc>,
    status: String,
}

impl TryFrom<HugRow> for Hug {
    type Error = EngineError;

    fn try_from(row: HugRow) -> Result<Self, EngineError> {
        let corrupt = |e: String| EngineError::Internal(format!("hug {}: {e}", row.id));
        Ok(Hug {
            hug_type: row.hug_type.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            id: row.id,
            sender_id: row.sender_id,
            recipient_id: row.recipient_id,
            message: row.message,
            sent_at: row.sent_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    user_id: Uuid,
    kind: String,
    title: String,
    body: String,
    data: String,
    is_read: bool,
    created_at: DateTime<Utc>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            data: row.data,
            is_read: row.is_read,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CollectionRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    hug_count: i64,
}

impl From<CollectionRow> for crate::domain::collection::Collection {
    fn from(row: CollectionRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            created_at: row.created_at,
            hug_count: row.hug_count.max(0) as u64,
        }
    }
}
