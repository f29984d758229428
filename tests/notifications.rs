//! The notification inbox over HTTP: counts, filters, read one, read all, the
//! `notification_read` event on the user's other device, and isolation between users.

mod common;

use common::{assert_error, assert_names_field, send_hug, SseClient, TestHub};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_hug_adds_an_unread_hug_received_notification() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("in_a").await, hub.register("in_b").await);
    let (_, before) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(
        (
            before["unreadCount"].as_u64(),
            before["hasUnread"].as_bool()
        ),
        (Some(0), Some(false))
    );
    send_hug(&hub, &alice, &bob).await;
    let (status, inbox) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    assert_eq!(
        (inbox["unreadCount"].as_u64(), inbox["hasUnread"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(inbox["recentActivity"], true);
    assert!(inbox["timestamp"].is_string());
    let newest = &inbox["notifications"][0];
    assert_eq!(
        (newest["type"].as_str(), newest["isRead"].as_bool()),
        (Some("hug_received"), Some(false))
    );
    for key in ["id", "title", "body", "data", "createdAt"] {
        assert!(newest.get(key).is_some(), "{key} missing in {newest}");
    }
    assert_eq!(newest["data"]["senderId"], alice.id.as_str());
    hub.stop().await;
}

#[tokio::test]
async fn read_one_and_read_all_and_others_cannot() {
    let hub = TestHub::start().await;
    let (alice, bob, eve) = (
        hub.register("rd_a").await,
        hub.register("rd_b").await,
        hub.register("rd_e").await,
    );
    for _ in 0..3 {
        send_hug(&hub, &alice, &bob).await;
    }
    let (_, inbox) = hub.get("/api/v1/notifications", bob.token()).await;
    let id = inbox["notifications"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/notifications/{id}/read");
    let (status, body) = hub.post_empty(&path, eve.token()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another user cannot mark it read"
    );
    assert_error(&body, "not_found");
    let (status, _) = hub.post_empty(&path, bob.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = hub.post_empty(&path, bob.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "reading twice is harmless");
    let (_, inbox) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(inbox["unreadCount"], 2);
    let (_, unread) = hub
        .get("/api/v1/notifications?unread_only=true", bob.token())
        .await;
    assert_eq!(
        (
            unread["total"].as_u64(),
            unread["notifications"].as_array().map(Vec::len)
        ),
        (Some(2), Some(2))
    );
    let (status, _) = hub
        .post_empty("/api/v1/notifications/read-all", bob.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, inbox) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(
        (
            inbox["unreadCount"].as_u64(),
            inbox["hasUnread"].as_bool(),
            inbox["total"].as_u64()
        ),
        (Some(0), Some(false), Some(3))
    );
    let (status, _) = hub
        .post_empty(
            &format!("/api/v1/notifications/{}/read", uuid::Uuid::new_v4()),
            bob.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    hub.stop().await;
}

#[tokio::test]
async fn since_filter_pagination_and_bad_params() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("sf_a").await, hub.register("sf_b").await);
    for _ in 0..3 {
        send_hug(&hub, &alice, &bob).await;
    }
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (_, all) = hub
        .get(
            &format!("/api/v1/notifications?since={}", urlencode(&past)),
            bob.token(),
        )
        .await;
    assert_eq!(all["total"], 3);
    let (_, none) = hub
        .get(
            &format!("/api/v1/notifications?since={}", urlencode(&future)),
            bob.token(),
        )
        .await;
    assert_eq!(
        (none["total"].as_u64(), none["notifications"].clone()),
        (Some(0), json!([]))
    );
    let (_, paged) = hub
        .get("/api/v1/notifications?per_page=2&page=2", bob.token())
        .await;
    assert_eq!(
        (
            paged["notifications"].as_array().map(Vec::len),
            paged["pages"].as_u64()
        ),
        (Some(1), Some(2))
    );
    for (query, field) in [
        ("since=yesterday", "since"),
        ("unread_only=maybe", "unread_only"),
        ("per_page=0", "per_page"),
    ] {
        let (status, error) = hub
            .get(&format!("/api/v1/notifications?{query}"), bob.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_names_field(&error, field);
    }
    hub.stop().await;
}

#[tokio::test]
async fn reading_on_one_device_reaches_the_other() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("dv_a").await, hub.register("dv_b").await);
    send_hug(&hub, &alice, &bob).await;
    send_hug(&hub, &alice, &bob).await;
    let mut other_device = SseClient::connect(&hub, &bob.access, None).await;
    let (status, _) = hub
        .post_empty("/api/v1/notifications/read-all", bob.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let event = other_device
        .next_of_type("notification_read", Duration::from_secs(5))
        .await
        .expect("notification_read");
    let json = event.json();
    assert_eq!(json["type"], "notification_read");
    assert_eq!(
        (
            json["data"]["all"].as_bool(),
            json["data"]["unreadCount"].as_u64()
        ),
        (Some(true), Some(0))
    );
    hub.stop().await;
}

#[tokio::test]
async fn friend_requests_and_acceptance_are_notified() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("fr_a").await, hub.register("fr_b").await);
    hub.befriend(&alice, &bob).await;
    let (_, bobs) = hub.get("/api/v1/notifications", bob.token()).await;
    assert_eq!(bobs["notifications"][0]["type"], "friend_request");
    let (_, alices) = hub.get("/api/v1/notifications", alice.token()).await;
    assert_eq!(alices["notifications"][0]["type"], "friend_accepted");
    hub.stop().await;
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}
