//! Outboxes written with their change: events and notifications in order, and the
//! fan-out of one event to exactly the friends allowed to see an entry — over more
//! recipients than one multi-row insert holds.

use hugmood_actors::domain::event::{EventKind, NewEvent};
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::outbox::{FriendFanout, Outbox, Retract};
use hugmood_actors::domain::social::{FriendRequest, NewNotification, RequestStatus};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::{MoodVisibility, Privacy};
use hugmood_actors::store::{Claimed, Store};
use std::collections::BTreeSet;
use std::sync::Arc;
use uuid::Uuid;

use super::user;

pub async fn outbox_events_come_in_order_with_notification_events(store: Arc<dyn Store>) {
    let (a, b) = (user(&store, "outa").await, user(&store, "outb").await);
    let at = now();
    let request = FriendRequest {
        id: Uuid::new_v4(),
        from: a,
        to: b,
        status: RequestStatus::Pending,
        created_at: at,
    };
    let notification = NewNotification {
        id: Uuid::new_v4(),
        user_id: b,
        kind: "friend_request",
        title: "t".into(),
        body: "b".into(),
        data: serde_json::json!({"requestId": request.id}),
        created_at: at,
    };
    let outbox = Outbox::new()
        .event(NewEvent {
            user_id: b,
            kind: EventKind::FriendRequest,
            data: serde_json::json!({"id": request.id}),
            created_at: at,
        })
        .notify(notification.clone());
    let written = store
        .insert_friend_request(&request, &outbox)
        .await
        .expect("request");
    assert_eq!(
        written.iter().map(|e| (e.id, e.kind)).collect::<Vec<_>>(),
        [(1, EventKind::FriendRequest), (2, EventKind::Notification)]
    );
    let stored = store.events_after(b, 0, 10).await.expect("log");
    assert_eq!(stored, written, "what was returned is what was stored");
    let data: serde_json::Value = serde_json::from_str(&stored[1].data).expect("JSON");
    assert_eq!(data["id"], serde_json::json!(notification.id));
    assert_eq!(data["type"], "friend_request");
    assert_eq!(store.unread_notifications(b).await.expect("count"), 1);
    assert!(store.events_after(a, 0, 10).await.expect("log").is_empty());
}

fn entry(author: Uuid, public: bool) -> MoodEntry {
    let at = now();
    MoodEntry {
        id: Uuid::new_v4(),
        user_id: author,
        mood: Mood::Calm,
        intensity: 5,
        valence: 0.3,
        arousal: 0.2,
        note: None,
        is_public: public,
        tags: vec![],
        created_at: at,
        updated_at: at,
    }
}

async fn post(store: &Arc<dyn Store>, author: Uuid, public: bool) -> BTreeSet<Uuid> {
    let e = entry(author, public);
    let fanout = FriendFanout {
        author,
        entry: e.id,
        retract: Retract::Nothing,
        public,
        kind: EventKind::MoodUpdate,
        data: serde_json::json!({"id": e.id}),
        created_at: e.created_at,
    };
    match store
        .insert_mood(&e, &Outbox::new().fan_out(fanout), None)
        .await
        .expect("insert")
    {
        Claimed::Written(events) => {
            assert!(events.iter().all(|ev| ev.kind == EventKind::MoodUpdate));
            events.iter().map(|ev| ev.user_id).collect()
        }
        Claimed::Replay(_) => panic!("no key, no replay"),
    }
}

pub async fn mood_fan_out_reaches_exactly_the_friends_who_may_see(store: Arc<dyn Store>) {
    const FRIENDS: usize = 450;
    let author = user(&store, "fanauthor").await;
    let mut friends = BTreeSet::new();
    for n in 0..FRIENDS {
        friends.insert(user(&store, &format!("fan{n}")).await);
    }
    let stranger = user(&store, "fanstranger").await;
    let pairs: Vec<(Uuid, Uuid)> = friends.iter().map(|f| (author, *f)).collect();
    store
        .insert_friendships(&pairs, now())
        .await
        .expect("friends");
    // A friendship and a block at once (the block wins): that friend gets nothing.
    let blocked = *friends.iter().next().expect("a friend");
    store
        .insert_block(blocked, author, now())
        .await
        .expect("block");
    store
        .insert_friendships(&[(author, blocked)], now())
        .await
        .expect("friends again");
    let allowed: BTreeSet<Uuid> = friends.iter().copied().filter(|f| *f != blocked).collect();

    // Default visibility (friends): a non-public entry reaches every allowed friend.
    assert_eq!(post(&store, author, false).await, allowed);
    assert_eq!(post(&store, author, true).await, allowed);
    let some = *allowed.iter().next().expect("an allowed friend");
    let log = store.events_after(some, 0, 10).await.expect("log");
    assert_eq!(
        log.iter().map(|e| e.id).collect::<Vec<_>>(),
        [1, 2],
        "gapless per user"
    );
    assert!(store
        .events_after(stranger, 0, 10)
        .await
        .expect("log")
        .is_empty());
    assert!(store
        .events_after(blocked, 0, 10)
        .await
        .expect("log")
        .is_empty());
    assert!(store
        .events_after(author, 0, 10)
        .await
        .expect("log")
        .is_empty());

    // Private moods: only public entries go out (to friends, still not to strangers).
    let private = Privacy {
        mood_visibility: MoodVisibility::Private,
        ..Privacy::default()
    };
    assert!(store.set_privacy(author, &private).await.expect("privacy"));
    assert!(post(&store, author, false).await.is_empty());
    assert_eq!(post(&store, author, true).await, allowed);
    assert_eq!(
        store.event_bounds(some).await.expect("bounds").last,
        3,
        "the private entry wrote nothing"
    );
}
