//! The cases of the store suite; each takes a fresh, migrated store.

mod events;
mod hugs;
mod moods;
mod outbox;
mod retraction;
mod retraction_migration;
mod sessions;
pub use events::*;
pub use hugs::*;
pub use moods::*;
pub use outbox::*;
pub use retraction::*;
pub use retraction_migration::OldCopies;
pub use sessions::*;

use chrono::Duration;
use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::outbox::Outbox;
use hugmood_actors::domain::page::PageRequest;
use hugmood_actors::domain::session::RefreshTokenRecord;
use hugmood_actors::domain::social::{Direction, FriendRequest, NewNotification, RequestStatus};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::{
    AllowHugsFrom, MoodVisibility, NewUser, Privacy, ProfileUpdate,
};
use hugmood_actors::store::Store;
use hugmood_actors::EngineError;
use std::sync::Arc;
use uuid::Uuid;

fn new_user(username: &str) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        username: username.into(),
        email: Some(format!("{username}@example.com")),
        password_hash: Some("$argon2id$stub".into()),
        display_name: format!("{username} display"),
        is_anonymous: false,
        now: now(),
    }
}

pub async fn user(store: &Arc<dyn Store>, username: &str) -> Uuid {
    store
        .insert_user(&new_user(username))
        .await
        .expect("insert user")
        .id
}

fn page(per_page: u32) -> PageRequest {
    PageRequest::first(per_page)
}

fn conflict_code(err: EngineError) -> &'static str {
    match err {
        EngineError::Conflict { code, .. } => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn request(from: Uuid, to: Uuid) -> (FriendRequest, Outbox) {
    let request = FriendRequest {
        id: Uuid::new_v4(),
        from,
        to,
        status: RequestStatus::Pending,
        created_at: now(),
    };
    let notification = NewNotification {
        id: Uuid::new_v4(),
        user_id: to,
        kind: "friend_request",
        title: "t".into(),
        body: "b".into(),
        data: serde_json::json!({ "requestId": request.id }),
        created_at: request.created_at,
    };
    (request, Outbox::new().notify(notification))
}

pub(crate) fn token(user_id: Uuid, family_id: Uuid) -> RefreshTokenRecord {
    let at = now();
    RefreshTokenRecord {
        id: Uuid::new_v4(),
        family_id,
        user_id,
        token_hash: Uuid::new_v4().to_string(),
        created_at: at,
        expires_at: at + Duration::days(1),
        spent_at: None,
        revoked_at: None,
        successor_id: None,
        successor_sealed: None,
    }
}

pub async fn users_round_trip(store: Arc<dyn Store>) {
    let new = new_user("alice");
    let inserted = store.insert_user(&new).await.expect("insert");
    let read = store
        .user_by_id(new.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(inserted, read);
    assert_eq!(
        read.joined_at, new.now,
        "timestamps survive the round trip exactly"
    );
    assert_eq!(read.privacy, Privacy::default());
    assert!(!read.is_anonymous);
    assert_eq!(
        store
            .user_by_login("ALICE")
            .await
            .expect("login")
            .map(|u| u.id),
        Some(new.id)
    );
    assert_eq!(
        store
            .user_by_login("Alice@Example.com")
            .await
            .expect("login")
            .map(|u| u.id),
        Some(new.id)
    );
    assert!(store.user_by_login("bob").await.expect("login").is_none());
    assert!(store.user_exists(new.id).await.expect("exists"));
    assert!(!store.user_exists(Uuid::new_v4()).await.expect("exists"));
    let later = new.now + Duration::minutes(1);
    store.touch_user(new.id, later).await.expect("touch");
    store
        .touch_user(new.id, new.now)
        .await
        .expect("touch never goes back");
    assert_eq!(
        store
            .user_by_id(new.id)
            .await
            .expect("read")
            .expect("exists")
            .last_active,
        later
    );
}

pub async fn usernames_and_emails_are_unique_case_insensitively(store: Arc<dyn Store>) {
    user(&store, "carol").await;
    let mut same_name = new_user("CAROL");
    same_name.email = Some("other@example.com".into());
    assert_eq!(
        conflict_code(store.insert_user(&same_name).await.expect_err("dup name")),
        "username_taken"
    );
    let mut same_email = new_user("carol2");
    same_email.email = Some("Carol@Example.COM".into());
    assert_eq!(
        conflict_code(store.insert_user(&same_email).await.expect_err("dup email")),
        "email_taken"
    );
    let mut anonymous = new_user("anon_1");
    anonymous.email = None;
    let mut anonymous2 = new_user("anon_2");
    anonymous2.email = None;
    store
        .insert_user(&anonymous)
        .await
        .expect("users without email");
    store.insert_user(&anonymous2).await.expect("do not clash");
}

pub async fn profile_updates_touch_only_sent_fields(store: Arc<dyn Store>) {
    let id = user(&store, "dave").await;
    let first = ProfileUpdate {
        bio: Some(Some("hello".into())),
        status: Some(Some("busy".into())),
        ..Default::default()
    };
    store
        .update_profile(id, &first)
        .await
        .expect("update")
        .expect("exists");
    let second = ProfileUpdate {
        display_name: Some("  Dave  ".into()),
        status: Some(None),
        ..Default::default()
    };
    let updated = store
        .update_profile(id, &second)
        .await
        .expect("update")
        .expect("exists");
    assert_eq!(updated.display_name, "Dave");
    assert_eq!(
        updated.bio.as_deref(),
        Some("hello"),
        "bio not sent, so kept"
    );
    assert_eq!(updated.status, None, "null clears");
    assert!(store
        .update_profile(Uuid::new_v4(), &second)
        .await
        .expect("update")
        .is_none());
}

pub async fn privacy_is_stored(store: Arc<dyn Store>) {
    let id = user(&store, "erin").await;
    let privacy = Privacy {
        mood_visibility: MoodVisibility::Private,
        allow_hugs_from: AllowHugsFrom::Nobody,
        show_online: false,
    };
    assert!(store.set_privacy(id, &privacy).await.expect("set"));
    assert_eq!(
        store
            .user_by_id(id)
            .await
            .expect("read")
            .expect("exists")
            .privacy,
        privacy
    );
    assert!(!store
        .set_privacy(Uuid::new_v4(), &privacy)
        .await
        .expect("set"));
}

pub async fn search_escapes_wildcards_and_hides_blockers(store: Arc<dyn Store>) {
    let viewer = user(&store, "viewer").await;
    let plain = user(&store, "sam_smith").await;
    let other = user(&store, "samxsmith").await;
    let blocker = user(&store, "sam_blocker").await;
    store
        .insert_block(blocker, viewer, now())
        .await
        .expect("block");
    let found = store
        .search_users(viewer, "SAM_", page(10))
        .await
        .expect("search");
    let ids: Vec<Uuid> = found.items.iter().map(|u| u.id).collect();
    assert_eq!(
        ids,
        vec![plain],
        "`_` matches only itself; blockers are hidden"
    );
    assert_eq!(found.total, 1);
    let all = store
        .search_users(viewer, "sam", page(1))
        .await
        .expect("search");
    assert_eq!((all.total, all.items.len(), all.pages()), (2, 1, 2));
    assert!(all.items.iter().all(|u| u.id == plain || u.id == other));
    let by_display = store
        .search_users(viewer, "xsmith display", page(10))
        .await
        .expect("search");
    assert_eq!(by_display.total, 1, "display names match too");
}

pub async fn refresh_tokens_rotate_once(store: Arc<dyn Store>) {
    let id = user(&store, "frank").await;
    let family = Uuid::new_v4();
    let first = token(id, family);
    store.insert_refresh_token(&first).await.expect("insert");
    assert_eq!(
        store
            .refresh_token_by_hash(&first.token_hash)
            .await
            .expect("read"),
        Some(first.clone())
    );
    let second = token(id, family);
    assert!(store
        .rotate_refresh_token(first.id, &second, "sealed-2", now())
        .await
        .expect("rotate"));
    let third = token(id, family);
    assert!(
        !store
            .rotate_refresh_token(first.id, &third, "sealed-3", now())
            .await
            .expect("rotate"),
        "spent once only"
    );
    assert!(
        store
            .refresh_token_by_hash(&third.token_hash)
            .await
            .expect("read")
            .is_none(),
        "nothing stored"
    );
    let spent = store
        .refresh_token_by_hash(&first.token_hash)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(spent.successor_id, Some(second.id), "names its successor");
    assert_eq!(spent.successor_sealed.as_deref(), Some("sealed-2"));
    assert_eq!(
        store.refresh_token_by_id(second.id).await.expect("read"),
        Some(second.clone())
    );
    assert!(!store.token_family_revoked(family).await.expect("read"));
    assert!(store
        .revoke_token_family(family, now())
        .await
        .expect("revoke"));
    assert!(
        !store
            .revoke_token_family(family, now())
            .await
            .expect("revoke again"),
        "revoked once"
    );
    assert!(store.token_family_revoked(family).await.expect("read"));
    let revoked = store
        .refresh_token_by_hash(&second.token_hash)
        .await
        .expect("read")
        .expect("exists");
    assert!(revoked.revoked_at.is_some());
    assert!(
        !store
            .rotate_refresh_token(second.id, &third, "sealed-3", now())
            .await
            .expect("rotate"),
        "revoked cannot rotate"
    );
}

pub async fn friend_requests_are_unique_per_pair(store: Arc<dyn Store>) {
    let (a, b) = (user(&store, "gina").await, user(&store, "hank").await);
    let (first, note) = request(a, b);
    store
        .insert_friend_request(&first, &note)
        .await
        .expect("first request");
    assert_eq!(
        store.friend_request(first.id).await.expect("read"),
        Some(first.clone())
    );
    let (reverse, note) = request(b, a);
    let err = store
        .insert_friend_request(&reverse, &note)
        .await
        .expect_err("pending either way");
    assert_eq!(conflict_code(err), "request_pending");
    let incoming = store
        .list_friend_requests(b, Direction::Incoming, page(10))
        .await
        .expect("list");
    assert_eq!(incoming.items, vec![first.clone()]);
    assert!(store
        .list_friend_requests(b, Direction::Outgoing, page(10))
        .await
        .expect("list")
        .items
        .is_empty());
    assert!(store
        .respond_friend_request(first.id, RequestStatus::Declined, now(), &Outbox::new())
        .await
        .expect("decline")
        .is_some());
    assert!(store
        .respond_friend_request(first.id, RequestStatus::Accepted, now(), &Outbox::new())
        .await
        .expect("again")
        .is_none());
    store
        .insert_friend_request(&reverse, &note)
        .await
        .expect("a new request after the old one was answered");
}

pub async fn accepting_makes_friends(store: Arc<dyn Store>) {
    let (a, b) = (user(&store, "ivan").await, user(&store, "judy").await);
    let (req, note) = request(a, b);
    store
        .insert_friend_request(&req, &note)
        .await
        .expect("request");
    let (_, accepted_note) = request(b, a);
    let events = store
        .respond_friend_request(req.id, RequestStatus::Accepted, now(), &accepted_note)
        .await
        .expect("accept")
        .expect("was pending");
    assert_eq!(events.len(), 1, "the notification's event");
    assert_eq!(events[0].user_id, a);
    assert_eq!(events[0].kind, EventKind::Notification);
    assert!(store.relation(a, b).await.expect("relation").friends);
    assert!(store.relation(b, a).await.expect("relation").friends);
    let friends = store.list_friends(a, page(10)).await.expect("friends");
    assert_eq!(
        friends.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![b]
    );
    assert!(store.remove_friendship(b, a).await.expect("remove"));
    assert!(!store.remove_friendship(a, b).await.expect("remove again"));
    assert_eq!(
        store
            .list_friends(a, page(10))
            .await
            .expect("friends")
            .total,
        0
    );
}

pub async fn blocking_ends_friendship_and_pending_requests(store: Arc<dyn Store>) {
    let (a, b, c) = (
        user(&store, "kate").await,
        user(&store, "liam").await,
        user(&store, "mona").await,
    );
    store
        .insert_friendships(&[(a, b)], now())
        .await
        .expect("friends");
    let (pending, note) = request(c, a);
    store
        .insert_friend_request(&pending, &note)
        .await
        .expect("request");
    store.insert_block(a, b, now()).await.expect("block");
    store
        .insert_block(a, b, now())
        .await
        .expect("blocking twice is harmless");
    store.insert_block(a, c, now()).await.expect("block");
    let relation = store.relation(a, b).await.expect("relation");
    assert!(relation.a_blocks_b && !relation.b_blocks_a && !relation.friends);
    assert!(store.relation(b, a).await.expect("relation").b_blocks_a);
    let declined = store
        .friend_request(pending.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(declined.status, RequestStatus::Declined);
    assert!(store.delete_block(a, b).await.expect("unblock"));
    assert!(!store.delete_block(a, b).await.expect("unblock again"));
}

pub async fn deleting_a_user_removes_what_they_own(store: Arc<dyn Store>) {
    let (a, b) = (user(&store, "nick").await, user(&store, "olga").await);
    store
        .insert_friendships(&[(a, b)], now())
        .await
        .expect("friends");
    let tok = token(a, Uuid::new_v4());
    store.insert_refresh_token(&tok).await.expect("token");
    let (req, note) = request(a, b);
    store
        .insert_friend_request(&req, &note)
        .await
        .expect("request");
    store.insert_block(b, a, now()).await.expect("block");
    assert!(store.delete_user(a).await.expect("delete"));
    assert!(!store.delete_user(a).await.expect("delete again"));
    assert!(store.user_by_id(a).await.expect("read").is_none());
    assert_eq!(
        store
            .list_friends(b, page(10))
            .await
            .expect("friends")
            .total,
        0
    );
    assert!(store
        .refresh_token_by_hash(&tok.token_hash)
        .await
        .expect("read")
        .is_none());
    assert!(store.friend_request(req.id).await.expect("read").is_none());
    assert!(!store.relation(b, a).await.expect("relation").a_blocks_b);
}

pub async fn bulk_inserts(store: Arc<dyn Store>) {
    let users: Vec<NewUser> = (0..1_200).map(|i| new_user(&format!("bulk_{i}"))).collect();
    store.insert_users(&users).await.expect("bulk users");
    let pairs: Vec<(Uuid, Uuid)> = users.windows(2).map(|w| (w[0].id, w[1].id)).collect();
    store
        .insert_friendships(&pairs, now())
        .await
        .expect("bulk friendships");
    store
        .insert_friendships(&pairs, now())
        .await
        .expect("again is harmless");
    assert_eq!(
        store
            .list_friends(users[1].id, page(10))
            .await
            .expect("friends")
            .total,
        2
    );
    let found = store
        .search_users(users[0].id, "bulk_", page(100))
        .await
        .expect("search");
    assert_eq!((found.total, found.items.len()), (1_200, 100));
}

pub async fn users_by_ids_batches_and_hides_blockers(store: Arc<dyn Store>) {
    let users: Vec<NewUser> = (0..1_100)
        .map(|i| new_user(&format!("batch_{i}")))
        .collect();
    store.insert_users(&users).await.expect("users");
    let viewer = users[0].id;
    store
        .insert_block(users[5].id, viewer, now())
        .await
        .expect("block");
    let mut ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    ids.push(Uuid::new_v4());
    let found = store.users_by_ids(&ids, viewer).await.expect("batch");
    assert_eq!(
        found.len(),
        1_099,
        "every existing user but the blocker, across several chunks"
    );
    assert!(found.iter().all(|u| u.id != users[5].id));
    assert!(store
        .users_by_ids(&[], viewer)
        .await
        .expect("empty")
        .is_empty());
}
