//! Saved hugs ("hug jar") over real HTTP: every route of `/collections`; only hugs one
//! received can be saved (a sent hug is 403, anyone else's 404); someone else's
//! collection is not found.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_collection_keeps_the_hugs_one_received() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let received = send_hug(&hub, &alice, &bob).await;
    let received_id = str_field(&received, "id");
    let sent_by_bob = send_hug(&hub, &bob, &alice).await;
    let strangers = send_hug(&hub, &alice, &carol).await;

    let (status, jar) = hub
        .post_json(
            "/api/v1/collections",
            bob.token(),
            json!({"name": "  Warm ones "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{jar}");
    assert_eq!(jar["name"], "Warm ones", "trimmed: {jar}");
    assert_eq!(jar["hugCount"], 0, "{jar}");
    let jar_id = str_field(&jar, "id");
    let hugs_path = format!("/api/v1/collections/{jar_id}/hugs");

    let (status, saved) = hub
        .post_json(&hugs_path, bob.token(), json!({"hugId": received_id}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["hugCount"], 1, "{saved}");
    let (status, again) = hub
        .post_json(&hugs_path, bob.token(), json!({"hugId": received_id}))
        .await;
    assert_eq!(status, StatusCode::OK, "saving twice is harmless: {again}");
    assert_eq!(again["hugCount"], 1, "{again}");

    // Only hugs one received.
    let (status, refused) = hub
        .post_json(&hugs_path, bob.token(), json!({"hugId": sent_by_bob["id"]}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a hug bob sent: {refused}");
    assert_error(&refused, "not_recipient");
    let (status, refused) = hub
        .post_json(&hugs_path, bob.token(), json!({"hugId": strangers["id"]}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "someone else's hug: {refused}"
    );
    let (status, refused) = hub
        .post_json(
            &hugs_path,
            bob.token(),
            json!({"hugId": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no such hug: {refused}");
    let (status, refused) = hub.post_json(&hugs_path, bob.token(), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_names_field(&refused, "hugId");

    let (status, detail) = hub
        .get(&format!("/api/v1/collections/{jar_id}"), bob.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["name"], "Warm ones");
    assert_eq!(detail["hugCount"], 1);
    assert_eq!(detail["hugs"]["total"], 1, "{detail}");
    assert_eq!(detail["hugs"]["items"][0]["id"], received["id"], "{detail}");

    let (status, listed) = hub.get("/api/v1/collections", bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["id"], jar["id"], "{listed}");
    assert_eq!(listed["items"][0]["hugCount"], 1, "{listed}");

    // Take the hug out, then delete the collection.
    let one = format!("{hugs_path}/{received_id}");
    let (status, body) = hub.delete(&one, bob.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = hub.delete(&one, bob.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already out: {body}");
    let (_, detail) = hub
        .get(&format!("/api/v1/collections/{jar_id}"), bob.token())
        .await;
    assert_eq!(detail["hugCount"], 0, "{detail}");
    let (status, hug) = hub
        .get(&format!("/api/v1/hugs/{received_id}"), bob.token())
        .await;
    assert_eq!(status, StatusCode::OK, "the hug itself stays: {hug}");

    let path = format!("/api/v1/collections/{jar_id}");
    let (status, body) = hub.delete(&path, bob.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = hub.get(&path, bob.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    hub.stop().await;
}

#[tokio::test]
async fn someone_elses_collection_is_not_found() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let hug = send_hug(&hub, &alice, &bob).await;
    let (_, jar) = hub
        .post_json("/api/v1/collections", bob.token(), json!({"name": "Mine"}))
        .await;
    let jar_id = str_field(&jar, "id");
    let path = format!("/api/v1/collections/{jar_id}");

    let (status, body) = hub.get(&path, alice.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = hub
        .post_json(
            &format!("{path}/hugs"),
            alice.token(),
            json!({"hugId": hug["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = hub.delete(&path, alice.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, listed) = hub.get("/api/v1/collections", alice.token()).await;
    assert_eq!(listed["total"], 0, "{listed}");
    let (status, body) = hub.get(&path, bob.token()).await;
    assert_eq!(status, StatusCode::OK, "still bob's: {body}");
    let (status, body) = hub.get("/api/v1/collections", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    hub.stop().await;
}

#[tokio::test]
async fn bad_names_and_ids_are_refused() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    for body in [
        json!({}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(101)}),
    ] {
        let (status, answer) = hub
            .post_json("/api/v1/collections", bob.token(), body)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_names_field(&answer, "name");
    }
    let (status, answer) = hub.get("/api/v1/collections/not-a-uuid", bob.token()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let id = uuid::Uuid::new_v4();
    let (status, answer) = hub
        .delete(&format!("/api/v1/collections/{id}/hugs/nope"), bob.token())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_names_field(&answer, "hugId");
    hub.stop().await;
}
