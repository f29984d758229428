//! The notification inbox: listing, marking one or all read.

use async_graphql::{Context, Object, ID};
use hugmood_actors::domain::notification::InboxFilter;

use crate::graphql::context::request;
use crate::graphql::error::{or_null, OrGraphqlError};
use crate::graphql::paging;
use crate::graphql::types::notification::NotificationNode;
use crate::graphql::types::parse_id;

/// `limit` of `notifications` when not given, as REST's `per_page`.
const NOTIFICATIONS_LIMIT: i32 = 20;

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's inbox, newest first; `unreadOnly` leaves out what was read.
    /// `limit` is 1 to 100, `offset` any from 0.
    #[graphql(
        complexity = "paging::list_cost(limit.unwrap_or(NOTIFICATIONS_LIMIT), child_complexity)"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(NOTIFICATIONS_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
        #[graphql(default = false)] unread_only: bool,
    ) -> Option<Vec<NotificationNode>> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let page = paging::page(limit.unwrap_or(NOTIFICATIONS_LIMIT), offset)?;
            let filter = InboxFilter {
                user_id: viewer,
                since: None,
                unread_only,
            };
            let inbox = request.state.inbox.list(filter, page).await.gql()?;
            Ok(inbox.page.items.into_iter().map(Into::into).collect())
        })
        .await
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks one of the caller's notifications read (their other devices get
    /// `notification_read`): true when done, else false with the error.
    async fn mark_notification_read(&self, ctx: &Context<'_>, id: ID) -> bool {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            request.state.inbox.read(viewer, id).await.gql()
        })
        .await
        .is_some()
    }

    /// Marks every notification of the caller read: true when done.
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> bool {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            request.state.inbox.read_all(viewer).await.gql()
        })
        .await
        .is_some()
    }
}
