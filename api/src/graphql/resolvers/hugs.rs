//! Hugs: the received and sent lists, sending, marking seen.

use async_graphql::{Context, Object, ID};
use hugmood_actors::domain::hug::HugRequest;
use hugmood_actors::store::HugDirection;

use crate::graphql::context::request;
use crate::graphql::error::{invalid_fields, or_null, OrGraphqlError};
use crate::graphql::paging;
use crate::graphql::types::hug::{HugNode, SendHugInput};
use crate::graphql::types::parse_id;

/// `limit` of the hug lists when not given, as REST's `per_page`.
const HUGS_LIMIT: i32 = 20;

#[derive(Default)]
pub struct HugQuery;

async fn list(
    ctx: &Context<'_>,
    direction: HugDirection,
    limit: Option<i32>,
    offset: Option<i32>,
) -> Option<Vec<HugNode>> {
    or_null(ctx, async {
        let request = request(ctx)?;
        let viewer = request.viewer()?;
        let page = paging::page(limit.unwrap_or(HUGS_LIMIT), offset)?;
        let hugs = request
            .state
            .hugs
            .list(viewer, direction, page)
            .await
            .gql()?;
        Ok(hugs.items.into_iter().map(Into::into).collect())
    })
    .await
}

#[Object]
impl HugQuery {
    /// Hugs the caller received, newest first. `limit` is 1 to 100, `offset` any from 0.
    #[graphql(complexity = "paging::list_cost(limit.unwrap_or(HUGS_LIMIT), child_complexity)")]
    async fn hugs_received(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(HUGS_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
    ) -> Option<Vec<HugNode>> {
        list(ctx, HugDirection::Received, limit, offset).await
    }

    /// Hugs the caller sent, newest first. `limit` is 1 to 100, `offset` any from 0.
    #[graphql(complexity = "paging::list_cost(limit.unwrap_or(HUGS_LIMIT), child_complexity)")]
    async fn hugs_sent(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(HUGS_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
    ) -> Option<Vec<HugNode>> {
        list(ctx, HugDirection::Sent, limit, offset).await
    }
}

#[derive(Default)]
pub struct HugMutation;

#[Object]
impl HugMutation {
    /// Sends a hug; the recipient gets `hug_received` live. Refused (null, with
    /// `extensions.code`) as REST refuses it: `hugs_not_allowed`, `rate_limited`...
    async fn send_hug(&self, ctx: &Context<'_>, input: SendHugInput) -> Option<HugNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let recipient = parse_id("recipientId", &input.recipient_id)?;
            let hug = HugRequest::parse(
                viewer,
                Some(recipient),
                Some(&input.hug_type),
                input.message,
            )
            .map_err(|e| invalid_fields(&e))?;
            let sent = request.state.hugs.send(viewer, hug, None).await.gql()?;
            Ok(sent.into_inner().into())
        })
        .await
    }

    /// Marks a hug the caller received as seen (the sender gets `hug_seen`): true when
    /// done, else false with the error.
    async fn mark_hug_seen(&self, ctx: &Context<'_>, id: ID) -> bool {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            request.state.hugs.mark_seen(viewer, id).await.gql()
        })
        .await
        .is_some()
    }
}
