//! `Subscription.events`: the caller's realtime events, with the REST stream's resume
//! semantics — everything after `lastEventId` in order, then live events, no gap and
//! no duplicate; `reset` when that id is older than the retained log.

use async_graphql::{Context, Result, Subscription, ID};
use futures::Stream;

use crate::feed::EventFeed;
use crate::graphql::context::request;
use crate::graphql::error::{api_error, invalid};
use crate::graphql::types::event::EventNode;

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// The caller's events; with `lastEventId`, first every event after it.
    async fn events(
        &self,
        ctx: &Context<'_>,
        last_event_id: Option<ID>,
    ) -> Result<impl Stream<Item = EventNode>> {
        let request = request(ctx)?;
        let viewer = request.viewer()?;
        let resume = match last_event_id {
            None => None,
            Some(id) => Some(
                id.parse::<i64>()
                    .ok()
                    .filter(|id| *id >= 0)
                    .ok_or_else(|| invalid("lastEventId", "must be an event id"))?,
            ),
        };
        let feed = EventFeed::open(request.state.clone(), viewer, request.session(), resume)
            .await
            .map_err(|err| api_error(&err))?;
        Ok(futures::stream::unfold(feed, |mut feed| async move {
            loop {
                let item = feed.next().await?;
                if let Some(node) = EventNode::from_item(item) {
                    return Some((node, feed));
                }
            }
        }))
    }
}
