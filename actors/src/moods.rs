//! Mood entries: creating (idempotently, with streak milestones), reading under the
//! owner's privacy, changing, deleting, listing, analytics and streaks. (The sharded
//! `MoodActor` of the realtime core will carry the writes.)

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::analytics::{self, Analytics, TimeRange};
use crate::domain::idempotency::{self, Created, IdempotencyClaim, IdempotencyKey};
use crate::domain::mood::{Mood, MoodDraft, MoodEntry};
use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::NewNotification;
use crate::domain::streak::{self, Streak};
use crate::domain::time::now;
use crate::domain::user::MoodVisibility;
use crate::error::{EngineError, EngineResult};
use crate::store::{MoodFilter, Store};

/// Scope of mood keys in the idempotency table.
const IDEMPOTENCY_SCOPE: &str = "moods";

/// How far back a new entry's streak is looked at: enough for the largest milestone.
const MILESTONE_LOOKBACK_DAYS: i64 = 101;

/// What a viewer may see of one user's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The owner: everything, and may change it.
    Owner,
    /// Every entry (the owner shares moods with this viewer).
    All,
    /// Only entries marked public.
    PublicOnly,
}

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

pub struct Moods {
    store: Arc<dyn Store>,
}

impl Moods {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records an entry. With a key, a retry of the same request within 24 hours
    /// answers the first entry and creates nothing; the same key with a different
    /// request is a conflict.
    pub async fn create(
        &self,
        author: Uuid,
        draft: MoodDraft,
        key: Option<IdempotencyKey>,
    ) -> EngineResult<Created<MoodEntry>> {
        let content = draft.complete().map_err(EngineError::Invalid)?;
        let at = now();
        let request_hash = idempotency::fingerprint(
            &serde_json::to_string(&content).map_err(|e| EngineError::Internal(e.to_string()))?,
        );
        if let Some(key) = &key {
            let since = at - idempotency::KEY_LIFETIME;
            if let Some(answer) = self
                .store
                .idempotent_answer(author, IDEMPOTENCY_SCOPE, key.as_str(), since)
                .await?
            {
                return answer.replay(&request_hash);
            }
        }
        let entry = MoodEntry {
            id: Uuid::new_v4(),
            user_id: author,
            mood: content.mood,
            intensity: content.intensity,
            valence: content.valence,
            arousal: content.arousal,
            note: content.note,
            is_public: content.is_public,
            tags: content.tags,
            created_at: at,
            updated_at: at,
        };
        let milestone = self.milestone_notification(author, at).await?;
        let claim = match key {
            None => None,
            Some(key) => Some(IdempotencyClaim {
                user_id: author,
                scope: IDEMPOTENCY_SCOPE,
                key: key.as_str().to_owned(),
                request_hash: request_hash.clone(),
                response: serde_json::to_string(&entry)
                    .map_err(|e| EngineError::Internal(e.to_string()))?,
                created_at: at,
            }),
        };
        match self
            .store
            .insert_mood(&entry, milestone.as_ref(), claim.as_ref())
            .await?
        {
            None => Ok(Created::New(entry)),
            Some(answer) => answer.replay(&request_hash),
        }
    }

    /// The `streak_milestone` notification a new entry at `at` earns, if any.
    async fn milestone_notification(
        &self,
        user: Uuid,
        at: DateTime<Utc>,
    ) -> EngineResult<Option<NewNotification>> {
        let since = at - Duration::days(MILESTONE_LOOKBACK_DAYS);
        let mut days: Vec<_> = self
            .store
            .entry_times(user, Some(since))
            .await?
            .iter()
            .map(|t| t.date_naive())
            .collect();
        let today = at.date_naive();
        let before = streak::streak(&days, today).current;
        days.push(today);
        let after = streak::streak(&days, today).current;
        Ok(
            streak::milestone_reached(before, after).map(|days| NewNotification {
                id: Uuid::new_v4(),
                user_id: user,
                kind: "streak_milestone",
                title: format!("{days}-day streak!"),
                body: format!("You have recorded your mood {days} days in a row."),
                data: serde_json::json!({ "streak": days }),
                created_at: at,
            }),
        )
    }

    /// An entry the viewer may see; not found otherwise.
    pub async fn get(&self, viewer: Uuid, id: Uuid) -> EngineResult<MoodEntry> {
        Ok(self.visible(viewer, id).await?.0)
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
        let (entry, access) = self.visible(viewer, id).await?;
        if access != Access::Owner {
            return Err(not_owner());
        }
        let content = if replace {
            draft.complete()
        } else {
            draft.patch(&entry.content())
        };
        let updated = entry.with_content(content.map_err(EngineError::Invalid)?, now());
        if !self.store.update_mood(&updated).await? {
            return Err(EngineError::NotFound("mood entry"));
        }
        Ok(updated)
    }

    pub async fn delete(&self, viewer: Uuid, id: Uuid) -> EngineResult<()> {
        let (_, access) = self.visible(viewer, id).await?;
        if access != Access::Owner {
            return Err(not_owner());
        }
        match self.store.delete_mood(id).await? {
            true => Ok(()),
            false => Err(EngineError::NotFound("mood entry")),
        }
    }

    /// Entries of one user as the viewer may see them, newest first.
    pub async fn list(&self, viewer: Uuid, query: MoodQuery) -> EngineResult<Paged<MoodEntry>> {
        let owner = query.user_id.unwrap_or(viewer);
        let access = self.access(viewer, owner).await?;
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
        let access = self.access(viewer, owner).await?;
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

    async fn visible(&self, viewer: Uuid, id: Uuid) -> EngineResult<(MoodEntry, Access)> {
        let entry = self
            .store
            .mood_by_id(id)
            .await?
            .ok_or(EngineError::NotFound("mood entry"))?;
        let access = match self.access(viewer, entry.user_id).await {
            Err(EngineError::NotFound(_)) => return Err(EngineError::NotFound("mood entry")),
            other => other?,
        };
        if access == Access::PublicOnly && !entry.is_public {
            return Err(EngineError::NotFound("mood entry"));
        }
        Ok((entry, access))
    }

    /// How much of `owner`'s moods `viewer` may see. Not found when the owner does not
    /// exist or has blocked the viewer.
    async fn access(&self, viewer: Uuid, owner: Uuid) -> EngineResult<Access> {
        if viewer == owner {
            return Ok(Access::Owner);
        }
        let user = self
            .store
            .user_by_id(owner)
            .await?
            .ok_or(EngineError::NotFound("user"))?;
        let relation = self.store.relation(owner, viewer).await?;
        if relation.a_blocks_b {
            return Err(EngineError::NotFound("user"));
        }
        Ok(match user.privacy.mood_visibility {
            MoodVisibility::Public => Access::All,
            MoodVisibility::Friends if relation.friends => Access::All,
            MoodVisibility::Friends | MoodVisibility::Private => Access::PublicOnly,
        })
    }
}

fn not_owner() -> EngineError {
    EngineError::forbidden("not_owner", "only the owner can change this mood entry")
}
