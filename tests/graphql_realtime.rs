//! GraphQL for hugs, the inbox and live events, over real HTTP: sendHug, hugsReceived,
//! markHugSeen, notifications, markNotificationRead / markAllNotificationsRead, and
//! `Subscription.events` over SSE at `/graphql/stream` (graphql-sse, distinct
//! connections) receiving a hug sent over REST and resuming with `lastEventId`.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
const STREAM: &str = "/graphql/stream";
const EVENTS: &str =
    "subscription ($last: ID) { events(lastEventId: $last) { id type data createdAt } }";

/// The `data.events` of an `event: next` frame.
fn next_event(frame: &SseEvent) -> Value {
    assert_eq!(frame.event, "next", "{frame:?}");
    let result = frame.json();
    assert!(result.get("errors").is_none(), "{result}");
    result["data"]["events"].clone()
}

/// Opens the events subscription of `user`, resuming after `last`.
async fn subscribe(hub: &TestHub, user: &TestUser, last: Option<&str>) -> SseClient {
    let body = json!({"query": EVENTS, "variables": {"last": last}});
    SseClient::post(hub, STREAM, user.token(), &body)
        .await
        .unwrap_or_else(|reply| panic!("subscription refused: {} {}", reply.status, reply.text))
}

#[tokio::test]
async fn hugs_and_the_inbox_through_graphql() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let sent = ok(
        &hub,
        alice.token(),
        "mutation ($to: ID!) { sendHug(input: {recipientId: $to, hugType: \"bear\", message: \"hi\"}) { id senderId recipientId hugType message status sentAt recipient { id } } }",
        json!({"to": bob.id}),
    )
    .await;
    let hug = &sent["sendHug"];
    assert_eq!(hug["hugType"], "bear", "{sent}");
    assert_eq!(hug["senderId"], alice.id.as_str());
    assert_eq!(hug["recipient"]["id"], bob.id.as_str());

    let refused = gql(
        &hub,
        alice.token(),
        "mutation ($to: ID!) { sendHug(input: {recipientId: $to, hugType: \"squeeze\"}) { id } }",
        json!({"to": alice.id}),
    )
    .await;
    assert_eq!(refused["data"]["sendHug"], Value::Null, "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "validation_failed",
        "{refused}"
    );

    let received = ok(
        &hub,
        bob.token(),
        "{ hugsReceived(limit: 10) { id status sender { id } } hugsSent { id } }",
        json!({}),
    )
    .await;
    assert_eq!(received["hugsReceived"][0]["id"], hug["id"], "{received}");
    assert_eq!(
        received["hugsReceived"][0]["sender"]["id"],
        alice.id.as_str()
    );
    assert_eq!(received["hugsSent"], json!([]));
    let alice_sent = ok(&hub, alice.token(), "{ hugsSent { id } }", json!({})).await;
    assert_eq!(alice_sent["hugsSent"][0]["id"], hug["id"]);

    let inbox = ok(
        &hub,
        bob.token(),
        "{ notifications(limit: 10) { id type title isRead data createdAt } }",
        json!({}),
    )
    .await;
    let newest = &inbox["notifications"][0];
    assert_eq!(newest["type"], "hug_received", "{inbox}");
    assert_eq!(newest["isRead"], false);
    assert_eq!(newest["data"]["hugId"], hug["id"]);

    // Someone else cannot mark it read; the owner can; then mark all.
    let theirs = gql(
        &hub,
        carol.token(),
        "mutation ($id: ID!) { markNotificationRead(id: $id) }",
        json!({"id": newest["id"]}),
    )
    .await;
    assert_eq!(theirs["data"]["markNotificationRead"], false, "{theirs}");
    assert_eq!(
        theirs["errors"][0]["extensions"]["code"], "not_found",
        "{theirs}"
    );
    let mine = ok(
        &hub,
        bob.token(),
        "mutation ($id: ID!) { markNotificationRead(id: $id) }",
        json!({"id": newest["id"]}),
    )
    .await;
    assert_eq!(mine["markNotificationRead"], true);
    send_hug(&hub, &carol, &bob).await;
    let unread = ok(
        &hub,
        bob.token(),
        "{ notifications(unreadOnly: true) { type } }",
        json!({}),
    )
    .await;
    assert_eq!(
        unread["notifications"].as_array().map(Vec::len),
        Some(1),
        "{unread}"
    );
    let all = ok(
        &hub,
        bob.token(),
        "mutation { markAllNotificationsRead }",
        json!({}),
    )
    .await;
    assert_eq!(all["markAllNotificationsRead"], true);
    let unread = ok(
        &hub,
        bob.token(),
        "{ notifications(unreadOnly: true) { type } }",
        json!({}),
    )
    .await;
    assert_eq!(unread["notifications"], json!([]), "{unread}");

    let seen = ok(
        &hub,
        bob.token(),
        "mutation ($id: ID!) { markHugSeen(id: $id) }",
        json!({"id": hug["id"]}),
    )
    .await;
    assert_eq!(seen["markHugSeen"], true);
    let (_, read) = hub
        .get(
            &format!("/api/v1/hugs/{}", str_field(hug, "id")),
            bob.token(),
        )
        .await;
    assert_eq!(read["status"], "seen", "{read}");
    let not_yours = gql(
        &hub,
        alice.token(),
        "mutation ($id: ID!) { markHugSeen(id: $id) }",
        json!({"id": hug["id"]}),
    )
    .await;
    assert_eq!(not_yours["data"]["markHugSeen"], false, "{not_yours}");
    assert_eq!(
        not_yours["errors"][0]["extensions"]["code"],
        "not_recipient"
    );
    hub.stop().await;
}

#[tokio::test]
async fn the_events_subscription_carries_a_rest_hug_and_resumes() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut live = subscribe(&hub, &bob, None).await;
    let content_type = live
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );

    let hug = send_hug(&hub, &alice, &bob).await;
    let frame = live.next_of_type("next", WAIT).await.expect("a next frame");
    let event = next_event(&frame);
    assert_eq!(event["type"], "hug_received", "{event}");
    assert_eq!(event["id"], "1", "{event}");
    assert_eq!(event["data"]["id"], hug["id"], "{event}");
    let frame = live
        .next_of_type("next", WAIT)
        .await
        .expect("its notification");
    assert_eq!(next_event(&frame)["type"], "notification");
    drop(live);

    // Two more hugs while away; resuming after id 2 gets exactly ids 3..=6, in order.
    let missed = [
        send_hug(&hub, &alice, &bob).await,
        send_hug(&hub, &alice, &bob).await,
    ];
    let mut resumed = subscribe(&hub, &bob, Some("2")).await;
    let mut got = Vec::new();
    while got.len() < 4 {
        let frame = resumed
            .next_of_type("next", WAIT)
            .await
            .unwrap_or_else(|| panic!("only {} events after resuming: {got:?}", got.len()));
        got.push(next_event(&frame));
    }
    let ids: Vec<&str> = got.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["3", "4", "5", "6"], "{got:?}");
    assert_eq!(got[0]["data"]["id"], missed[0]["id"]);
    assert_eq!(got[2]["data"]["id"], missed[1]["id"]);
    let extra = resumed.quiet_for(Duration::from_millis(500)).await;
    assert!(extra.is_empty(), "no duplicate: {extra:?}");

    // An id the log never had: a reset notice, then live events.
    let mut reset = subscribe(&hub, &bob, Some("500")).await;
    let frame = reset.next_of_type("next", WAIT).await.expect("a reset");
    let notice = next_event(&frame);
    assert_eq!(notice["type"], "reset", "{notice}");
    assert_eq!(notice["data"]["lastId"], 6, "{notice}");
    assert_eq!(notice["id"], Value::Null);
    hub.stop().await;
}

#[tokio::test]
async fn a_subscription_needs_a_caller_and_a_query_completes() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    let body = json!({"query": EVENTS});
    let mut anonymous = SseClient::post(&hub, STREAM, None, &body)
        .await
        .unwrap_or_else(|reply| panic!("{} {}", reply.status, reply.text));
    let frame = anonymous.next_event(WAIT).await.expect("a result");
    assert_eq!(frame.event, "next");
    assert_eq!(
        frame.json()["errors"][0]["extensions"]["code"],
        "unauthorized",
        "{frame:?}"
    );
    let end = anonymous.next_event(WAIT).await.expect("complete");
    assert_eq!(end.event, "complete");

    // A query over the stream is one result, then complete.
    let mut query = SseClient::post(
        &hub,
        STREAM,
        bob.token(),
        &json!({"query": "{ me { id } }"}),
    )
    .await
    .unwrap_or_else(|reply| panic!("{} {}", reply.status, reply.text));
    let frame = query.next_event(WAIT).await.expect("a result");
    assert_eq!(
        frame.json()["data"]["me"]["id"],
        bob.id.as_str(),
        "{frame:?}"
    );
    let (rest, ended) = query.read_to_end(WAIT).await;
    assert_eq!(
        rest.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["complete"]
    );
    assert!(ended);

    let bad = SseClient::post(&hub, STREAM, Some("not.a.jwt"), &body).await;
    assert_eq!(bad.err().map(|r| r.status), Some(StatusCode::UNAUTHORIZED));
    hub.stop().await;
}
