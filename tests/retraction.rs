//! Retraction of copied moods over real HTTP: a `mood_update` copies an entry into a
//! friend's log, and once the entry stops being visible to that friend — the entry is
//! deleted or made not public while moods are private, the author makes moods
//! private, unfriends or blocks them, or deletes the account — neither the log
//! (`GET /events?last_id=0`), nor a long-poll, nor an SSE resume (`Last-Event-ID`,
//! also when the user's live actor still holds the copy in memory) answers it again,
//! and a resume across the gap it leaves gets no `reset`.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
/// How long a resumed stream must stay quiet to show it sent everything.
const QUIET: Duration = Duration::from_millis(700);

/// Posts an entry (intensity 5 unless `body` says otherwise); answers its id.
async fn post(hub: &TestHub, user: &TestUser, mut body: Value) -> String {
    body.as_object_mut()
        .expect("an object")
        .entry("intensity")
        .or_insert(json!(5));
    str_field(&post_mood(hub, user, body).await, "id")
}

async fn patch_mood(hub: &TestHub, user: &TestUser, id: &str, body: Value) {
    let (status, entry) = hub
        .patch_json(&format!("/api/v1/moods/{id}"), user.token(), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{entry}");
}

/// A `mood_update` as (entry id, action).
fn mood_update(event: &Value) -> Option<(String, String)> {
    (event["type"] == "mood_update").then(|| {
        (
            str_field(&event["data"], "id"),
            str_field(&event["data"], "action"),
        )
    })
}

/// `(entry id, action)` pairs, for comparisons.
fn updates(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(id, action)| (id.to_string(), action.to_string()))
        .collect()
}

/// The answer of `GET /events?<query>` for `reader`.
async fn poll(hub: &TestHub, reader: &TestUser, query: &str) -> Value {
    let (status, answer) = hub
        .get(&format!("/api/v1/events?{query}"), reader.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// The `mood_update`s of an answer of `GET /events`.
fn moods_of(answer: &Value) -> Vec<(String, String)> {
    let events = answer["events"].as_array().expect("events");
    events.iter().filter_map(mood_update).collect()
}

/// The `mood_update`s of `reader`'s log, from `GET /events?<query>`.
async fn polled(hub: &TestHub, reader: &TestUser, query: &str) -> Vec<(String, String)> {
    moods_of(&poll(hub, reader, query).await)
}

/// The ids of the `mood_update`s of `reader`'s log.
async fn mood_ids(hub: &TestHub, reader: &TestUser) -> Vec<i64> {
    let answer = poll(hub, reader, "last_id=0").await;
    let events = answer["events"].as_array().expect("events");
    events
        .iter()
        .filter(|e| e["type"] == "mood_update")
        .map(|e| e["id"].as_i64().expect("an id"))
        .collect()
}

/// What an SSE stream resumed after `after` sends before going quiet: its frames'
/// names, and its `mood_update`s.
async fn resumed(
    hub: &TestHub,
    reader: &TestUser,
    after: i64,
) -> (Vec<String>, Vec<(String, String)>) {
    let mut stream = SseClient::connect(hub, &reader.access, Some(after)).await;
    let frames = stream.quiet_for(QUIET).await;
    let names = frames.iter().map(|f| f.event.clone()).collect();
    let moods = frames
        .iter()
        .filter_map(|f| mood_update(&event_json(f)))
        .collect();
    (names, moods)
}

/// The `mood_update`s `reader` has received on `stream`, up to `count` of them.
async fn received(stream: &mut SseClient, count: usize) {
    for n in 0..count {
        stream
            .next_of_type("mood_update", WAIT)
            .await
            .unwrap_or_else(|| panic!("mood_update {} of {count} did not arrive", n + 1));
    }
}

/// Asserts that every way of reading `reader`'s log from the start answers exactly
/// `expected` as its `mood_update`s, and never `secret` (the retracted content): the
/// log, a long-poll, and an SSE resume (which sends no `reset`).
async fn assert_reads(hub: &TestHub, reader: &TestUser, expected: &[(&str, &str)], secret: &str) {
    let expected = updates(expected);
    for (query, how) in [
        ("last_id=0", "the log"),
        ("last_id=0&long_poll=true&timeout=1", "a long-poll"),
    ] {
        let answer = poll(hub, reader, query).await;
        assert!(
            !answer.to_string().contains(secret),
            "{how} answered {answer}"
        );
        assert_eq!(moods_of(&answer), expected, "{how}: {answer}");
    }
    let (names, moods) = resumed(hub, reader, 0).await;
    assert!(
        !names.iter().any(|n| n == "reset"),
        "no reset for a retraction: {names:?}"
    );
    assert_eq!(moods, expected, "an SSE resume");
}

#[tokio::test]
async fn a_deleted_entry_leaves_only_its_deleted_notice() {
    let hub = TestHub::start().await;
    let (author, friend) = (hub.register("author").await, hub.register("friend").await);
    hub.befriend(&author, &friend).await;
    // A live stream: the friend's actor keeps the copies in its ring of recent events.
    let mut live = SseClient::connect(&hub, &friend.access, None).await;
    let gone = post(&hub, &author, json!({"mood": "sad", "note": "secret plan"})).await;
    patch_mood(
        &hub,
        &author,
        &gone,
        json!({"note": "secret plan, changed"}),
    )
    .await;
    let kept = post(&hub, &author, json!({"mood": "happy", "note": "all fine"})).await;
    received(&mut live, 3).await;
    assert_eq!(
        polled(&hub, &friend, "last_id=0").await,
        updates(&[(&gone, "created"), (&gone, "updated"), (&kept, "created")])
    );
    let copies = mood_ids(&hub, &friend).await;

    let (status, body) = hub
        .delete(&format!("/api/v1/moods/{gone}"), author.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let notice = live
        .next_of_type("mood_update", WAIT)
        .await
        .expect("the deletion reaches the friend live");
    let notice_id = notice.id();
    assert_eq!(
        event_json(&notice)["data"],
        json!({"action": "deleted", "id": gone, "userId": author.id})
    );

    assert_reads(
        &hub,
        &friend,
        &[(&kept, "created"), (&gone, "deleted")],
        "secret plan",
    )
    .await;
    assert_eq!(
        mood_ids(&hub, &friend).await,
        [copies[2], notice_id],
        "the retracted ids are gaps"
    );
    // Resuming after the id of a retracted copy answers exactly what follows it.
    let after = updates(&[(&kept, "created"), (&gone, "deleted")]);
    for retracted in [copies[0], copies[1]] {
        let (names, moods) = resumed(&hub, &friend, retracted).await;
        assert!(!names.iter().any(|n| n == "reset"), "{names:?}");
        assert_eq!(moods, after, "an SSE resume after {retracted}");
        let query = format!("last_id={retracted}&long_poll=true&timeout=1");
        assert_eq!(polled(&hub, &friend, &query).await, after, "{query}");
    }
    let query = format!("last_id={}&long_poll=true&timeout=1", copies[2]);
    assert_eq!(
        polled(&hub, &friend, &query).await,
        updates(&[(&gone, "deleted")])
    );
}

#[tokio::test]
async fn an_entry_made_private_goes_where_moods_are_private() {
    let hub = TestHub::start().await;
    let (author, friend) = (hub.register("author").await, hub.register("friend").await);
    hub.befriend(&author, &friend).await;
    // Moods shared with friends: an entry made private is still theirs to see.
    let shared = post(&hub, &author, json!({"mood": "calm", "isPublic": true})).await;
    patch_mood(&hub, &author, &shared, json!({"isPublic": false})).await;
    let shared_copies = [(shared.as_str(), "created"), (shared.as_str(), "updated")];
    assert_eq!(
        polled(&hub, &friend, "last_id=0").await,
        updates(&shared_copies)
    );

    // Private moods: friends see public entries only.
    set_mood_visibility(&hub, &author, "private").await;
    let public = post(
        &hub,
        &author,
        json!({"mood": "excited", "isPublic": true, "note": "once public"}),
    )
    .await;
    let other = post(&hub, &author, json!({"mood": "happy", "isPublic": true})).await;
    assert_eq!(
        polled(&hub, &friend, "last_id=0").await,
        updates(&[(&public, "created"), (&other, "created")]),
        "making moods private took the entry that was no longer public"
    );
    patch_mood(&hub, &author, &public, json!({"isPublic": false})).await;
    assert_reads(&hub, &friend, &[(&other, "created")], "once public").await;
}

#[tokio::test]
async fn private_moods_take_back_what_friends_no_longer_see() {
    let hub = TestHub::start().await;
    let (author, friend) = (hub.register("author").await, hub.register("friend").await);
    hub.befriend(&author, &friend).await;
    let mut live = SseClient::connect(&hub, &friend.access, None).await;
    let hidden = post(
        &hub,
        &author,
        json!({"mood": "anxious", "note": "between us"}),
    )
    .await;
    let public = post(&hub, &author, json!({"mood": "happy", "isPublic": true})).await;
    received(&mut live, 2).await;
    assert_eq!(
        polled(&hub, &friend, "last_id=0").await,
        updates(&[(&hidden, "created"), (&public, "created")])
    );

    set_mood_visibility(&hub, &author, "private").await;
    assert_reads(&hub, &friend, &[(&public, "created")], "between us").await;
    // Widening again brings nothing back.
    set_mood_visibility(&hub, &author, "friends").await;
    assert_reads(&hub, &friend, &[(&public, "created")], "between us").await;
}

#[tokio::test]
async fn unfriending_takes_back_the_copies_both_ways() {
    let hub = TestHub::start().await;
    let (a, b, c) = (
        hub.register("a").await,
        hub.register("b").await,
        hub.register("c").await,
    );
    hub.befriend(&a, &b).await;
    hub.befriend(&c, &b).await;
    let from_a = post(&hub, &a, json!({"mood": "bored", "note": "a's note"})).await;
    let from_b = post(&hub, &b, json!({"mood": "calm", "note": "b's note"})).await;
    let from_c = post(&hub, &c, json!({"mood": "happy"})).await;
    assert_eq!(
        polled(&hub, &b, "last_id=0").await,
        updates(&[(&from_a, "created"), (&from_c, "created")])
    );

    let (status, body) = hub
        .delete(&format!("/api/v1/friends/{}", b.id), a.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_reads(&hub, &b, &[(&from_c, "created")], "a's note").await;
    assert_reads(&hub, &a, &[], "b's note").await;
    assert_reads(&hub, &c, &[(&from_b, "created")], "a's note").await;
}

#[tokio::test]
async fn blocking_takes_back_the_copies_both_ways() {
    let hub = TestHub::start().await;
    let (a, b) = (hub.register("a").await, hub.register("b").await);
    hub.befriend(&a, &b).await;
    let mut live = SseClient::connect(&hub, &b.access, None).await;
    post(
        &hub,
        &a,
        json!({"mood": "angry", "note": "a's note", "isPublic": true}),
    )
    .await;
    post(&hub, &b, json!({"mood": "sad", "note": "b's note"})).await;
    received(&mut live, 1).await;
    assert_eq!(polled(&hub, &a, "last_id=0").await.len(), 1);

    let (status, body) = block(&hub, &b, &a).await;
    assert!(status.is_success(), "{status} {body}");
    assert_reads(&hub, &b, &[], "a's note").await;
    assert_reads(&hub, &a, &[], "b's note").await;
}

#[tokio::test]
async fn a_deleted_account_leaves_no_copies() {
    let hub = TestHub::start().await;
    let (gone, friend, other) = (
        hub.register("gone").await,
        hub.register("friend").await,
        hub.register("other").await,
    );
    hub.befriend(&gone, &friend).await;
    hub.befriend(&other, &friend).await;
    let mut live = SseClient::connect(&hub, &friend.access, None).await;
    for n in 0..3 {
        post(
            &hub,
            &gone,
            json!({"mood": "neutral", "note": format!("gone's note {n}")}),
        )
        .await;
    }
    let kept = post(&hub, &other, json!({"mood": "content"})).await;
    received(&mut live, 4).await;

    let (status, body) = hub.delete("/api/v1/users/me", gone.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_reads(&hub, &friend, &[(&kept, "created")], "gone's note").await;
}
