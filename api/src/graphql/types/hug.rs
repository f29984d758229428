//! `Hug`, with both users batch-loaded on demand, and `SendHugInput`.

use async_graphql::{ComplexObject, Context, InputObject, SimpleObject, ID};
use hugmood_actors::domain::hug::Hug;
use uuid::Uuid;

use super::id;
use super::user::{load, UserNode};
use crate::graphql::scalars::Timestamp;

/// A hug from one user to another.
#[derive(SimpleObject)]
#[graphql(name = "Hug", complex)]
pub(crate) struct HugNode {
    pub id: ID,
    pub sender_id: ID,
    pub recipient_id: ID,
    /// warm, bear, side, group, healing or celebration.
    pub hug_type: String,
    pub message: Option<String>,
    pub sent_at: Timestamp,
    /// `sent`, `delivered` (reached a live stream) or `seen`.
    pub status: String,
    #[graphql(skip)]
    pub sender_uuid: Uuid,
    #[graphql(skip)]
    pub recipient_uuid: Uuid,
}

#[ComplexObject]
impl HugNode {
    /// The sender; null if they have blocked the caller.
    async fn sender(&self, ctx: &Context<'_>) -> Option<UserNode> {
        load(ctx, self.sender_uuid).await
    }

    /// The recipient; null if they have blocked the caller.
    async fn recipient(&self, ctx: &Context<'_>) -> Option<UserNode> {
        load(ctx, self.recipient_uuid).await
    }
}

impl From<Hug> for HugNode {
    fn from(h: Hug) -> Self {
        Self {
            id: id(h.id),
            sender_id: id(h.sender_id),
            recipient_id: id(h.recipient_id),
            hug_type: h.hug_type.as_str().to_owned(),
            message: h.message,
            sent_at: Timestamp(h.sent_at),
            status: h.status.as_str().to_owned(),
            sender_uuid: h.sender_id,
            recipient_uuid: h.recipient_id,
        }
    }
}

/// What `sendHug` takes.
#[derive(InputObject)]
pub(crate) struct SendHugInput {
    pub recipient_id: ID,
    /// warm, bear, side, group, healing or celebration.
    pub hug_type: String,
    /// Up to 280 characters.
    pub message: Option<String>,
}
