//! Mood entries. Writes (create, change, delete) go through the sharded `MoodActor`s,
//! keyed by author, which commit each entry with the `mood_update` events of the
//! friends allowed to see it; reads (one entry, lists, analytics, streaks) go straight
//! to the store under the owner's privacy.

mod access;
mod actor;
mod writes;

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::analytics::{self, Analytics, TimeRange};
use crate::domain::idempotency::{Created, IdempotencyKey};
use crate::domain::mood::{Mood, MoodDraft, MoodEntry};
use crate::domain::page::{PageRequest, Paged};
use crate::domain::streak::{self, Streak};
use crate::domain::time::now;
use crate::error::EngineResult;
use crate::realtime::Realtime;
use crate::shard::Shards;
use crate::store::{MoodFilter, Store};
use access::Access;
use actor::{MoodActor, MoodMsg};
pub use writes::created_outbox;
use writes::MoodWriter;

/// A listing request, before access rules apply.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodQuery {
    /// Whose entries; the viewer's own when `None`.
    pub user_id: Option<Uuid>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub mood: Option<Mood>,
    pub page: PageRequest,
}

#[derive(Clone)]
pub struct Moods {
    store: Arc<dyn Store>,
    shards: Shards<MoodActor>,
}

impl Moods {
    /// Starts `shards` MoodActors under their supervisor.
    pub async fn start(
        store: Arc<dyn Store>,
        realtime: Realtime,
        shards: usize,
    ) -> EngineResult<Self> {
        let queue_limit = realtime.settings().actor_queue_limit;
        let writer = MoodWriter {
            store: store.clone(),
            realtime,
        };
        let shards = Shards::start("mood", MoodActor, shards, queue_limit, writer).await?;
        Ok(Self { store, shards })
    }

    /// Stops the shards.
    pub fn stop(&self) {
        self.shards.stop();
    }

    /// Records an entry (see `MoodWriter::create`), through the author's shard.
    pub async fn create(
        &self,
        author: Uuid,
        draft: MoodDraft,
        key: Option<IdempotencyKey>,
    ) -> EngineResult<Created<MoodEntry>> {
        self.shards
            .call(author, |reply| MoodMsg::Create {
                author,
                draft: draft.clone(),
                key: key.clone(),
                reply,
            })
            .await?
    }

    /// Changes an entry: `replace` (PUT) takes a complete entry, otherwise (PATCH) only
    /// the fields sent. Only the owner may; others who can see it get forbidden.
    pub async fn update(
        &self,
        viewer: Uuid,
        id: Uuid,
        draft: MoodDraft,
        replace: bool,
    ) -> EngineResult<MoodEntry> {
        self.shards
            .call(viewer, |reply| MoodMsg::Update {
                viewer,
                id,
                draft: draft.clone(),
                replace,
                reply,
            })
            .await?
    }

    pub async fn delete(&self, viewer: Uuid, id: Uuid) -> EngineResult<()> {
        self.shards
            .call(viewer, |reply| MoodMsg::Delete { viewer, id, reply })
            .await?
    }

    /// An entry the viewer may see; not found otherwise.
    pub async fn get(&self, viewer: Uuid, id: Uuid) -> EngineResult<MoodEntry> {
        Ok(access::visible(self.store.as_ref(), viewer, id).await?.0)
    }

    /// Entries of one user as the viewer may see them, newest first.
    pub async fn list(&self, viewer: Uuid, query: MoodQuery) -> EngineResult<Paged<MoodEntry>> {
        let owner = query.user_id.unwrap_or(viewer);
        let access = access::access(self.store.as_ref(), viewer, owner).await?;
        let filter = MoodFilter {
            user_id: owner,
            include_private: access != Access::PublicOnly,
            start: query.start,
            end: query.end,
            mood: query.mood,
        };
        self.store.list_moods(&filter, query.page).await
    }

    /// Analytics over the entries of `user_id` (the viewer's own by default) that the
    /// viewer may see, in the time range back from now.
    pub async fn analytics(
        &self,
        viewer: Uuid,
        user_id: Option<Uuid>,
        range: TimeRange,
    ) -> EngineResult<Analytics> {
        let owner = user_id.unwrap_or(viewer);
        let access = access::access(self.store.as_ref(), viewer, owner).await?;
        let since = now() - Duration::days(range.days());
        let points = self
            .store
            .mood_points(owner, access != Access::PublicOnly, since)
            .await?;
        Ok(analytics::analyze(owner, range, &points))
    }

    /// The user's current and longest streak of days with an entry.
    pub async fn streak(&self, user: Uuid) -> EngineResult<Streak> {
        let days: Vec<_> = self
            .store
            .entry_times(user, None)
            .await?
            .iter()
            .map(|t| t.date_naive())
            .collect();
        Ok(streak::streak(&days, now().date_naive()))
    }
}
