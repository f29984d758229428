//! The writes of mood entries, as a `MoodActor` shard runs them: create (idempotently,
//! with streak milestones), change, delete. Each commits the entry with its outbox —
//! a `mood_update` for every friend allowed to see the entry, after retracting the
//! earlier copies that readers may no longer see — and publishes the appended events
//! after the commit.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::sync::Arc;
use uuid::Uuid;

use super::access;
use crate::domain::event::EventKind;
use crate::domain::idempotency::{self, Created, IdempotencyClaim, IdempotencyKey};
use crate::domain::mood::{MoodDraft, MoodEntry};
use crate::domain::outbox::{FriendFanout, Outbox, Retract};
use crate::domain::row_id::new_row_id;
use crate::domain::social::NewNotification;
use crate::domain::streak;
use crate::domain::time::now;
use crate::error::{EngineError, EngineResult};
use crate::limits::Rule;
use crate::realtime::Realtime;
use crate::store::{Claimed, Store};

/// Scope of mood keys in the idempotency table.
const IDEMPOTENCY_SCOPE: &str = "moods";

/// How far back a new entry's streak is looked at: enough for the largest milestone.
const MILESTONE_LOOKBACK_DAYS: i64 = 101;

/// What happened to the entry a `mood_update` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Created,
    Updated,
    Deleted,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Deleted => "deleted",
        }
    }
}

/// The `mood_update` fan-out of a change: the entry as friends read it (camelCase, as
/// the REST API shows it) with `action`; a deleted entry carries only its ids. A
/// deletion retracts every earlier copy; a change that leaves the entry not public
/// retracts them where friends no longer see it (the author's moods are private).
pub(super) fn mood_update(entry: &MoodEntry, change: Change, at: DateTime<Utc>) -> FriendFanout {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let data = match change {
        Change::Deleted => serde_json::json!({
            "action": change.as_str(), "id": entry.id, "userId": entry.user_id,
        }),
        Change::Created | Change::Updated => serde_json::json!({
            "action": change.as_str(),
            "id": entry.id,
            "userId": entry.user_id,
            "mood": entry.mood.as_str(),
            "intensity": entry.intensity,
            "valence": entry.valence,
            "arousal": entry.arousal,
            "note": entry.note,
            "isPublic": entry.is_public,
            "tags": entry.tags,
            "createdAt": time(entry.created_at),
            "updatedAt": time(entry.updated_at),
        }),
    };
    let retract = match change {
        Change::Created => Retract::Nothing,
        Change::Updated if entry.is_public => Retract::Nothing,
        Change::Updated => Retract::IfPrivate,
        Change::Deleted => Retract::Everywhere,
    };
    FriendFanout {
        author: entry.user_id,
        entry: entry.id,
        retract,
        public: entry.is_public,
        kind: EventKind::MoodUpdate,
        data,
        created_at: at,
    }
}

/// The outbox of a new entry: the `mood_update` fan-out to the friends allowed to
/// see it, and the author's `streak_milestone` notification when the entry reaches
/// `milestone` days in a row.
pub fn created_outbox(entry: &MoodEntry, milestone: Option<u32>) -> Outbox {
    let at = entry.created_at;
    let notification = milestone.map(|days| NewNotification {
        id: new_row_id(),
        user_id: entry.user_id,
        kind: "streak_milestone",
        title: format!("{days}-day streak!"),
        body: format!("You have recorded your mood {days} days in a row."),
        data: serde_json::json!({ "streak": days }),
        created_at: at,
    });
    Outbox::new()
        .maybe_notify(notification)
        .fan_out(mood_update(entry, Change::Created, at))
}

/// What a `MoodActor` shard works with.
#[derive(Clone)]
pub(crate) struct MoodWriter {
    pub store: Arc<dyn Store>,
    pub realtime: Realtime,
}

impl MoodWriter {
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
        // After the replay check: a retry with its key is answered even past the limit.
        self.realtime
            .limits()
            .take(Rule::MoodsByUser, author)
            .await?;
        let entry = MoodEntry::new(author, content, at);
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
        let milestone = self.milestone(author, at).await?;
        let outbox = created_outbox(&entry, milestone);
        match self
            .store
            .insert_mood(&entry, &outbox, claim.as_ref())
            .await?
        {
            Claimed::Written(events) => {
                self.realtime.publish(events).await;
                Ok(Created::New(entry))
            }
            Claimed::Replay(answer) => answer.replay(&request_hash),
        }
    }

    /// The streak milestone (in days) a new entry of `user` at `at` reaches, if any.
    async fn milestone(&self, user: Uuid, at: DateTime<Utc>) -> EngineResult<Option<u32>> {
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
        Ok(streak::milestone_reached(before, after))
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
        let entry = access::owned(self.store.as_ref(), viewer, id).await?;
        let content = if replace {
            draft.complete()
        } else {
            draft.patch(&entry.content())
        };
        let at = now();
        let updated = entry.with_content(content.map_err(EngineError::Invalid)?, at);
        let outbox = Outbox::new().fan_out(mood_update(&updated, Change::Updated, at));
        match self.store.update_mood(&updated, &outbox).await? {
            Some(events) => {
                self.realtime.publish(events).await;
                Ok(updated)
            }
            None => Err(EngineError::NotFound("mood entry")),
        }
    }

    pub async fn delete(&self, viewer: Uuid, id: Uuid) -> EngineResult<()> {
        let entry = access::owned(self.store.as_ref(), viewer, id).await?;
        let outbox = Outbox::new().fan_out(mood_update(&entry, Change::Deleted, now()));
        match self.store.delete_mood(id, &outbox).await? {
            Some(events) => {
                self.realtime.publish(events).await;
                Ok(())
            }
            None => Err(EngineError::NotFound("mood entry")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mood::Mood;

    fn entry(public: bool) -> MoodEntry {
        let at = now();
        MoodEntry {
            id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            mood: Mood::Happy,
            intensity: 7,
            valence: 0.8,
            arousal: 0.6,
            note: Some("sunny".into()),
            is_public: public,
            tags: vec!["walk".into()],
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_created_entry_goes_out_whole_and_camel_cased() {
        let e = entry(true);
        let fanout = mood_update(&e, Change::Created, e.created_at);
        assert_eq!(fanout.author, e.user_id);
        assert!(fanout.public);
        assert_eq!(fanout.kind, EventKind::MoodUpdate);
        assert_eq!(fanout.data["action"], "created");
        assert_eq!(fanout.data["userId"], serde_json::json!(e.user_id));
        assert_eq!(fanout.data["isPublic"], true);
        assert_eq!(fanout.data["note"], "sunny");
        assert_eq!(fanout.data["mood"], "happy");
        assert_eq!(fanout.entry, e.id);
        assert_eq!(fanout.retract, Retract::Nothing);
    }

    #[test]
    fn a_change_retracts_what_readers_may_no_longer_see() {
        let public = entry(true);
        let hidden = entry(false);
        let retract = |e: &MoodEntry, change| mood_update(e, change, now()).retract;
        assert_eq!(retract(&public, Change::Updated), Retract::Nothing);
        assert_eq!(retract(&hidden, Change::Updated), Retract::IfPrivate);
        assert_eq!(retract(&public, Change::Deleted), Retract::Everywhere);
        assert_eq!(retract(&hidden, Change::Created), Retract::Nothing);
    }

    #[test]
    fn a_deleted_entry_carries_only_its_ids() {
        let e = entry(false);
        let fanout = mood_update(&e, Change::Deleted, now());
        assert!(!fanout.public);
        assert_eq!(
            fanout.data,
            serde_json::json!({"action": "deleted", "id": e.id, "userId": e.user_id})
        );
    }
}
