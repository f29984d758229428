//! `FriendRequest`, with both users batch-loaded on demand.

use async_graphql::{ComplexObject, Context, SimpleObject, ID};
use hugmood_actors::domain::social::FriendRequest;
use uuid::Uuid;

use super::id;
use super::user::{load, UserNode};
use crate::graphql::scalars::Timestamp;

/// A request from one user to another to become friends.
#[derive(SimpleObject)]
#[graphql(name = "FriendRequest", complex)]
pub(crate) struct FriendRequestNode {
    pub id: ID,
    /// Id of the user who asked.
    pub from: ID,
    /// Id of the user asked.
    pub to: ID,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub created_at: Timestamp,
    #[graphql(skip)]
    pub from_id: Uuid,
    #[graphql(skip)]
    pub to_id: Uuid,
}

#[ComplexObject]
impl FriendRequestNode {
    /// The user who asked; null if they have blocked the caller.
    #[graphql(name = "fromUser")]
    async fn requester(&self, ctx: &Context<'_>) -> Option<UserNode> {
        load(ctx, self.from_id).await
    }

    /// The user asked; null if they have blocked the caller.
    #[graphql(name = "toUser")]
    async fn addressee(&self, ctx: &Context<'_>) -> Option<UserNode> {
        load(ctx, self.to_id).await
    }
}

impl From<FriendRequest> for FriendRequestNode {
    fn from(r: FriendRequest) -> Self {
        Self {
            id: id(r.id),
            from: id(r.from),
            to: id(r.to),
            status: r.status.as_str().to_owned(),
            created_at: Timestamp(r.created_at),
            from_id: r.from,
            to_id: r.to,
        }
    }
}
