//! Graceful shutdown with open streams: in process (`Hub::shutdown`) and the real
//! binary under SIGTERM. Streams are told `reconnect` (reason `shutdown`) and end; the
//! hub stops promptly and the process exits 0.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const STREAM: &str = "/api/v1/sse/stream";

/// Reads until the end, which must be a `reconnect` for shutdown.
async fn expect_shutdown_notice(stream: &mut SseClient, last_event_id: i64) {
    let (events, ended) = stream.read_to_end(Duration::from_secs(8)).await;
    let notices: Vec<&SseEvent> = events.iter().filter(|e| e.event != "heartbeat").collect();
    let notice = notices
        .last()
        .unwrap_or_else(|| panic!("no reconnect before the end; got {events:?}"));
    assert_eq!(notice.event, "reconnect", "the last frame: {events:?}");
    let json = notice.json();
    assert_eq!(json["reason"], "shutdown", "{json}");
    assert_eq!(json["lastEventId"], last_event_id, "{json}");
    assert_eq!(notices.len(), 1, "only the notice: {notices:?}");
    assert!(ended, "the stream ends after the notice");
}

#[tokio::test]
async fn a_graceful_stop_answers_waiting_long_polls_at_once() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    let waiting = {
        let client = hub.client.clone();
        let url = hub.url("/api/v1/events?timeout=30&long_poll=true");
        let token = bob.access.clone();
        tokio::spawn(async move {
            let response = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("long-poll request");
            let status = response.status();
            let answer: serde_json::Value = response.json().await.expect("JSON answer");
            (status, answer)
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the long-poll is waiting");
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), hub.stop())
        .await
        .expect("a waiting long-poll does not hold the shutdown");
    let (status, answer) = tokio::time::timeout(Duration::from_secs(1), waiting)
        .await
        .expect("the long-poll was answered")
        .expect("long-poll task");
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["events"], json!([]), "{answer}");
    assert_eq!(answer["lastId"], 0, "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_graceful_stop_tells_open_streams_to_reconnect() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let mut idle = SseClient::connect(&hub, &alice.access, None).await;
    send_hug(&hub, &alice, &bob).await;
    let hug = stream
        .next_of_type("hug_received", Duration::from_secs(5))
        .await
        .expect("a hug before the shutdown");
    assert_eq!(hug.id, Some(1));
    let note = stream
        .next_of_type("notification", Duration::from_secs(5))
        .await
        .expect("and its notification");
    assert_eq!(note.id, Some(2));

    let base = hub.base.clone();
    let started = Instant::now();
    let stopping = tokio::spawn(hub.stop());
    expect_shutdown_notice(&mut stream, 2).await;
    expect_shutdown_notice(&mut idle, 0).await;
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .expect("the hub stops within 5 s of the notice")
        .expect("stop task");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown took {:?} (streams must not hold it for the grace period)",
        started.elapsed()
    );
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "nothing listens after the stop"
    );
}

#[tokio::test]
async fn sigterm_tells_open_streams_to_reconnect_and_exits_zero() {
    let mut served = Served::start().await;
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    for name in ["alice_sig", "bob_sig"] {
        let response = client
            .post(format!("{}/api/v1/auth/register", served.base))
            .json(&json!({"username": name, "email": format!("{name}@example.test"), "password": PASSWORD}))
            .send()
            .await
            .expect("register");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: serde_json::Value = response.json().await.expect("JSON");
        tokens.push((
            str_field(&body["user"], "id"),
            str_field(&body, "accessToken"),
        ));
    }
    let url = format!("{}{STREAM}", served.base);
    let mut stream = SseClient::open_url(&url, Some(&tokens[1].1), &[])
        .await
        .unwrap_or_else(|reply| panic!("stream refused: {} {}", reply.status, reply.text));
    let response = client
        .post(format!("{}/api/v1/hugs", served.base))
        .bearer_auth(&tokens[0].1)
        .json(&json!({"recipientId": tokens[1].0, "hugType": "warm"}))
        .send()
        .await
        .expect("send a hug");
    assert_eq!(response.status(), StatusCode::CREATED);
    let hug = stream
        .next_of_type("hug_received", Duration::from_secs(5))
        .await
        .expect("the hug arrives before the signal");
    assert_eq!(hug.id, Some(1));
    let note = stream
        .next_of_type("notification", Duration::from_secs(5))
        .await
        .expect("and its notification");
    assert_eq!(note.id, Some(2));

    let started = Instant::now();
    served.sigterm();
    expect_shutdown_notice(&mut stream, 2).await;
    let status = served.wait_exit(Duration::from_secs(10)).await;
    assert!(
        status.success(),
        "exit status after SIGTERM: {status:?}; stderr:\n{}",
        served.stderr_text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "exit took {:?}",
        started.elapsed()
    );
}
