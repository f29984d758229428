//! A UserActor goes on delivering across the gap a retraction leaves in a log: when it
//! missed the hint of an event that was retracted since (the bus is at-most-once), the
//! next hint makes it read the store, which answers the events after the gap, and those
//! are delivered — the actor does not wait forever for the retracted id.

use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::outbox::{FriendFanout, Outbox, Retract};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::mood::Moods;
use hugmood_actors::realtime::{Realtime, RealtimeSettings};
use hugmood_actors::store::{self, Store, StoreOptions};
use hugmood_actors::user::Transport;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

async fn user(store: &Arc<dyn Store>, username: &str) -> Uuid {
    let new = NewUser {
        id: Uuid::new_v4(),
        username: username.into(),
        email: None,
        password_hash: None,
        display_name: username.into(),
        is_anonymous: false,
        now: now(),
    };
    store.insert_user(&new).await.expect("user").id
}

#[tokio::test]
async fn an_event_after_a_retracted_one_is_still_delivered_live() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::connect(
        &format!("sqlite://{}/gap.db", dir.path().display()),
        &StoreOptions::default(),
    )
    .await
    .expect("store");
    store.migrate().await.expect("migrate");
    let (author, friend) = (
        user(&store, "gap_author").await,
        user(&store, "gap_friend").await,
    );
    store
        .insert_friendships(&[(author, friend)], now())
        .await
        .expect("friends");
    let realtime = Realtime::start(store.clone(), RealtimeSettings::default(), None)
        .await
        .expect("realtime");
    let moods = Moods::start(store.clone(), realtime.clone(), 1)
        .await
        .expect("moods");
    let mut live = realtime
        .directory
        .subscribe(friend, Transport::Sse, None)
        .await
        .expect("subscribe")
        .expect("under the stream cap");
    assert_eq!(live.joined_after, 0);

    // An entry whose copy (the friend's event 1) is written but whose hint is lost.
    let at = now();
    let entry = MoodEntry {
        id: Uuid::new_v4(),
        user_id: author,
        mood: Mood::Happy,
        intensity: 5,
        valence: 0.8,
        arousal: 0.5,
        note: Some("soon gone".into()),
        is_public: false,
        tags: vec![],
        created_at: at,
        updated_at: at,
    };
    let copy = Outbox::new().fan_out(FriendFanout {
        author,
        entry: entry.id,
        retract: Retract::Nothing,
        public: false,
        kind: EventKind::MoodUpdate,
        data: serde_json::json!({"action": "created", "id": entry.id, "userId": author}),
        created_at: at,
    });
    assert!(store
        .insert_mood(&entry, &copy, None)
        .await
        .expect("insert")
        .is_written());

    // Its deletion retracts event 1 and sends event 2, whose hint does arrive.
    moods.delete(author, entry.id).await.expect("delete");
    let delivered = tokio::time::timeout(Duration::from_secs(5), live.recv())
        .await
        .expect("the event after the gap is delivered")
        .expect("the subscription is open");
    assert_eq!(delivered.event.id, 2);
    let data: serde_json::Value = serde_json::from_str(&delivered.event.data).expect("JSON");
    assert_eq!(data["action"], "deleted");
    moods.stop();
    realtime.stop();
}
