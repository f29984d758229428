//! A HugActor shard that panics is restarted by its supervisor, counted in
//! `hugmood_actor_restarts_total{actor="hug"}`, and hugs keep flowing.

mod common;

use common::TestHub;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_crashed_hug_shard_is_restarted_and_counted() {
    let hub = TestHub::start().await;
    let (sender, recipient) = (hub.register("hs_send").await, hub.register("hs_recv").await);
    let hug = json!({"recipientId": recipient.id, "hugType": "warm"});
    let (status, _) = hub
        .post_json("/api/v1/hugs", sender.token(), hug.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let running = hub.hub.as_ref().expect("hub running");
    let before = restarts(&hub).await;
    assert!(
        running
            .hugs()
            .crash_shard_of(sender.id.parse().expect("uuid")),
        "the shard took the message"
    );

    let mut counted = before;
    for _ in 0..50 {
        counted = restarts(&hub).await;
        if counted > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(counted, before + 1, "one restart counted");
    let (status, body) = hub.post_json("/api/v1/hugs", sender.token(), hug).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "hugs flow after the restart: {body}"
    );
    let (_, received) = hub.get("/api/v1/hugs/received", recipient.token()).await;
    assert_eq!(received["total"], 2);
    hub.stop().await;
}

/// The hug restarts counted so far, from `/metrics`.
async fn restarts(hub: &TestHub) -> u64 {
    hub.metric("hugmood_actor_restarts_total{actor=\"hug\"}")
        .await
        .map_or(0, |v| v as u64)
}
