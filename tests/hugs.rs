//! Hugs over real HTTP: sending and its validation, privacy and blocks, idempotent
//! retries, the per-sender rate limit, lists, reading one, marking seen (and the
//! sender's `hug_seen` event), hugging back, and the sent → delivered → seen status.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const HUGS: &str = "/api/v1/hugs";

fn hug_body(to: &TestUser, hug_type: &str) -> Value {
    json!({"recipientId": to.id, "hugType": hug_type})
}

/// POST /hugs with an `Idempotency-Key`.
async fn send_with_key(hub: &TestHub, from: &TestUser, key: &str, body: &Value) -> Reply {
    let response = hub
        .client
        .post(hub.url(HUGS))
        .bearer_auth(&from.access)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("send a hug");
    read_reply(response).await
}

async fn total(hub: &TestHub, user: &TestUser, which: &str) -> u64 {
    let (status, page) = hub.get(&format!("{HUGS}/{which}"), user.token()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total in {page}"))
}

async fn status_of(hub: &TestHub, viewer: &TestUser, hug_id: &str) -> String {
    let (status, hug) = hub.get(&format!("{HUGS}/{hug_id}"), viewer.token()).await;
    assert_eq!(status, StatusCode::OK, "{hug}");
    str_field(&hug, "status")
}

fn assert_rfc3339(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string time: {value}"));
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("not RFC 3339: {text}: {e}"));
}

#[tokio::test]
async fn a_hug_is_created_with_its_full_shape() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let (status, hug) = hub
        .post_json(
            HUGS,
            alice.token(),
            json!({"recipientId": bob.id, "hugType": "bear", "message": "hang in there"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hug}");
    assert!(
        uuid::Uuid::parse_str(&str_field(&hug, "id")).is_ok(),
        "a UUID id: {hug}"
    );
    assert_eq!(hug["senderId"], alice.id.as_str());
    assert_eq!(hug["recipientId"], bob.id.as_str());
    assert_eq!(hug["hugType"], "bear");
    assert_eq!(hug["message"], "hang in there");
    assert_eq!(hug["status"], "sent");
    assert_rfc3339(&hug["sentAt"]);
    let mut keys: Vec<&str> = hug
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "hugType",
            "id",
            "message",
            "recipientId",
            "senderId",
            "sentAt",
            "status"
        ],
        "{hug}"
    );

    // Without a message, `message` is there and null; every hug type is accepted.
    for hug_type in ["warm", "bear", "side", "group", "healing", "celebration"] {
        let (status, hug) = hub
            .post_json(HUGS, alice.token(), hug_body(&bob, hug_type))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{hug_type}: {hug}");
        assert_eq!(hug["hugType"], hug_type);
        assert!(hug["message"].is_null(), "no message: {hug}");
    }
    hub.stop().await;
}

#[tokio::test]
async fn invalid_hugs_are_refused_naming_the_field() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let cases = [
        (json!({"hugType": "warm"}), "recipientId"),
        (
            json!({"recipientId": alice.id, "hugType": "warm"}),
            "recipientId",
        ),
        (
            json!({"recipientId": bob.id, "hugType": "smother"}),
            "hugType",
        ),
        (json!({"recipientId": bob.id}), "hugType"),
        (
            json!({"recipientId": bob.id, "hugType": "warm", "message": "x".repeat(281)}),
            "message",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = hub.post_json(HUGS, alice.token(), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_names_field(&answer, field);
    }
    // 280 characters (multi-byte ones count once) is fine.
    let (status, answer) = hub
        .post_json(
            HUGS,
            alice.token(),
            json!({"recipientId": bob.id, "hugType": "warm", "message": "é".repeat(280)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    let (status, answer) = hub
        .post_json(
            HUGS,
            alice.token(),
            json!({"recipientId": uuid::Uuid::new_v4(), "hugType": "warm"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_error(&answer, "not_found");

    let (status, answer) = hub.post_json(HUGS, None, hug_body(&bob, "warm")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");

    assert_eq!(total(&hub, &alice, "sent").await, 1, "only the valid one");
    hub.stop().await;
}

#[tokio::test]
async fn privacy_and_blocks_forbid_hugs() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    hub.befriend(&alice, &carol).await;

    let set_allow = |user: &TestUser, allow: &str| {
        let token = user.access.clone();
        let body = json!({"allowHugsFrom": allow});
        let hub = &hub;
        async move {
            let (status, answer) = hub
                .put_json("/api/v1/users/me/privacy", Some(&token), body)
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
    };

    // "nobody": not even a friend.
    set_allow(&carol, "nobody").await;
    let (status, answer) = hub
        .post_json(HUGS, alice.token(), hug_body(&carol, "warm"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_error(&answer, "hugs_not_allowed");

    // "friends": a friend may, a stranger may not.
    set_allow(&carol, "friends").await;
    let (status, answer) = hub
        .post_json(HUGS, alice.token(), hug_body(&carol, "warm"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "a friend: {answer}");
    let (status, answer) = hub
        .post_json(HUGS, bob.token(), hug_body(&carol, "warm"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a stranger: {answer}");
    assert_error(&answer, "hugs_not_allowed");

    // Blocks forbid hugs both ways, whatever the privacy says.
    let (status, answer) = block(&hub, &bob, &alice).await;
    assert!(status.is_success(), "block: {answer}");
    let (status, answer) = hub
        .post_json(HUGS, alice.token(), hug_body(&bob, "warm"))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "blocked by the recipient: {answer}"
    );
    assert_error(&answer, "hugs_not_allowed");
    let (status, answer) = hub
        .post_json(HUGS, bob.token(), hug_body(&alice, "warm"))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the recipient is blocked: {answer}"
    );
    assert_error(&answer, "hugs_not_allowed");
    let (status, answer) = unblock(&hub, &bob, &alice).await;
    assert!(status.is_success(), "unblock: {answer}");
    let (status, answer) = hub
        .post_json(HUGS, alice.token(), hug_body(&bob, "warm"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "after the unblock: {answer}");

    assert_eq!(total(&hub, &carol, "received").await, 1);
    assert_eq!(total(&hub, &bob, "received").await, 1);
    hub.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let body = json!({"recipientId": bob.id, "hugType": "healing", "message": "again?"});
    let first = send_with_key(&hub, &alice, "offline-queue-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = send_with_key(&hub, &alice, "offline-queue-1", &body).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_eq!(again.body, first.body, "the identical first answer");
    assert_eq!(total(&hub, &alice, "sent").await, 1, "nothing new created");
    assert_eq!(total(&hub, &bob, "received").await, 1);

    let other = json!({"recipientId": bob.id, "hugType": "warm"});
    let reused = send_with_key(&hub, &alice, "offline-queue-1", &other).await;
    assert_eq!(reused.status, StatusCode::CONFLICT, "{}", reused.text);
    assert_error(&reused.body, "idempotency_key_reused");

    // Keys belong to their user: the same key from someone else is a new hug.
    let theirs = send_with_key(&hub, &carol, "offline-queue-1", &body).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.text);
    assert_ne!(theirs.body["id"], first.body["id"]);
    assert_eq!(total(&hub, &bob, "received").await, 2);

    // A new key is a new hug.
    let fresh = send_with_key(&hub, &alice, "offline-queue-2", &body).await;
    assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.text);
    assert_ne!(fresh.body["id"], first.body["id"]);
    assert_eq!(total(&hub, &alice, "sent").await, 2);

    // The recipient got one hug_received event per hug actually created.
    let (status, events) = hub.get("/api/v1/events", bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let received = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "hug_received")
        .count();
    assert_eq!(received, 3, "{events}");
    hub.stop().await;
}

#[tokio::test]
async fn the_fourth_hug_in_a_minute_is_rate_limited() {
    let hub = TestHub::start_with(|c| c.hug_rate_per_minute = 3).await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    for n in 0..3 {
        let (status, answer) = hub
            .post_json(HUGS, alice.token(), hug_body(&bob, "warm"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "hug {n}: {answer}");
    }
    let reply = hub
        .send(
            Method::POST,
            HUGS,
            alice.token(),
            Some(&hug_body(&bob, "warm")),
        )
        .await;
    assert_rate_limited(&reply, 60);
    assert_eq!(
        total(&hub, &alice, "sent").await,
        3,
        "the refused one is not created"
    );

    // The limit is per sender.
    let (status, answer) = hub
        .post_json(HUGS, carol.token(), hug_body(&bob, "warm"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "another sender: {answer}");
    hub.stop().await;
}

#[tokio::test]
async fn lists_are_paginated_newest_first() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let mut sent = Vec::new();
    for hug_type in ["warm", "bear", "side"] {
        let (status, hug) = hub
            .post_json(HUGS, alice.token(), hug_body(&bob, hug_type))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{hug}");
        sent.push(str_field(&hug, "id"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, hug) = hub
        .post_json(HUGS, carol.token(), hug_body(&bob, "group"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hug}");

    let (status, page) = hub.get(&format!("{HUGS}/sent"), alice.token()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let newest_first: Vec<String> = sent.iter().rev().cloned().collect();
    assert_eq!(ids(&page["items"]), newest_first, "{page}");
    assert_eq!(page["total"], 3);
    assert_eq!(page["pages"], 1);
    assert_eq!(page["page"], 1);
    assert_eq!(page["perPage"], 20);

    let (status, page) = hub
        .get(&format!("{HUGS}/received?per_page=3&page=1"), bob.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(page["pages"], 2, "{page}");
    assert_eq!(page["perPage"], 3, "{page}");
    assert_eq!(page["items"][0]["hugType"], "group", "newest first: {page}");
    assert_eq!(page["items"][0]["senderId"], carol.id.as_str());
    let (status, page2) = hub
        .get(&format!("{HUGS}/received?per_page=3&page=2"), bob.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{page2}");
    assert_eq!(ids(&page2["items"]), vec![sent[0].clone()], "{page2}");

    // Lists are one's own.
    assert_eq!(total(&hub, &bob, "sent").await, 0);
    assert_eq!(total(&hub, &alice, "received").await, 0);

    let (status, answer) = hub
        .get(&format!("{HUGS}/received?per_page=0"), bob.token())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    hub.stop().await;
}

#[tokio::test]
async fn a_hug_is_visible_to_its_sender_and_recipient_only() {
    let hub = TestHub::start().await;
    let (alice, bob, eve) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("eve").await,
    );
    let hug = send_hug(&hub, &alice, &bob).await;
    let path = format!("{HUGS}/{}", str_field(&hug, "id"));
    for viewer in [&alice, &bob] {
        let (status, got) = hub.get(&path, viewer.token()).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got, hug, "the same hug");
    }
    let (status, answer) = hub.get(&path, eve.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a third user: {answer}");
    assert_error(&answer, "not_found");
    let (status, answer) = hub
        .get(&format!("{HUGS}/{}", uuid::Uuid::new_v4()), bob.token())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_error(&answer, "not_found");
    let (status, answer) = hub.get(&format!("{HUGS}/not-a-uuid"), bob.token()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = hub.get(&path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    hub.stop().await;
}

#[tokio::test]
async fn marking_seen_tells_the_sender_once() {
    let hub = TestHub::start().await;
    let (alice, bob, eve) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("eve").await,
    );
    let mut alice_stream = SseClient::connect(&hub, &alice.access, None).await;
    let hug = send_hug(&hub, &alice, &bob).await;
    let seen_path = format!("{HUGS}/{}/seen", str_field(&hug, "id"));

    let (status, answer) = hub.post_empty(&seen_path, alice.token()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the sender: {answer}");
    assert_error(&answer, "not_recipient");
    let (status, answer) = hub.post_empty(&seen_path, eve.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a third user: {answer}");

    let (status, seen) = hub.post_empty(&seen_path, bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["status"], "seen");
    assert_eq!(seen["id"], hug["id"]);

    let event = alice_stream
        .next_of_type("hug_seen", Duration::from_secs(5))
        .await
        .expect("the sender's stream gets hug_seen");
    let json = event_json(&event);
    assert_eq!(json["data"]["id"], hug["id"], "{json}");
    assert_eq!(json["data"]["status"], "seen", "{json}");
    assert_eq!(json["data"]["recipientId"], bob.id.as_str(), "{json}");

    let (status, again) = hub.post_empty(&seen_path, bob.token()).await;
    assert_eq!(status, StatusCode::OK, "a second seen: {again}");
    assert_eq!(again["status"], "seen");
    assert_eq!(
        status_of(&hub, &alice, &str_field(&hug, "id")).await,
        "seen"
    );

    let more = alice_stream.quiet_for(Duration::from_millis(700)).await;
    assert!(
        more.iter().all(|e| e.event != "hug_seen"),
        "no second hug_seen: {more:?}"
    );
    let (status, events) = hub.get("/api/v1/events", alice.token()).await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["hug_seen", "notification"],
        "one hug_seen (and its inbox item) in the sender's log"
    );
    hub.stop().await;
}

#[tokio::test]
async fn hugging_back_sends_a_new_hug_to_the_sender() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let (status, hug) = hub
        .post_json(HUGS, alice.token(), hug_body(&bob, "celebration"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hug}");
    let path = format!("{HUGS}/{}/reciprocate", str_field(&hug, "id"));

    let (status, back) = hub.post_empty(&path, bob.token()).await;
    assert_eq!(status, StatusCode::CREATED, "{back}");
    assert_ne!(back["id"], hug["id"], "a new hug");
    assert_eq!(back["senderId"], bob.id.as_str());
    assert_eq!(back["recipientId"], alice.id.as_str());
    assert_eq!(back["hugType"], "celebration", "the same type by default");
    assert_eq!(back["status"], "sent");

    let (status, back2) = hub
        .post_json(
            &path,
            bob.token(),
            json!({"hugType": "bear", "message": "you too"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{back2}");
    assert_eq!(back2["hugType"], "bear");
    assert_eq!(back2["message"], "you too");
    assert_eq!(back2["recipientId"], alice.id.as_str());

    let (status, answer) = hub.post_empty(&path, alice.token()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the sender cannot: {answer}");
    assert_error(&answer, "not_recipient");
    let (status, answer) = hub
        .post_json(&path, bob.token(), json!({"hugType": "smother"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_names_field(&answer, "hugType");

    assert_eq!(total(&hub, &alice, "received").await, 2);

    // A retried hug-back with its key is one hug.
    let retry = |key: &'static str| {
        let request = hub
            .client
            .post(hub.url(&path))
            .bearer_auth(&bob.access)
            .header("Idempotency-Key", key);
        async move { read_reply(request.send().await.expect("hug back")).await }
    };
    let first = retry("hug-back-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = retry("hug-back-1").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_eq!(again.body, first.body);
    assert_eq!(total(&hub, &alice, "received").await, 3);

    // The original sender's privacy still applies to the hug back.
    let (status, answer) = hub
        .put_json(
            "/api/v1/users/me/privacy",
            alice.token(),
            json!({"allowHugsFrom": "nobody"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = hub.post_empty(&path, bob.token()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_error(&answer, "hugs_not_allowed");
    hub.stop().await;
}

#[tokio::test]
async fn a_hug_pushed_to_a_live_stream_becomes_delivered() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let hug = send_hug(&hub, &alice, &bob).await;
    let id = str_field(&hug, "id");
    assert!(
        stream
            .next_of_type("hug_received", Duration::from_secs(5))
            .await
            .is_some(),
        "the stream got the hug"
    );
    let (h, a, i) = (&hub, &alice, id.as_str());
    let delivered = eventually(Duration::from_secs(2), || async move {
        status_of(h, a, i).await == "delivered"
    })
    .await;
    assert!(
        delivered,
        "still {:?} 2 s after the push",
        status_of(&hub, &alice, &id).await
    );

    // Nobody listening: it stays "sent".
    let unheard = send_hug(&hub, &alice, &carol).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        status_of(&hub, &alice, &str_field(&unheard, "id")).await,
        "sent"
    );

    // Seen right after the push: "delivered" must not overwrite "seen".
    let quick = send_hug(&hub, &alice, &bob).await;
    let quick_id = str_field(&quick, "id");
    let (status, seen) = hub
        .post_empty(&format!("{HUGS}/{quick_id}/seen"), bob.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status_of(&hub, &bob, &quick_id).await, "seen");
    hub.stop().await;
}

#[tokio::test]
async fn delivered_is_not_shown_while_the_recipient_hides_being_online() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let (status, answer) = hub
        .put_json(
            "/api/v1/users/me/privacy",
            bob.token(),
            json!({"showOnline": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let hug = send_hug(&hub, &alice, &bob).await;
    let id = str_field(&hug, "id");
    assert!(
        stream
            .next_of_type("hug_received", Duration::from_secs(5))
            .await
            .is_some(),
        "the stream got the hug"
    );
    // Well past the marking delay: every read of the sender's still says "sent".
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(status_of(&hub, &alice, &id).await, "sent");
    let (status, sent) = hub.get(&format!("{HUGS}/sent"), alice.token()).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["items"][0]["id"], hug["id"]);
    assert_eq!(sent["items"][0]["status"], "sent", "{sent}");
    let query = json!({"query": "{ hugsSent(limit: 5) { id status } }"});
    let (status, answer) = hub.post_json("/graphql", alice.token(), query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["hugsSent"][0]["status"], "sent", "{answer}");

    // The push was noted all along: once Bob shows his presence, so does the hug.
    let (status, answer) = hub
        .put_json(
            "/api/v1/users/me/privacy",
            bob.token(),
            json!({"showOnline": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(status_of(&hub, &alice, &id).await, "delivered");
    hub.stop().await;
}

#[tokio::test]
async fn a_retry_with_its_key_is_replayed_even_past_the_rate_limit() {
    let hub = TestHub::start_with(|c| c.hug_rate_per_minute = 2).await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let body = hug_body(&bob, "warm");
    let first = send_with_key(&hub, &alice, "queued-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = send_with_key(&hub, &alice, "queued-2", &body).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    let limited = send_with_key(&hub, &alice, "queued-3", &body).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.text
    );
    // The offline queue replays the first one: it was created, so it is answered.
    let replay = send_with_key(&hub, &alice, "queued-1", &body).await;
    assert_eq!(replay.status, StatusCode::CREATED, "{}", replay.text);
    assert_eq!(replay.body, first.body);
    assert_eq!(total(&hub, &alice, "sent").await, 2);
    hub.stop().await;
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_hug() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let body = json!({"recipientId": bob.id, "hugType": "side", "message": "once"});
    let replies = futures::future::join_all(
        (0..6).map(|_| send_with_key(&hub, &alice, "flaky-network-7", &body)),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(
            reply.body, replies[0].body,
            "every retry answers the same hug"
        );
    }
    assert_eq!(total(&hub, &alice, "sent").await, 1);
    assert_eq!(total(&hub, &bob, "received").await, 1);
    hub.stop().await;
}

#[tokio::test]
async fn a_rejected_request_does_not_spend_its_key() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let bad = json!({"recipientId": bob.id, "hugType": "smother"});
    let reply = send_with_key(&hub, &alice, "fix-and-retry", &bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    let good = hug_body(&bob, "warm");
    let reply = send_with_key(&hub, &alice, "fix-and-retry", &good).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(total(&hub, &alice, "sent").await, 1);
    hub.stop().await;
}

#[tokio::test]
async fn a_hug_replayed_on_resume_becomes_delivered() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    // Bob is offline when the hug is sent...
    let hug = send_hug(&hub, &alice, &bob).await;
    let id = str_field(&hug, "id");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status_of(&hub, &alice, &id).await, "sent");
    // ...and his app resumes its stream from the start: the hug is pushed to it.
    let mut stream = SseClient::connect(&hub, &bob.access, Some(0)).await;
    let event = stream
        .next_of_type("hug_received", Duration::from_secs(5))
        .await
        .expect("the missed hug is replayed");
    assert_eq!(event_json(&event)["data"]["id"], hug["id"]);
    let (h, a, i) = (&hub, &alice, id.as_str());
    let delivered = eventually(Duration::from_secs(2), || async move {
        status_of(h, a, i).await == "delivered"
    })
    .await;
    assert!(
        delivered,
        "a hug pushed to the recipient's stream on resume is still {:?} after 2 s",
        status_of(&hub, &alice, &id).await
    );
    hub.stop().await;
}
