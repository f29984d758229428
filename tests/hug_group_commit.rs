//! Hugs committed in groups: many concurrent senders share transactions, yet each hug
//! answers for itself (a refused or conflicting hug fails alone, the others commit),
//! the recipient's stream gets every committed hug once with gapless ids, and a
//! deleted account's token is still refused on the send route, which reads the
//! sender's account with its other checks instead of in the extractor.

mod common;

use common::*;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const HUGS: &str = "/api/v1/hugs";

/// POST /hugs, with an `Idempotency-Key` when given.
async fn post_hug(hub: &TestHub, from: &TestUser, body: Value, key: Option<&str>) -> Reply {
    let mut request = hub.client.post(hub.url(HUGS)).bearer_auth(&from.access);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    read_reply(request.json(&body).send().await.expect("send a hug")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hugs_commit_apart_from_the_one_that_fails() {
    let hub = TestHub::start().await;
    let rita = hub.register("gc_rita").await;
    let senders = hub.register_many("gc_send", 8).await;
    let blocked = hub.register("gc_blocked").await;
    let (status, body) = hub
        .post_empty(&format!("/api/v1/blocks/{}", blocked.id), rita.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let mut stream = SseClient::connect(&hub, &rita.access, None).await;

    // The first use of a key, answered before the burst.
    let warm = json!({"recipientId": rita.id, "hugType": "warm"});
    let first = post_hug(&hub, &senders[0], warm.clone(), Some("gc-key")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    // The burst: 8 senders × 6 hugs, plus the key reused for another request (409),
    // an honest retry of the first request (replayed), and a blocked sender (403).
    const PER_SENDER: usize = 6;
    let mut burst = Vec::new();
    for round in 0..PER_SENDER {
        for sender in &senders {
            let body =
                json!({"recipientId": rita.id, "hugType": "bear", "message": format!("r{round}")});
            burst.push(post_hug(&hub, sender, body, None));
        }
    }
    let bear = json!({"recipientId": rita.id, "hugType": "bear"});
    let refused = vec![
        post_hug(&hub, &senders[0], bear, Some("gc-key")),
        post_hug(&hub, &senders[0], warm, Some("gc-key")),
        post_hug(
            &hub,
            &blocked,
            json!({"recipientId": rita.id, "hugType": "warm"}),
            None,
        ),
    ];
    let (burst, refused) = tokio::join!(join_all(burst), join_all(refused));
    for reply in &burst {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    assert_eq!(
        refused[0].status,
        StatusCode::CONFLICT,
        "{}",
        refused[0].text
    );
    assert_error(&refused[0].body, "idempotency_key_reused");
    assert_eq!(
        refused[1].status,
        StatusCode::CREATED,
        "{}",
        refused[1].text
    );
    assert_eq!(
        refused[1].body, first.body,
        "the retry replays the first answer"
    );
    assert_eq!(
        refused[2].status,
        StatusCode::FORBIDDEN,
        "{}",
        refused[2].text
    );
    assert_error(&refused[2].body, "hugs_not_allowed");

    // Every committed hug reaches the stream once, in id order with no gap: its
    // `hug_received`, then its inbox item's `notification`.
    let committed = 1 + burst.len();
    let mut logged = Vec::new();
    while logged.len() < 2 * committed {
        let Some(event) = stream.next_event(Duration::from_secs(10)).await else {
            break;
        };
        if event.id.is_some() {
            logged.push(event);
        }
    }
    assert_eq!(logged.len(), 2 * committed, "events of the log");
    let first_id = logged[0].id();
    for (i, event) in logged.iter().enumerate() {
        assert_eq!(event.id(), first_id + i as i64, "gapless, in order");
        let kind = if i % 2 == 0 {
            "hug_received"
        } else {
            "notification"
        };
        assert_eq!(event.event, kind, "{event:?}");
    }
    let seen: Vec<&SseEvent> = logged.iter().step_by(2).collect();
    let mut hug_ids: Vec<String> = seen
        .iter()
        .map(|e| str_field(&event_json(e)["data"], "id"))
        .collect();
    hug_ids.sort();
    hug_ids.dedup();
    assert_eq!(hug_ids.len(), committed, "no hug twice");
    let extra = stream.quiet_for(Duration::from_millis(300)).await;
    assert!(
        extra.iter().all(|e| e.event != "hug_received"),
        "nothing more: {extra:?}"
    );
    let (_, received) = hub.get(&format!("{HUGS}/received"), rita.token()).await;
    assert_eq!(received["total"], committed as u64);
    hub.stop().await;
}

#[tokio::test]
async fn a_deleted_account_cannot_send_a_hug() {
    let hub = TestHub::start().await;
    let (gone, rita) = (hub.register("gc_gone").await, hub.register("gc_r").await);
    let (status, _) = hub.delete("/api/v1/users/me", gone.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let reply = post_hug(
        &hub,
        &gone,
        json!({"recipientId": rita.id, "hugType": "warm"}),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert_error(&reply.body, "invalid_token");
    let (_, received) = hub.get(&format!("{HUGS}/received"), rita.token()).await;
    assert_eq!(received["total"], 0);
    hub.stop().await;
}
