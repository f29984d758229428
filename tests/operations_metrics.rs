//! The metrics an SRE reads beside the contract's follow what the hub does: the hug
//! writer's batches, pruning of the event log, the embedded store's WAL and readiness.
//! Alone in its test binary: metrics are per process, and another hub starting in the
//! same process would set them back to zero.

mod common;

use common::{eventually, TestHub};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_operations_metrics_follow_the_hub() {
    let hub = TestHub::start_with(|c| {
        c.event_prune_secs = 1;
        c.event_retention_per_user = 2;
    })
    .await;
    assert_eq!(hub.metric("hugmood_hug_batch_size_count").await, Some(0.0));
    assert_eq!(hub.metric("hugmood_events_pruned_total").await, Some(0.0));
    let alice = hub.register("ops_alice").await;
    let bob = hub.register("ops_bob").await;
    hub.befriend(&alice, &bob).await;
    for i in 0..5 {
        let hug = json!({"recipientId": bob.id, "hugType": "warm", "message": format!("m{i}")});
        let (status, body) = hub.post_json("/api/v1/hugs", alice.token(), hug).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let batches = hub.metric("hugmood_hug_batch_size_count").await;
    assert!(
        batches.is_some_and(|n| n >= 1.0),
        "hug batches: {batches:?}"
    );
    let hugs = hub.metric("hugmood_hug_batch_size_sum").await;
    assert_eq!(hugs, Some(5.0), "hugs written in batches");
    // Bob's log holds more than 2 events: the next pruning pass (every second) cuts it.
    let pruned = eventually(Duration::from_secs(10), || async {
        hub.metric("hugmood_events_pruned_total")
            .await
            .is_some_and(|n| n > 0.0)
    })
    .await;
    assert!(
        pruned,
        "no events counted as pruned:\n{}",
        hub.metrics().await
    );
    let passes = hub.metric("hugmood_prune_duration_seconds_count").await;
    assert!(
        passes.is_some_and(|n| n >= 1.0),
        "pruning passes: {passes:?}"
    );
    let wal = eventually(Duration::from_secs(5), || async {
        hub.metric("hugmood_sqlite_wal_bytes")
            .await
            .is_some_and(|n| n > 0.0)
    })
    .await;
    assert!(wal, "the WAL in use is not shown:\n{}", hub.metrics().await);
    assert_eq!(hub.metric("hugmood_ready").await, Some(1.0));
    hub.stop().await;
}
