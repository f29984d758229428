//! Polling clients over real HTTP: `GET /notifications` and `GET /events` answer an
//! `ETag`; the same request with `If-None-Match` gets 304 with no body while nothing
//! it would show changed, and 200 with a new tag once something did — a new hug, a
//! notification read, a retracted mood copy. A waiting long-poll is never answered 304.

mod common;

use common::*;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// One poll: status, `ETag`, body (empty on 304).
async fn poll(
    hub: &TestHub,
    path: &str,
    user: &TestUser,
    tag: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = hub.client.get(hub.url(path)).bearer_auth(&user.access);
    if let Some(tag) = tag {
        request = request.header(IF_NONE_MATCH, tag);
    }
    let response = request.send().await.expect("poll");
    let status = response.status();
    let etag = response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.expect("body");
    (status, etag, body)
}

/// Polls `path` with `tag`: must be 304 with the same tag and no body.
async fn unchanged(hub: &TestHub, path: &str, user: &TestUser, tag: &str) {
    let (status, again, body) = poll(hub, path, user, Some(tag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}: {body}");
    assert_eq!(again, tag, "{path}: a 304 carries the current tag");
    assert!(body.is_empty(), "{path}: a 304 has no body: {body}");
}

/// Polls `path` with `tag`: must be 200 with a new tag; answers the new tag and body.
async fn changed(hub: &TestHub, path: &str, user: &TestUser, tag: &str) -> (String, Value) {
    let (status, new, body) = poll(hub, path, user, Some(tag)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert!(
        !new.is_empty() && new != tag,
        "{path}: the tag {new:?} after {tag:?}"
    );
    (new, serde_json::from_str(&body).expect("JSON"))
}

#[tokio::test]
async fn the_inbox_answers_304_to_its_tag_until_it_changes() {
    let hub = TestHub::start().await;
    let alice = hub.register("etag_alice").await;
    let bob = hub.register("etag_bob").await;
    hub.befriend(&alice, &bob).await;
    send_hug(&hub, &bob, &alice).await;
    let inbox = "/api/v1/notifications";

    let (status, tag, body) = poll(&hub, inbox, &alice, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(tag.starts_with("W/\""), "a weak ETag: {tag:?}");
    unchanged(&hub, inbox, &alice, &tag).await;
    // Another query is another answer.
    let (status, other, _) = poll(
        &hub,
        "/api/v1/notifications?unread_only=true",
        &alice,
        Some(&tag),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(other, tag);

    // A new notification changes it.
    send_hug(&hub, &bob, &alice).await;
    let (tag, page) = changed(&hub, inbox, &alice, &tag).await;
    unchanged(&hub, inbox, &alice, &tag).await;

    // Reading one changes it too.
    let first = page["notifications"][0]["id"]
        .as_str()
        .expect("a notification id");
    let (status, body) = hub
        .post_empty(
            &format!("/api/v1/notifications/{first}/read"),
            alice.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (tag, page) = changed(&hub, inbox, &alice, &tag).await;
    assert_eq!(page["notifications"][0]["isRead"], true, "{page}");
    // `*` matches any current answer; a stranger's tag matches nothing.
    let (status, current, _) = poll(&hub, inbox, &alice, Some("*")).await;
    assert_eq!((status, current), (StatusCode::NOT_MODIFIED, tag.clone()));
    let (status, _, _) = poll(&hub, inbox, &alice, Some("W/\"someone-else\"")).await;
    assert_eq!(status, StatusCode::OK);
    // Without a valid token there is no 304, only 401.
    let response = hub
        .client
        .get(hub.url(inbox))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("poll without a token");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    hub.stop().await;
}

#[tokio::test]
async fn polled_events_answer_304_until_a_new_or_a_retracted_event() {
    let hub = TestHub::start().await;
    let alice = hub.register("etag_ev_alice").await;
    let bob = hub.register("etag_ev_bob").await;
    hub.befriend(&alice, &bob).await;
    post_mood(
        &hub,
        &bob,
        json!({"mood": "happy", "intensity": 7, "note": "sunny"}),
    )
    .await;
    let all = "/api/v1/events?last_id=0";

    let (status, tag, body) = poll(&hub, all, &alice, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("sunny"), "alice sees bob's mood: {body}");
    unchanged(&hub, all, &alice, &tag).await;

    // A new event changes the answer.
    send_hug(&hub, &bob, &alice).await;
    let (tag, _) = changed(&hub, all, &alice, &tag).await;
    unchanged(&hub, all, &alice, &tag).await;

    // Bob unfriends Alice: his mood's copy in her log is retracted.
    let (status, body) = hub
        .delete(&format!("/api/v1/friends/{}", alice.id), bob.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, page) = changed(&hub, all, &alice, &tag).await;
    assert!(
        !page.to_string().contains("sunny"),
        "the copy is gone: {page}"
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_long_poll_waits_whatever_its_if_none_match() {
    let hub = TestHub::start().await;
    let alice = hub.register("etag_lp_alice").await;
    let (_, tag, _) = poll(&hub, "/api/v1/events?last_id=0", &alice, None).await;
    let started = std::time::Instant::now();
    let (status, _, body) = poll(
        &hub,
        "/api/v1/events?last_id=0&long_poll=true&timeout=1",
        &alice,
        Some(&tag),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the long-poll waited for its timeout, not answered 304"
    );
    hub.stop().await;
}

/// A poll reads the log version instead of checking the account on its own: an
/// account deleted where this node did not see it (another node, before a restart)
/// still gets 401 `invalid_token`, with or without a tag, on both routes.
#[tokio::test]
async fn a_poll_for_an_account_deleted_elsewhere_is_401() {
    use sqlx::{Connection, SqliteConnection};
    let hub = TestHub::start().await;
    let gone = hub.register("etag_gone").await;
    let mut tags = Vec::new();
    for path in ["/api/v1/notifications", "/api/v1/events?last_id=0"] {
        let (status, tag, body) = poll(&hub, path, &gone, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        tags.push((path, tag));
    }
    let mut db = SqliteConnection::connect(&hub.config.database_url)
        .await
        .expect("a second connection to the hub's database");
    let id: uuid::Uuid = gone.id.parse().expect("a user id");
    let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut db)
        .await
        .expect("delete the user behind the hub's back")
        .rows_affected();
    assert_eq!(deleted, 1);
    for (path, tag) in &tags {
        for asking in [None, Some(tag.as_str())] {
            let (status, _, body) = poll(&hub, path, &gone, asking).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{path} {asking:?}: {body}"
            );
            let body: Value = serde_json::from_str(&body).expect("error JSON");
            assert_error(&body, "invalid_token");
        }
    }
    let (status, _, body) = poll(
        &hub,
        "/api/v1/events?last_id=0&long_poll=true&timeout=1",
        &gone,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "long-poll: {body}");
    hub.stop().await;
}
