//! Friends and friend requests.

use async_graphql::{Context, Object, ID};
use hugmood_actors::domain::social::Direction;

use crate::graphql::context::request;
use crate::graphql::error::{invalid, or_null, OrGraphqlError};
use crate::graphql::paging;
use crate::graphql::types::parse_id;
use crate::graphql::types::social::FriendRequestNode;
use crate::graphql::types::user::UserNode;

/// `limit` of `friends` when not given: most people's whole list in one page.
const FRIENDS_LIMIT: i32 = 100;
/// `limit` of `friendRequests` when not given, as REST's `per_page`.
const FRIEND_REQUESTS_LIMIT: i32 = 20;

#[derive(Default)]
pub struct SocialQuery;

#[Object]
impl SocialQuery {
    /// The caller's friends. `limit` is 1 to 100, `offset` any from 0.
    #[graphql(complexity = "paging::list_cost(limit.unwrap_or(FRIENDS_LIMIT), child_complexity)")]
    async fn friends(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(FRIENDS_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
    ) -> Option<Vec<UserNode>> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let page = paging::page(limit.unwrap_or(FRIENDS_LIMIT), offset)?;
            let friends = request.state.social.friends(viewer, page).await.gql()?;
            let connected = request.state.connected_among(&friends.items).await;
            Ok(friends
                .items
                .into_iter()
                .map(|user| {
                    let live = connected.contains(&user.id);
                    UserNode::for_viewer(user, viewer, live)
                })
                .collect())
        })
        .await
    }

    /// The caller's pending friend requests, newest first: `incoming` (default) or
    /// `outgoing`. `limit` is 1 to 100, `offset` any from 0.
    #[graphql(
        complexity = "paging::list_cost(limit.unwrap_or(FRIEND_REQUESTS_LIMIT), child_complexity)"
    )]
    async fn friend_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(\"incoming\".to_owned())")] direction: Option<String>,
        #[graphql(default_with = "Some(FRIEND_REQUESTS_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
    ) -> Option<Vec<FriendRequestNode>> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let direction = match direction {
                None => Direction::Incoming,
                Some(text) => text.parse().map_err(|e: String| invalid("direction", e))?,
            };
            let page = paging::page(limit.unwrap_or(FRIEND_REQUESTS_LIMIT), offset)?;
            let social = &request.state.social;
            let requests = social.list_requests(viewer, direction, page).await.gql()?;
            Ok(requests.items.into_iter().map(Into::into).collect())
        })
        .await
    }
}

#[derive(Default)]
pub struct SocialMutation;

#[Object]
impl SocialMutation {
    /// Asks `userId` to be friends; they are notified.
    async fn send_friend_request(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> Option<FriendRequestNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let to = parse_id("userId", &user_id)?;
            Ok(request
                .state
                .social
                .send_request(viewer, to)
                .await
                .gql()?
                .into())
        })
        .await
    }

    /// Accepts or declines a friend request addressed to the caller.
    async fn respond_friend_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        accept: bool,
    ) -> Option<FriendRequestNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            Ok(request
                .state
                .social
                .respond(viewer, id, accept)
                .await
                .gql()?
                .into())
        })
        .await
    }
}
