//! `GET /api/v1/events` over real HTTP: an immediate answer with what is there (at most
//! 50, oldest first), paging by `last_id`, waiting with `long_poll=true` until an event
//! arrives or `timeout` passes, and bad parameters.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

const EVENTS: &str = "/api/v1/events";

fn event_ids(answer: &Value) -> Vec<i64> {
    answer["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events array in {answer}"))
        .iter()
        .map(|e| {
            e["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("event without id in {answer}"))
        })
        .collect()
}

async fn poll(hub: &TestHub, user: &TestUser, query: &str) -> Value {
    let (status, answer) = hub.get(&format!("{EVENTS}{query}"), user.token()).await;
    assert_eq!(status, StatusCode::OK, "{query}: {answer}");
    answer
}

#[tokio::test]
async fn events_are_answered_at_once_oldest_first() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);

    let answer = poll(&hub, &bob, "").await;
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    assert_eq!(answer["lastId"], 0, "{answer}");

    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.push(send_hug(&hub, &alice, &bob).await);
    }
    let answer = poll(&hub, &bob, "").await;
    assert_eq!(event_ids(&answer), [1, 2, 3, 4, 5, 6], "{answer}");
    assert_eq!(answer["lastId"], 6);
    let timestamp = answer["timestamp"]
        .as_str()
        .unwrap_or_else(|| panic!("no timestamp in {answer}"));
    chrono::DateTime::parse_from_rfc3339(timestamp)
        .unwrap_or_else(|e| panic!("timestamp not RFC 3339: {timestamp}: {e}"));
    // Each hug is its `hug_received` event, then its inbox item's `notification`.
    let events = answer["events"].as_array().expect("events");
    for (pair, hug) in events.chunks(2).zip(&sent) {
        assert_eq!(pair[0]["type"], "hug_received", "{}", pair[0]);
        assert_eq!(pair[0]["data"], *hug, "{}", pair[0]);
        assert!(pair[0]["createdAt"].is_string(), "{}", pair[0]);
        assert_eq!(pair[1]["type"], "notification", "{}", pair[1]);
        assert_eq!(pair[1]["data"]["data"]["hugId"], hug["id"], "{}", pair[1]);
    }

    let answer = poll(&hub, &bob, "?last_id=4").await;
    assert_eq!(event_ids(&answer), [5, 6], "{answer}");
    assert_eq!(answer["lastId"], 6);

    // Nothing new without long_poll: at once, empty, the same lastId.
    let started = Instant::now();
    let answer = poll(&hub, &bob, "?last_id=6&timeout=5").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no wait without long_poll"
    );
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    assert_eq!(answer["lastId"], 6);

    // Events are per user: the sender has none.
    let answer = poll(&hub, &alice, "").await;
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    hub.stop().await;
}

#[tokio::test]
async fn more_than_fifty_events_come_fifty_at_a_time() {
    let hub = TestHub::start_with(|c| c.hug_rate_per_minute = 1_000).await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    for _ in 0..30 {
        send_hug(&hub, &alice, &bob).await;
    }
    let first = poll(&hub, &bob, "").await;
    assert_eq!(event_ids(&first), (1..=50).collect::<Vec<_>>());
    assert_eq!(first["lastId"], 50);
    let second = poll(&hub, &bob, "?last_id=50&long_poll=true&timeout=5").await;
    assert_eq!(event_ids(&second), (51..=60).collect::<Vec<_>>());
    assert_eq!(second["lastId"], 60);
    hub.stop().await;
}

#[tokio::test]
async fn a_long_poll_is_answered_by_the_next_event() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    send_hug(&hub, &alice, &bob).await;

    let started = Instant::now();
    let waiting = spawn_long_poll(&hub, &bob, 2, 20);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !waiting.is_finished(),
        "the long-poll waits while there is nothing"
    );
    let hug = send_hug(&hub, &alice, &bob).await;
    let (status, answer) = waiting.await.expect("long-poll task");
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Woken by the hug's event; its notification may come in the same answer.
    let ids = event_ids(&answer);
    assert!(ids == [3] || ids == [3, 4], "{answer}");
    assert_eq!(answer["events"][0]["data"], hug);
    assert_eq!(answer["lastId"], ids[ids.len() - 1]);
    assert!(
        took < Duration::from_secs(5),
        "answered {took:?} after the request, far from the 20 s timeout"
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_long_poll_with_nothing_times_out_empty() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    send_hug(&hub, &alice, &bob).await;
    let started = Instant::now();
    let answer = poll(&hub, &bob, "?last_id=2&timeout=1&long_poll=true").await;
    let took = started.elapsed();
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    assert_eq!(answer["lastId"], 2, "the same lastId: {answer}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "timeout=1 answered after {took:?}"
    );

    // Without last_id and nothing at all, it also waits and answers lastId 0.
    let carol = hub.register("carol").await;
    let started = Instant::now();
    let answer = poll(&hub, &carol, "?timeout=1&long_poll=true").await;
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    assert_eq!(answer["lastId"], 0, "{answer}");
    hub.stop().await;
}

#[tokio::test]
async fn bad_parameters_and_missing_tokens_are_refused() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    for (query, field) in [
        ("?last_id=-1", "last_id"),
        ("?last_id=abc", "last_id"),
        ("?timeout=abc", "timeout"),
        ("?timeout=-5", "timeout"),
        ("?long_poll=maybe", "long_poll"),
    ] {
        let (status, answer) = hub.get(&format!("{EVENTS}{query}"), bob.token()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        assert_names_field(&answer, field);
    }
    let (status, answer) = hub.get(EVENTS, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    hub.stop().await;
}

#[tokio::test]
async fn a_waiting_long_poll_outlives_a_user_actor_restart() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let waiting = {
        let client = hub.client.clone();
        let url = hub.url(&format!("{EVENTS}?timeout=20&long_poll=true"));
        let token = bob.access.clone();
        tokio::spawn(async move {
            let response = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("long-poll request");
            let answer: Value = response.json().await.expect("JSON answer");
            answer
        })
    };
    let bob_id = uuid::Uuid::parse_str(&bob.id).expect("a UUID");
    let engine = hub.hub.as_ref().expect("running hub");
    let (h, id) = (engine, bob_id);
    let has_actor = eventually(Duration::from_secs(2), || async move {
        h.realtime().directory.len() == 1
    })
    .await;
    assert!(has_actor, "the waiting long-poll has a UserActor");
    assert!(engine.realtime().directory.crash_user_actor(id), "crash it");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hug = send_hug(&hub, &alice, &bob).await;
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("answered within 5 s of the hug")
        .expect("long-poll task");
    let ids = event_ids(&answer);
    assert!(
        ids == [1] || ids == [1, 2],
        "the long-poll kept waiting through the restart and got the hug: {answer}"
    );
    assert_eq!(answer["events"][0]["data"], hug);
    hub.stop().await;
}

/// A long-poll of `user` after `last_id`, waiting up to `timeout` seconds, on its own
/// task: answers its status and body.
fn spawn_long_poll(
    hub: &TestHub,
    user: &TestUser,
    last_id: i64,
    timeout: u64,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let client = hub.client.clone();
    let url = hub.url(&format!(
        "{EVENTS}?last_id={last_id}&timeout={timeout}&long_poll=true"
    ));
    let token = user.access.clone();
    tokio::spawn(async move {
        let response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("long-poll request");
        let status = response.status();
        (status, response.json().await.expect("JSON answer"))
    })
}

#[tokio::test]
async fn waiting_long_polls_count_against_the_stream_cap() {
    let hub = TestHub::start_with(|c| c.max_streams_per_user = 2).await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let _stream = SseClient::connect(&hub, &bob.access, None).await;
    let waiting = spawn_long_poll(&hub, &bob, 0, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the first long-poll waits");

    // One stream and one long-poll held: the cap of two is reached for both kinds.
    let (status, answer) = spawn_long_poll(&hub, &bob, 0, 20).await.expect("task");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_error(&answer, "too_many_streams");
    let reply = SseClient::open(&hub, "/api/v1/sse/stream", bob.token(), &[])
        .await
        .err()
        .expect("a stream past the cap is refused");
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "too_many_streams");
    send_hug(&hub, &alice, &bob).await;
    let (status, answer) = waiting.await.expect("task");
    assert_eq!(status, StatusCode::OK, "{answer}");
    let last = answer["lastId"].as_i64().expect("lastId");

    // The answered long-poll gave its seat back: the next one waits again.
    let again = spawn_long_poll(&hub, &bob, last + 1, 1);
    let (status, answer) = again.await.expect("task");
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    hub.stop().await;
}

/// A woken long-poll answers from the live events that woke it (no store read): a
/// client following `lastId` through a burst of hugs gets every event once, in order.
#[tokio::test]
async fn long_polls_through_a_burst_get_every_event_once_in_order() {
    let hub = TestHub::start().await;
    let (alice, bob) = (
        hub.register("lpb_alice").await,
        hub.register("lpb_bob").await,
    );
    const HUGS: usize = 12;
    let sender = {
        let (hub_url, client, token) = (hub.url(""), hub.client.clone(), alice.access.clone());
        let recipient = bob.id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            for n in 0..HUGS {
                let response = client
                    .post(format!("{hub_url}/api/v1/hugs"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "recipientId": recipient, "hugType": "warm", "message": format!("burst {n}")
                    }))
                    .send()
                    .await
                    .expect("hug");
                assert_eq!(response.status(), StatusCode::CREATED);
                if n % 3 == 0 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        })
    };
    let mut seen = Vec::new();
    let mut messages = Vec::new();
    let mut last = 0;
    let started = Instant::now();
    while seen.len() < 2 * HUGS {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "got only {seen:?}"
        );
        let (status, answer) = spawn_long_poll(&hub, &bob, last, 5).await.expect("task");
        assert_eq!(status, StatusCode::OK, "{answer}");
        for event in answer["events"].as_array().expect("events") {
            if event["type"] == "hug_received" {
                messages.push(
                    event["data"]["message"]
                        .as_str()
                        .expect("message")
                        .to_owned(),
                );
            }
        }
        seen.extend(event_ids(&answer));
        last = answer["lastId"].as_i64().expect("lastId");
    }
    sender.await.expect("sender");
    let expected: Vec<i64> = (1..=2 * HUGS as i64).collect();
    assert_eq!(seen, expected, "every event once, in order");
    let sent: Vec<String> = (0..HUGS).map(|n| format!("burst {n}")).collect();
    assert_eq!(messages, sent);
    hub.stop().await;
}

/// A long-poll whose `last_id` is past the log's end is not answered with events it
/// says it has: one woken by a lower id answers nothing new.
#[tokio::test]
async fn a_long_poll_past_the_end_is_not_answered_lower_ids() {
    let hub = TestHub::start().await;
    let (alice, bob) = (
        hub.register("lpe_alice").await,
        hub.register("lpe_bob").await,
    );
    let waiting = spawn_long_poll(&hub, &bob, 100, 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    send_hug(&hub, &alice, &bob).await;
    let (status, answer) = waiting.await.expect("long-poll task");
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(event_ids(&answer), Vec::<i64>::new(), "{answer}");
    assert_eq!(answer["lastId"], 100, "{answer}");
    hub.stop().await;
}
