//! Store cases for mood entries and idempotency claims.

use chrono::Duration;
use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::idempotency::{IdempotencyClaim, StoredAnswer};
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::outbox::Outbox;
use hugmood_actors::domain::page::PageRequest;
use hugmood_actors::domain::time::now;
use hugmood_actors::mood::created_outbox;
use hugmood_actors::store::{Claimed, MoodFilter, Store};
use std::sync::Arc;
use uuid::Uuid;

use super::user;

fn entry(user_id: Uuid, mood: Mood, minutes_ago: i64, is_public: bool) -> MoodEntry {
    let at = now() - Duration::minutes(minutes_ago);
    let (valence, arousal) = mood.default_affect();
    MoodEntry {
        id: Uuid::new_v4(),
        user_id,
        mood,
        intensity: 5,
        valence,
        arousal,
        note: Some("a note".into()),
        is_public,
        tags: vec!["work".into(), "sleep".into()],
        created_at: at,
        updated_at: at,
    }
}

fn filter(user_id: Uuid) -> MoodFilter {
    MoodFilter {
        user_id,
        include_private: true,
        start: None,
        end: None,
        mood: None,
    }
}

const PAGE: PageRequest = PageRequest::first(50);

pub async fn mood_entries_round_trip_and_filter(store: Arc<dyn Store>) {
    let owner = user(&store, "moody").await;
    let old = entry(owner, Mood::Sad, 120, false);
    let mid = entry(owner, Mood::Happy, 60, true);
    let new = entry(owner, Mood::Happy, 1, false);
    for e in [&old, &mid, &new] {
        assert!(store
            .insert_mood(e, &Outbox::new(), None)
            .await
            .expect("insert")
            .is_written());
    }
    assert_eq!(
        store.mood_by_id(mid.id).await.expect("read"),
        Some(mid.clone()),
        "exact round trip, tags included"
    );
    let all = store.list_moods(&filter(owner), PAGE).await.expect("list");
    assert_eq!(
        all.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![new.id, mid.id, old.id],
        "newest first"
    );
    let public = MoodFilter {
        include_private: false,
        ..filter(owner)
    };
    assert_eq!(
        store.list_moods(&public, PAGE).await.expect("list").items,
        vec![mid.clone()]
    );
    let happy = MoodFilter {
        mood: Some(Mood::Happy),
        ..filter(owner)
    };
    assert_eq!(store.list_moods(&happy, PAGE).await.expect("list").total, 2);
    let window = MoodFilter {
        start: Some(now() - Duration::minutes(90)),
        end: Some(now() - Duration::minutes(30)),
        ..filter(owner)
    };
    assert_eq!(
        store.list_moods(&window, PAGE).await.expect("list").items,
        vec![mid.clone()]
    );
    let paged = store
        .list_moods(
            &filter(owner),
            PageRequest {
                page: 2,
                per_page: 2,
                skip: 0,
            },
        )
        .await
        .expect("list");
    assert_eq!((paged.total, paged.items.len()), (3, 1));
    let from_second = store
        .list_moods(&filter(owner), PageRequest::at_offset(1, 2))
        .await
        .expect("list");
    assert_eq!(
        from_second.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![mid.id, old.id],
        "an offset that is not a multiple of the limit"
    );

    let mut changed = mid.clone();
    changed.tags = vec![];
    changed.note = None;
    changed.mood = Mood::Calm;
    let none = Outbox::new();
    assert!(store
        .update_mood(&changed, &none)
        .await
        .expect("update")
        .is_some());
    assert_eq!(store.mood_by_id(mid.id).await.expect("read"), Some(changed));
    assert!(store
        .delete_mood(old.id, &none)
        .await
        .expect("delete")
        .is_some());
    assert!(store
        .delete_mood(old.id, &none)
        .await
        .expect("delete again")
        .is_none());
    assert!(store
        .update_mood(&old, &none)
        .await
        .expect("update gone")
        .is_none());
}

pub async fn mood_points_and_entry_times(store: Arc<dyn Store>) {
    let owner = user(&store, "points").await;
    let recent = entry(owner, Mood::Excited, 10, false);
    let public = entry(owner, Mood::Calm, 20, true);
    let ancient = entry(owner, Mood::Bored, 60 * 24 * 40, false);
    for e in [&recent, &public, &ancient] {
        store
            .insert_mood(e, &Outbox::new(), None)
            .await
            .expect("insert");
    }
    let since = now() - Duration::days(30);
    let points = store.mood_points(owner, true, since).await.expect("points");
    assert_eq!(points.len(), 2);
    assert!(points
        .iter()
        .all(|p| p.tags == vec!["work".to_string(), "sleep".to_string()]));
    let public_points = store
        .mood_points(owner, false, since)
        .await
        .expect("points");
    assert_eq!(
        public_points.iter().map(|p| p.mood).collect::<Vec<_>>(),
        vec![Mood::Calm]
    );
    assert_eq!(
        store.entry_times(owner, None).await.expect("times").len(),
        3
    );
    assert_eq!(
        store
            .entry_times(owner, Some(since))
            .await
            .expect("times")
            .len(),
        2
    );
}

pub async fn idempotency_claims_replay_and_expire(store: Arc<dyn Store>) {
    let owner = user(&store, "idem").await;
    let at = now();
    let claim = |response: &str, created_at| IdempotencyClaim {
        user_id: owner,
        scope: "moods",
        key: "retry-1".into(),
        request_hash: format!("hash-{response}"),
        response: response.into(),
        created_at,
    };
    let first = entry(owner, Mood::Happy, 0, false);
    let stale = claim("stale", at - Duration::hours(25));
    assert!(store
        .insert_mood(
            &entry(owner, Mood::Sad, 0, false),
            &Outbox::new(),
            Some(&stale)
        )
        .await
        .expect("old")
        .is_written());
    assert!(store
        .insert_mood(&first, &Outbox::new(), Some(&claim("first", at)))
        .await
        .expect("expired claim replaced")
        .is_written());
    let retry = entry(owner, Mood::Happy, 0, false);
    let answer = store
        .insert_mood(&retry, &Outbox::new(), Some(&claim("second", at)))
        .await
        .expect("retry");
    let expected = StoredAnswer {
        request_hash: "hash-first".into(),
        response: "first".into(),
    };
    assert_eq!(
        answer,
        Claimed::Replay(expected.clone()),
        "the live claim answers"
    );
    assert!(
        store.mood_by_id(retry.id).await.expect("read").is_none(),
        "the retry wrote nothing"
    );
    let since = at - Duration::hours(24);
    assert_eq!(
        store
            .idempotent_answer(owner, "moods", "retry-1", since)
            .await
            .expect("answer"),
        Some(expected)
    );
    assert!(
        store
            .idempotent_answer(owner, "hugs", "retry-1", since)
            .await
            .expect("answer")
            .is_none(),
        "per scope"
    );
    // Pruning takes the expired claims only; the live one still answers.
    let stale_since = at - Duration::hours(48);
    assert_eq!(store.prune_idempotency_keys(since).await.expect("prune"), 0);
    assert!(
        store
            .idempotent_answer(owner, "moods", "retry-1", stale_since)
            .await
            .expect("answer")
            .is_some(),
        "the live claim stays"
    );
    let old = claim("old", at - Duration::hours(30));
    let old = IdempotencyClaim {
        key: "old-1".into(),
        ..old
    };
    assert!(store
        .insert_mood(
            &entry(owner, Mood::Calm, 0, false),
            &Outbox::new(),
            Some(&old)
        )
        .await
        .expect("an old claim")
        .is_written());
    assert_eq!(store.prune_idempotency_keys(since).await.expect("prune"), 1);
    assert!(
        store
            .idempotent_answer(owner, "moods", "old-1", stale_since)
            .await
            .expect("answer")
            .is_none(),
        "the expired claim is gone"
    );
}

/// Seeding's path: many entries in one transaction, each with its outbox as the
/// API's writes it (friends' `mood_update`, a notification and its event).
pub async fn many_entries_are_written_with_their_outboxes(store: Arc<dyn Store>) {
    assert_eq!(store.migrate().await.expect("migrate"), 0, "up to date");
    let author = user(&store, "manyauthor").await;
    let friends = [user(&store, "manyf1").await, user(&store, "manyf2").await];
    let pairs: Vec<(Uuid, Uuid)> = friends.iter().map(|f| (author, *f)).collect();
    store
        .insert_friendships(&pairs, now())
        .await
        .expect("friends");
    let first = entry(author, Mood::Calm, 20, false);
    let second = entry(author, Mood::Happy, 10, true);
    let writes = [
        (first.clone(), created_outbox(&first, Some(3))),
        (second.clone(), created_outbox(&second, None)),
    ];
    let appended = store
        .insert_moods_with_outboxes(&writes)
        .await
        .expect("written");
    assert_eq!(
        appended,
        2 * friends.len() + 1,
        "two fan-outs and a notification"
    );
    for friend in friends {
        let log = store.events_after(friend, 0, 10).await.expect("log");
        assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
        assert!(log.iter().all(|e| e.kind == EventKind::MoodUpdate));
    }
    let own = store.events_after(author, 0, 10).await.expect("own log");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].kind, EventKind::Notification);
    assert_eq!(store.unread_notifications(author).await.expect("unread"), 1);
    for e in [first, second] {
        assert!(store.mood_by_id(e.id).await.expect("read").is_some());
    }
}
