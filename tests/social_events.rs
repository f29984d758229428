//! Social events over real HTTP and SSE: a mood entry reaches exactly the friends
//! allowed to see it as `mood_update` (not strangers, not for a private entry, not a
//! blocked user, a public entry to friends only); a friend request and its acceptance
//! reach the other side live; every new inbox item is pushed as `notification`.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
/// How long a stream must stay quiet to show that an event did not come.
const QUIET: Duration = Duration::from_millis(700);

/// Asserts that no `kind` event arrives on `stream` for a while.
async fn assert_no(stream: &mut SseClient, kind: &str, why: &str) {
    let got = stream.quiet_for(QUIET).await;
    assert!(got.iter().all(|e| e.event != kind), "{why}: got {got:?}");
}

#[tokio::test]
async fn a_new_mood_reaches_friends_who_may_see_it_and_nobody_else() {
    let hub = TestHub::start().await;
    let (author, friend, stranger) = (
        hub.register("author").await,
        hub.register("friend").await,
        hub.register("stranger").await,
    );
    hub.befriend(&author, &friend).await;
    let mut friend_stream = SseClient::connect(&hub, &friend.access, None).await;
    let mut stranger_stream = SseClient::connect(&hub, &stranger.access, None).await;
    let mut own_stream = SseClient::connect(&hub, &author.access, None).await;

    // The default visibility (friends): a non-public entry reaches the friend.
    let entry = post_mood(
        &hub,
        &author,
        json!({"mood": "happy", "intensity": 8, "note": "sunny"}),
    )
    .await;
    let update = friend_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("the friend's stream gets mood_update");
    let data = event_json(&update)["data"].clone();
    assert_eq!(data["id"], entry["id"], "{data}");
    assert_eq!(data["userId"], author.id.as_str(), "{data}");
    assert_eq!(data["mood"], "happy", "{data}");
    assert_eq!(data["note"], "sunny", "{data}");
    assert_eq!(data["action"], "created", "{data}");
    assert_no(
        &mut stranger_stream,
        "mood_update",
        "a non-friend gets nothing",
    )
    .await;
    assert_no(&mut own_stream, "mood_update", "nor does the author").await;

    // A public entry goes to friends only, not to everyone.
    let public = post_mood(
        &hub,
        &author,
        json!({"mood": "calm", "intensity": 4, "isPublic": true}),
    )
    .await;
    let update = friend_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("public entry");
    assert_eq!(event_json(&update)["data"]["id"], public["id"]);
    assert_no(
        &mut stranger_stream,
        "mood_update",
        "public is not broadcast",
    )
    .await;

    // A private entry (moodVisibility private, not public) reaches nobody...
    set_mood_visibility(&hub, &author, "private").await;
    post_mood(&hub, &author, json!({"mood": "sad", "intensity": 3})).await;
    assert_no(&mut friend_stream, "mood_update", "a private entry").await;
    // ...while a public one still reaches friends.
    let shared = post_mood(
        &hub,
        &author,
        json!({"mood": "content", "intensity": 5, "isPublic": true}),
    )
    .await;
    let update = friend_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("public again");
    assert_eq!(event_json(&update)["data"]["id"], shared["id"]);

    // Changing and deleting a visible entry reach the friend too, in order.
    let path = format!("/api/v1/moods/{}", str_field(&shared, "id"));
    let (status, body) = hub
        .patch_json(&path, author.token(), json!({"note": "changed"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed = friend_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("update");
    assert_eq!(event_json(&changed)["data"]["action"], "updated");
    assert_eq!(event_json(&changed)["data"]["note"], "changed");
    let (status, body) = hub.delete(&path, author.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let deleted = friend_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("delete");
    assert_eq!(event_json(&deleted)["data"]["action"], "deleted");
    assert_eq!(event_json(&deleted)["data"]["id"], shared["id"]);
    hub.stop().await;
}

#[tokio::test]
async fn a_blocked_friend_gets_no_mood_update() {
    let hub = TestHub::start().await;
    let (author, kept, blocked) = (
        hub.register("author").await,
        hub.register("kept").await,
        hub.register("blocked").await,
    );
    hub.befriend(&author, &kept).await;
    hub.befriend(&author, &blocked).await;
    set_mood_visibility(&hub, &author, "public").await;
    let (status, body) = hub
        .post_empty(&format!("/api/v1/blocks/{}", blocked.id), author.token())
        .await;
    assert!(status.is_success(), "block: {status} {body}");
    let mut kept_stream = SseClient::connect(&hub, &kept.access, None).await;
    let mut blocked_stream = SseClient::connect(&hub, &blocked.access, None).await;
    post_mood(
        &hub,
        &author,
        json!({"mood": "excited", "intensity": 9, "isPublic": true}),
    )
    .await;
    kept_stream
        .next_of_type("mood_update", WAIT)
        .await
        .expect("the remaining friend gets it");
    assert_no(
        &mut blocked_stream,
        "mood_update",
        "the blocked user gets nothing",
    )
    .await;
    hub.stop().await;
}

#[tokio::test]
async fn a_friend_request_and_its_acceptance_reach_the_other_side_live() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut alice_stream = SseClient::connect(&hub, &alice.access, None).await;
    let mut bob_stream = SseClient::connect(&hub, &bob.access, None).await;

    let (status, request) = hub
        .post_json(
            "/api/v1/friends/requests",
            alice.token(),
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let asked = bob_stream
        .next_of_type("friend_request", WAIT)
        .await
        .expect("bob's stream gets friend_request");
    let data = event_json(&asked)["data"].clone();
    assert_eq!(data["id"], request["id"], "{data}");
    assert_eq!(data["from"], alice.id.as_str(), "{data}");
    assert_eq!(data["fromUsername"], alice.username.as_str(), "{data}");
    let note = bob_stream
        .next_of_type("notification", WAIT)
        .await
        .expect("and the inbox item");
    assert_eq!(event_json(&note)["data"]["type"], "friend_request");
    assert_eq!(note.id(), asked.id() + 1, "right after, in the same log");

    let id = str_field(&request, "id");
    let (status, body) = hub
        .post_empty(
            &format!("/api/v1/friends/requests/{id}/accept"),
            bob.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accepted = alice_stream
        .next_of_type("friend_accepted", WAIT)
        .await
        .expect("alice's stream gets friend_accepted");
    let data = event_json(&accepted)["data"].clone();
    assert_eq!(data["requestId"], request["id"], "{data}");
    assert_eq!(data["userId"], bob.id.as_str(), "{data}");
    let note = alice_stream
        .next_of_type("notification", WAIT)
        .await
        .expect("and the inbox item");
    assert_eq!(event_json(&note)["data"]["type"], "friend_accepted");
    assert_no(
        &mut bob_stream,
        "friend_accepted",
        "the one who accepted is not told",
    )
    .await;
    hub.stop().await;
}

#[tokio::test]
async fn every_new_inbox_item_is_pushed_as_a_notification_event() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let hug = send_hug(&hub, &alice, &bob).await;
    let pushed = stream
        .next_of_type("notification", WAIT)
        .await
        .expect("a notification event");
    let data = event_json(&pushed)["data"].clone();
    let (status, inbox) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    let newest = &inbox["notifications"][0];
    assert_eq!(data, *newest, "the event carries the inbox item as listed");
    assert_eq!(data["type"], "hug_received");
    assert_eq!(data["isRead"], false);
    assert_eq!(data["data"]["hugId"], hug["id"]);
    hub.stop().await;
}
