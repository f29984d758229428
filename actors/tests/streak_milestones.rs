//! A new entry that lengthens the streak to a milestone (3, 7, 30, 100 days) stores a
//! `streak_milestone` notification with it; other entries do not.

use chrono::Duration;
use hugmood_actors::domain::mood::{Mood, MoodDraft, MoodEntry};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::mood::Moods;
use hugmood_actors::realtime::{Realtime, RealtimeSettings};
use hugmood_actors::store::{self, StoreOptions};
use uuid::Uuid;

fn entry(user_id: Uuid, days_ago: i64) -> MoodEntry {
    let at = now() - Duration::days(days_ago);
    MoodEntry {
        id: Uuid::new_v4(),
        user_id,
        mood: Mood::Calm,
        intensity: 5,
        valence: 0.6,
        arousal: 0.2,
        note: None,
        is_public: false,
        tags: vec![],
        created_at: at,
        updated_at: at,
    }
}

fn draft() -> MoodDraft {
    MoodDraft {
        mood: Some("happy".into()),
        intensity: Some(6),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_third_day_in_a_row_is_a_milestone_and_the_second_entry_of_a_day_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::connect(
        &format!("sqlite://{}/m.db", dir.path().display()),
        &StoreOptions::default(),
    )
    .await
    .expect("store");
    store.migrate().await.expect("migrate");
    let user = NewUser {
        id: Uuid::new_v4(),
        username: "streaker".into(),
        email: None,
        password_hash: None,
        display_name: "Streaker".into(),
        is_anonymous: false,
        now: now(),
    };
    store.insert_user(&user).await.expect("user");
    store
        .insert_moods(&[entry(user.id, 2), entry(user.id, 1)])
        .await
        .expect("two earlier days");
    let realtime = Realtime::start(store.clone(), RealtimeSettings::default(), None)
        .await
        .expect("realtime");
    let moods = Moods::start(store.clone(), realtime, 2)
        .await
        .expect("moods");

    moods
        .create(user.id, draft(), None)
        .await
        .expect("today's entry");
    assert_eq!(
        store.unread_notifications(user.id).await.expect("count"),
        1,
        "3 days in a row: one milestone"
    );
    let streak = moods.streak(user.id).await.expect("streak");
    assert_eq!((streak.current, streak.longest), (3, 3));

    moods
        .create(user.id, draft(), None)
        .await
        .expect("another entry today");
    assert_eq!(
        store.unread_notifications(user.id).await.expect("count"),
        1,
        "the same day earns nothing new"
    );
}
