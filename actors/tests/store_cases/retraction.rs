//! Store cases for the retraction of copied moods: each cause (the entry deleted, made
//! not public while moods are private, moods made private, unfriending, blocking, the
//! account deleted) takes the copies out of exactly the logs that may no longer see
//! them, in its own transaction, and a retracted id keeps its place in the log.

use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::outbox::{FriendFanout, Outbox, Retract};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::{MoodVisibility, Privacy};
use hugmood_actors::store::{EventBounds, Store};
use std::sync::Arc;
use uuid::Uuid;

use super::user;

fn entry(author: Uuid, public: bool) -> MoodEntry {
    let at = now();
    MoodEntry {
        id: Uuid::new_v4(),
        user_id: author,
        mood: Mood::Content,
        intensity: 6,
        valence: 0.5,
        arousal: 0.3,
        note: Some("a copied note".into()),
        is_public: public,
        tags: vec!["copied".into()],
        created_at: at,
        updated_at: at,
    }
}

/// The fan-out of `action` on entry `entry` of `author`, as the mood writes build it.
fn outbox(entry: Uuid, author: Uuid, public: bool, action: &str, retract: Retract) -> Outbox {
    Outbox::new().fan_out(FriendFanout {
        author,
        entry,
        retract,
        public,
        kind: EventKind::MoodUpdate,
        data: serde_json::json!({"action": action, "id": entry, "userId": author}),
        created_at: now(),
    })
}

fn fanout(e: &MoodEntry, action: &str, retract: Retract) -> Outbox {
    outbox(e.id, e.user_id, e.is_public, action, retract)
}

/// The fan-out of deleting entry `entry` of `author`.
pub(super) fn deleted_everywhere(entry: Uuid, author: Uuid, public: bool) -> Outbox {
    outbox(entry, author, public, "deleted", Retract::Everywhere)
}

async fn post(store: &Arc<dyn Store>, e: &MoodEntry) {
    let written = store
        .insert_mood(e, &fanout(e, "created", Retract::Nothing), None)
        .await
        .expect("insert");
    assert!(written.is_written());
}

async fn update(store: &Arc<dyn Store>, e: &MoodEntry, retract: Retract) {
    store
        .update_mood(e, &fanout(e, "updated", retract))
        .await
        .expect("update")
        .expect("the entry exists");
}

fn privacy(mood_visibility: MoodVisibility) -> Privacy {
    Privacy {
        mood_visibility,
        ..Privacy::default()
    }
}

/// `reader`'s log as (event id, entry id, action).
async fn log(store: &Arc<dyn Store>, reader: Uuid) -> Vec<(i64, Uuid, String)> {
    let events = store.events_after(reader, 0, 10_000).await.expect("log");
    events
        .into_iter()
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).expect("JSON");
            let entry = data["id"]
                .as_str()
                .expect("entry id")
                .parse()
                .expect("uuid");
            let action = data["action"].as_str().expect("action").to_owned();
            (e.id, entry, action)
        })
        .collect()
}

/// `reader`'s log as entry ids, in order.
async fn entries(store: &Arc<dyn Store>, reader: Uuid) -> Vec<Uuid> {
    log(store, reader)
        .await
        .into_iter()
        .map(|(_, e, _)| e)
        .collect()
}

pub async fn deleting_an_entry_retracts_its_copies_and_sends_the_notice(store: Arc<dyn Store>) {
    let author = user(&store, "rt_author").await;
    let (f1, f2) = (user(&store, "rt_f1").await, user(&store, "rt_f2").await);
    store
        .insert_friendships(&[(author, f1), (author, f2)], now())
        .await
        .expect("friends");
    let (gone, kept) = (entry(author, false), entry(author, true));
    post(&store, &gone).await;
    post(&store, &kept).await;
    let mut changed = gone.clone();
    changed.note = Some("changed".into());
    update(&store, &changed, Retract::IfPrivate).await;
    let up = |id, e: &MoodEntry, action: &str| (id, e.id, action.to_owned());
    assert_eq!(
        log(&store, f1).await,
        [
            up(1, &gone, "created"),
            up(2, &kept, "created"),
            up(3, &gone, "updated")
        ],
        "the entry and its change reach the friend (moods shared with friends)"
    );

    let notices = store
        .delete_mood(
            gone.id,
            &deleted_everywhere(gone.id, author, gone.is_public),
        )
        .await
        .expect("delete")
        .expect("it existed");
    assert_eq!(notices.len(), 2, "the deletion still goes to both friends");
    for friend in [f1, f2] {
        assert_eq!(
            log(&store, friend).await,
            [up(2, &kept, "created"), up(4, &gone, "deleted")],
            "the copies of the deleted entry are gone, its notice came"
        );
        assert_eq!(
            store.event_bounds(friend).await.expect("bounds"),
            EventBounds {
                oldest: Some(1),
                last: 4
            },
            "a retracted event keeps its place: it was not pruned"
        );
    }
    let after_retracted = store.events_after(f1, 1, 10).await.expect("after 1");
    assert_eq!(
        after_retracted.iter().map(|e| e.id).collect::<Vec<_>>(),
        [2, 4],
        "reading after a retracted id answers exactly what follows"
    );
}

pub async fn an_entry_no_longer_public_is_retracted_where_moods_are_private(store: Arc<dyn Store>) {
    let (author, friend) = (
        user(&store, "np_author").await,
        user(&store, "np_friend").await,
    );
    store
        .insert_friendships(&[(author, friend)], now())
        .await
        .expect("friends");
    // Moods shared with friends: an entry made not public is still theirs to see.
    let shared = entry(author, true);
    post(&store, &shared).await;
    let mut narrowed = shared.clone();
    narrowed.is_public = false;
    update(&store, &narrowed, Retract::IfPrivate).await;
    assert_eq!(entries(&store, friend).await, [shared.id, shared.id]);

    // Private moods: friends see public entries only, so one made not public goes.
    let private = privacy(MoodVisibility::Private);
    assert!(store.set_privacy(author, &private).await.expect("privacy"));
    let (public, other) = (entry(author, true), entry(author, true));
    post(&store, &public).await;
    post(&store, &other).await;
    let mut hidden = public.clone();
    hidden.is_public = false;
    update(&store, &hidden, Retract::IfPrivate).await;
    assert_eq!(
        entries(&store, friend).await,
        [other.id],
        "the moods made private took the first entry's copies, this change the second's"
    );
}

pub async fn private_moods_retract_the_copies_of_entries_not_public(store: Arc<dyn Store>) {
    let (author, friend) = (
        user(&store, "pm_author").await,
        user(&store, "pm_friend").await,
    );
    let other = user(&store, "pm_other").await;
    store
        .insert_friendships(&[(author, friend), (other, friend)], now())
        .await
        .expect("friends");
    let (hidden, public, theirs) = (
        entry(author, false),
        entry(author, true),
        entry(other, false),
    );
    post(&store, &hidden).await;
    post(&store, &public).await;
    post(&store, &theirs).await;
    assert_eq!(
        entries(&store, friend).await,
        [hidden.id, public.id, theirs.id]
    );

    let private = privacy(MoodVisibility::Private);
    assert!(store.set_privacy(author, &private).await.expect("private"));
    assert_eq!(
        entries(&store, friend).await,
        [public.id, theirs.id],
        "only the entry friends may no longer see is retracted"
    );
    let shared = privacy(MoodVisibility::Friends);
    assert!(store.set_privacy(author, &shared).await.expect("friends"));
    assert_eq!(
        entries(&store, friend).await,
        [public.id, theirs.id],
        "widening brings nothing back"
    );
    assert!(!store
        .set_privacy(Uuid::new_v4(), &private)
        .await
        .expect("no such user"));
}

pub async fn ending_a_friendship_retracts_copies_both_ways(store: Arc<dyn Store>) {
    let (a, b, c) = (
        user(&store, "ef_a").await,
        user(&store, "ef_b").await,
        user(&store, "ef_c").await,
    );
    store
        .insert_friendships(&[(a, b), (a, c), (b, c)], now())
        .await
        .expect("friends");
    let (ea, eb, ec) = (entry(a, false), entry(b, true), entry(c, false));
    for e in [&ea, &eb, &ec] {
        post(&store, e).await;
    }
    assert_eq!(entries(&store, a).await, [eb.id, ec.id]);

    assert!(store.remove_friendship(b, a).await.expect("unfriend"));
    assert_eq!(entries(&store, a).await, [ec.id], "b's public entry too");
    assert_eq!(entries(&store, b).await, [ec.id]);
    assert_eq!(
        entries(&store, c).await,
        [ea.id, eb.id],
        "others' logs are untouched"
    );
    assert!(!store.remove_friendship(a, b).await.expect("not friends"));

    store.insert_block(c, a, now()).await.expect("block");
    assert_eq!(entries(&store, a).await, Vec::<Uuid>::new());
    assert_eq!(entries(&store, c).await, [eb.id]);
    assert_eq!(entries(&store, b).await, [ec.id]);
}

pub async fn deleting_an_account_retracts_its_copies_everywhere(store: Arc<dyn Store>) {
    // More copies than one retraction chunk (5,000): 110 friends × 50 entries.
    const FRIENDS: usize = 110;
    const ENTRIES: usize = 50;
    let (author, other) = (
        user(&store, "da_author").await,
        user(&store, "da_other").await,
    );
    let mut friends = Vec::new();
    for n in 0..FRIENDS {
        friends.push(user(&store, &format!("da_f{n}")).await);
    }
    let pairs: Vec<(Uuid, Uuid)> = friends
        .iter()
        .flat_map(|f| [(author, *f), (other, *f)])
        .collect();
    store
        .insert_friendships(&pairs, now())
        .await
        .expect("friends");
    for n in 0..ENTRIES {
        post(&store, &entry(author, n % 2 == 0)).await;
    }
    let theirs = entry(other, false);
    post(&store, &theirs).await;
    assert_eq!(log(&store, friends[0]).await.len(), ENTRIES + 1);

    assert!(store.delete_user(author).await.expect("delete"));
    for friend in &friends {
        assert_eq!(
            entries(&store, *friend).await,
            [theirs.id],
            "every copy of the deleted author's entries is gone"
        );
    }
    let bounds = store.event_bounds(friends[0]).await.expect("bounds");
    assert_eq!(bounds.last, ENTRIES as i64 + 1);
}

/// Posts `count` entries of `author` at once from other tasks while `change` runs;
/// answers their ids.
async fn posting_while(
    store: &Arc<dyn Store>,
    author: Uuid,
    public: bool,
    count: usize,
    change: impl std::future::Future<Output = ()>,
) -> Vec<Uuid> {
    let entries: Vec<MoodEntry> = (0..count).map(|_| entry(author, public)).collect();
    let posts: Vec<_> = entries
        .iter()
        .map(|e| {
            let (store, e) = (store.clone(), e.clone());
            tokio::spawn(async move { post(&store, &e).await })
        })
        .collect();
    change.await;
    for post in posts {
        post.await.expect("post");
    }
    entries.iter().map(|e| e.id).collect()
}

/// On PostgreSQL, writes run at once: a fan-out that read the friendship or the
/// privacy before the change must not leave a copy behind after it.
pub async fn a_retraction_leaves_no_copy_written_at_the_same_time(store: Arc<dyn Store>) {
    const POSTS: usize = 24;
    let (author, friend) = (
        user(&store, "cc_author").await,
        user(&store, "cc_friend").await,
    );
    let other = user(&store, "cc_other").await;
    store
        .insert_friendships(&[(author, friend), (author, other)], now())
        .await
        .expect("friends");
    let unfriend = async {
        tokio::task::yield_now().await;
        assert!(store
            .remove_friendship(author, friend)
            .await
            .expect("unfriend"));
    };
    posting_while(&store, author, true, POSTS, unfriend).await;
    assert_eq!(
        entries(&store, friend).await,
        Vec::<Uuid>::new(),
        "no copy survives the unfriending"
    );

    let private = async {
        tokio::task::yield_now().await;
        let private = privacy(MoodVisibility::Private);
        assert!(store.set_privacy(author, &private).await.expect("private"));
    };
    let hidden = posting_while(&store, author, false, POSTS, private).await;
    let seen = entries(&store, other).await;
    assert!(
        seen.iter().all(|e| !hidden.contains(e)),
        "no copy of an entry that is not public survives private moods"
    );
    assert_eq!(seen.len(), POSTS, "the public entries stay");
}
