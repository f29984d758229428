//! Mood entries: reading one or a page, analytics, streaks; creating, changing and
//! deleting them.

use async_graphql::{Context, Object, ID};
use hugmood_actors::domain::analytics::TimeRange;
use hugmood_actors::mood::MoodQuery as EntriesQuery;

use crate::graphql::context::request;
use crate::graphql::error::{invalid, or_null, OrGraphqlError};
use crate::graphql::paging;
use crate::graphql::types::analytics::MoodAnalyticsNode;
use crate::graphql::types::mood::{MoodEntryInput, MoodEntryNode, MoodStreakNode};
use crate::graphql::types::parse_id;

/// `limit` of `moodEntries` when not given (the spec's default).
const MOOD_ENTRIES_LIMIT: i32 = 10;

#[derive(Default)]
pub struct MoodQuery;

#[Object]
impl MoodQuery {
    /// One entry: the caller's, a public one, or one its owner's privacy shares; null
    /// and `not_found` otherwise.
    async fn mood_entry(&self, ctx: &Context<'_>, id: ID) -> Option<MoodEntryNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            Ok(request.state.moods.get(viewer, id).await.gql()?.into())
        })
        .await
    }

    /// Entries of `userId` (default: the caller), newest first, as their privacy allows.
    /// `limit` is 1 to 100, `offset` any from 0.
    #[graphql(
        complexity = "paging::list_cost(limit.unwrap_or(MOOD_ENTRIES_LIMIT), child_complexity)"
    )]
    async fn mood_entries(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        #[graphql(default_with = "Some(MOOD_ENTRIES_LIMIT)")] limit: Option<i32>,
        #[graphql(default_with = "Some(0)")] offset: Option<i32>,
    ) -> Option<Vec<MoodEntryNode>> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let user_id = user_id.map(|id| parse_id("userId", &id)).transpose()?;
            let page = paging::page(limit.unwrap_or(MOOD_ENTRIES_LIMIT), offset)?;
            let query = EntriesQuery {
                user_id,
                start: None,
                end: None,
                mood: None,
                page,
            };
            let entries = request.state.moods.list(viewer, query).await.gql()?;
            Ok(entries.items.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Analytics over the entries of `userId` (default: the caller) that the caller may
    /// see. `timeRange`: week, month, three_months, six_months or year.
    async fn mood_analytics(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        #[graphql(default_with = "Some(TimeRange::default().as_str().to_owned())")]
        time_range: Option<String>,
    ) -> Option<MoodAnalyticsNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let user_id = user_id.map(|id| parse_id("userId", &id)).transpose()?;
            let range = match time_range {
                None => TimeRange::default(),
                Some(text) => text.parse().map_err(|e: String| invalid("timeRange", e))?,
            };
            let analytics = request
                .state
                .moods
                .analytics(viewer, user_id, range)
                .await
                .gql()?;
            Ok(analytics.into())
        })
        .await
    }

    /// The caller's current and longest streak.
    async fn mood_streak(&self, ctx: &Context<'_>) -> Option<MoodStreakNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            Ok(request.state.moods.streak(viewer).await.gql()?.into())
        })
        .await
    }
}

#[derive(Default)]
pub struct MoodMutation;

#[Object]
impl MoodMutation {
    /// Records a mood; `mood` and `intensity` are required.
    async fn create_mood_entry(
        &self,
        ctx: &Context<'_>,
        input: MoodEntryInput,
    ) -> Option<MoodEntryNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let created = request
                .state
                .moods
                .create(viewer, input.into(), None)
                .await
                .gql()?;
            Ok(created.into_inner().into())
        })
        .await
    }

    /// Changes the fields given of one of the caller's entries; `not_owner` for someone
    /// else's entry the caller can see, `not_found` for one they cannot.
    async fn update_mood_entry(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MoodEntryInput,
    ) -> Option<MoodEntryNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            let moods = &request.state.moods;
            Ok(moods
                .update(viewer, id, input.into(), false)
                .await
                .gql()?
                .into())
        })
        .await
    }

    /// Deletes one of the caller's entries: true when done, else false with the error.
    async fn delete_mood_entry(&self, ctx: &Context<'_>, id: ID) -> bool {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            request.state.moods.delete(viewer, id).await.gql()
        })
        .await
        .is_some()
    }
}
