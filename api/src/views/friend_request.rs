//! A friend request: `{id, from, to, status, createdAt}` with user ids.

use chrono::{DateTime, Utc};
use hugmood_actors::domain::social::FriendRequest;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequestView {
    pub id: Uuid,
    /// Id of the user who asked.
    pub from: Uuid,
    /// Id of the user asked.
    pub to: Uuid,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<FriendRequest> for FriendRequestView {
    fn from(r: FriendRequest) -> Self {
        Self {
            id: r.id,
            from: r.from,
            to: r.to,
            status: r.status.as_str().to_owned(),
            created_at: r.created_at,
        }
    }
}
