//! Supervision, over real HTTP: a UserActor that panics is restarted by the directory,
//! and the user's open stream goes on delivering with no gap and no duplicate; the
//! restart is counted in `hugmood_actor_restarts_total{actor="user"}`.
//!
//! Metrics are process-wide, so this binary holds a single crash.

mod common;

use common::*;
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[tokio::test]
async fn a_crashed_user_actor_is_restarted_and_the_stream_goes_on() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let engine = hub.hub.as_ref().expect("the hub is running");
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    send_hug(&hub, &alice, &bob).await;
    let first = stream
        .next_of_type("hug_received", Duration::from_secs(5))
        .await
        .expect("the first hug arrives");
    assert_eq!(first.id, Some(1));

    let bob_id = Uuid::parse_str(&bob.id).expect("bob's id is a UUID");
    assert!(
        engine.realtime().directory.crash_user_actor(bob_id),
        "bob has a live UserActor to crash"
    );

    // Hugs right after the crash (while the actor restarts) and a little later.
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.push(send_hug(&hub, &alice, &bob).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..3 {
        sent.push(send_hug(&hub, &alice, &bob).await);
    }
    // Hug k is event 2k-1 (`hug_received`) then 2k (its `notification`).
    let got = stream
        .collect_until(|e| e.id == Some(14), Duration::from_secs(5))
        .await;
    let logged: Vec<&SseEvent> = got.iter().filter(|e| e.id.is_some()).collect();
    assert_eq!(
        logged.iter().map(|e| e.id()).collect::<Vec<_>>(),
        (2..=14).collect::<Vec<_>>(),
        "no gap, no duplicate (ended: {}): {got:?}",
        stream.ended()
    );
    for (pair, hug) in logged[1..].chunks(2).zip(&sent) {
        assert_eq!(pair[0].event, "hug_received", "{pair:?}");
        assert_eq!(event_json(pair[0])["data"], *hug);
        assert_eq!(pair[1].event, "notification", "{pair:?}");
    }
    let extra = stream.quiet_for(Duration::from_millis(500)).await;
    assert!(extra.is_empty(), "no duplicate afterwards: {extra:?}");
    assert!(
        !stream.ended(),
        "the stream stayed open through the restart"
    );
    assert_eq!(
        engine.realtime().directory.len(),
        1,
        "one UserActor for bob, not two"
    );

    // And the restart is counted.
    let wanted = "hugmood_actor_restarts_total{actor=\"user\"} 1";
    let deadline = Instant::now() + Duration::from_secs(3);
    let (status, text) = loop {
        let reply = hub.send(reqwest::Method::GET, "/metrics", None, None).await;
        let found =
            reply.status == StatusCode::OK && reply.text.lines().any(|l| l.trim() == wanted);
        if found || Instant::now() > deadline {
            break (reply.status, reply.text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, StatusCode::OK, "GET /metrics: {text}");
    assert!(
        text.lines().any(|l| l.trim() == wanted),
        "{wanted:?} missing from /metrics:\n{}",
        text.lines()
            .filter(|l| l.contains("restarts"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    hub.stop().await;
}

#[tokio::test]
async fn an_idle_user_actor_stops_and_a_new_stream_starts_another() {
    let hub = TestHub::start_with(|c| {
        c.user_idle_secs = 1;
        c.heartbeat_secs = 1;
    })
    .await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let engine = hub.hub.as_ref().expect("the hub is running");
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    send_hug(&hub, &alice, &bob).await;
    let first = stream
        .next_of_type("hug_received", Duration::from_secs(5))
        .await
        .expect("the first hug arrives");
    assert_eq!(first.id, Some(1));
    assert_eq!(engine.realtime().directory.len(), 1);
    drop(stream);

    // Once the server notices the closed stream (next heartbeat), the actor idles out.
    let idled = eventually(Duration::from_secs(6), || async move {
        engine.realtime().directory.is_empty()
    })
    .await;
    assert!(
        idled,
        "the UserActor without subscribers stopped after user_idle_secs"
    );

    send_hug(&hub, &alice, &bob).await;
    let mut resumed = SseClient::connect(&hub, &bob.access, Some(2)).await;
    send_hug(&hub, &alice, &bob).await;
    let got = resumed
        .collect_until(|e| e.id == Some(5), Duration::from_secs(5))
        .await;
    let ids: Vec<Option<i64>> = got
        .iter()
        .filter(|e| e.event == "hug_received")
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [Some(3), Some(5)], "{got:?}");
    assert_eq!(
        engine.realtime().directory.len(),
        1,
        "a new actor for the new stream"
    );
    hub.stop().await;
}
