//! Blocks over real HTTP: what a block stops, what it ends, and lifting it.

mod common;

use common::{
    answer_request, assert_error, block, pending_ids, request_ok, send_request, unblock, TestHub,
    TestUser,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const REQUESTS: &str = "/api/v1/friends/requests";

#[tokio::test]
async fn a_blocked_user_cannot_send_a_friend_request() {
    let hub = TestHub::start().await;
    let [blocker, blocked] =
        <[TestUser; 2]>::try_from(hub.register_many("blk", 2).await).expect("two users");
    assert_eq!(
        block(&hub, &blocker, &blocked).await.0,
        StatusCode::NO_CONTENT
    );

    // Being blocked looks exactly like the user not existing.
    let (status, body) = send_request(&hub, &blocked, &blocker).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (_, unknown) = hub
        .post_json(
            REQUESTS,
            blocked.token(),
            json!({"userId": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(body, unknown, "indistinguishable from an unknown user");

    // The blocker is told why.
    let (status, body) = send_request(&hub, &blocker, &blocked).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_error(&body, "user_blocked");
    assert!(pending_ids(&hub, &blocker, "incoming").await.is_empty());
    assert!(pending_ids(&hub, &blocked, "incoming").await.is_empty());
}

#[tokio::test]
async fn blocking_ends_friendship_and_pending_requests() {
    let hub = TestHub::start().await;
    let [a, b, c, d] =
        <[TestUser; 4]>::try_from(hub.register_many("bl", 4).await).expect("four users");
    hub.befriend(&a, &b).await;
    let to_c = request_ok(&hub, &a, &c).await;
    let from_d = request_ok(&hub, &d, &a).await;

    for target in [&b, &c, &d] {
        let (status, body) = block(&hub, &a, target).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(body, Value::Null);
    }
    assert!(hub.friend_ids(&a).await.is_empty(), "friendship ended");
    assert!(hub.friend_ids(&b).await.is_empty(), "on both sides");
    assert!(pending_ids(&hub, &a, "outgoing").await.is_empty());
    assert!(pending_ids(&hub, &a, "incoming").await.is_empty());
    assert!(pending_ids(&hub, &c, "incoming").await.is_empty());
    assert!(pending_ids(&hub, &d, "outgoing").await.is_empty());
    let (status, body) = answer_request(&hub, &c, &to_c, "accept").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "declined by the block: {body}"
    );
    assert_error(&body, "request_not_pending");
    let (status, body) = answer_request(&hub, &a, &from_d, "accept").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The blocked friend cannot re-befriend.
    let (status, body) = send_request(&hub, &b, &a).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn blocks_are_idempotent_and_reversible() {
    let hub = TestHub::start().await;
    let [a, b] = <[TestUser; 2]>::try_from(hub.register_many("idem", 2).await).expect("two users");
    assert_eq!(block(&hub, &a, &b).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        block(&hub, &a, &b).await.0,
        StatusCode::NO_CONTENT,
        "blocking twice is fine"
    );

    let (status, body) = hub
        .post_empty(&format!("/api/v1/blocks/{}", a.id), a.token())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "blocking oneself: {body}");
    assert_error(&body, "validation_failed");
    let (status, body) = hub
        .post_empty(
            &format!("/api/v1/blocks/{}", uuid::Uuid::new_v4()),
            a.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (status, body) = hub.post_empty("/api/v1/blocks/nope", a.token()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "validation_failed");
    let (status, body) = hub
        .post_empty(&format!("/api/v1/blocks/{}", b.id), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let (status, body) = unblock(&hub, &a, &b).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = unblock(&hub, &a, &b).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "repeat: {body}");
    assert_error(&body, "not_found");
    let (status, body) = unblock(&hub, &b, &a).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "b never blocked a: {body}");

    // After unblocking, either side may send a request again.
    let id = request_ok(&hub, &b, &a).await;
    let (status, body) = answer_request(&hub, &a, &id, "accept").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(hub.friend_ids(&a).await, vec![b.id.clone()]);
}

#[tokio::test]
async fn blocks_are_one_way() {
    let hub = TestHub::start().await;
    let [a, b] =
        <[TestUser; 2]>::try_from(hub.register_many("oneway", 2).await).expect("two users");
    assert_eq!(block(&hub, &a, &b).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        block(&hub, &b, &a).await.0,
        StatusCode::NO_CONTENT,
        "the blocked may block back"
    );
    assert_eq!(unblock(&hub, &a, &b).await.0, StatusCode::NO_CONTENT);
    // b still blocks a: a cannot see or ask b; b is told it blocked a.
    let (status, _) = send_request(&hub, &a, &b).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = send_request(&hub, &b, &a).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_error(&body, "user_blocked");
    assert_eq!(unblock(&hub, &b, &a).await.0, StatusCode::NO_CONTENT);
    request_ok(&hub, &a, &b).await;
}
