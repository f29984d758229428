//! Helpers for users with fixed names, search, friend requests, blocks, and the mood
//! entries and mood privacy friends see.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{ids, str_field, TestHub, TestUser, PASSWORD};

/// Registers a user with a fixed username and display name (each test has its own hub).
pub async fn register_named(hub: &TestHub, username: &str, display_name: &str) -> TestUser {
    let email = format!("{}@example.test", username.to_lowercase());
    let body = json!({"username": username, "email": email, "password": PASSWORD, "displayName": display_name});
    let (status, body) = hub.post_json("/api/v1/auth/register", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "register {username}: {body}");
    TestUser {
        id: str_field(&body["user"], "id"),
        username: username.to_owned(),
        email,
        password: PASSWORD.to_owned(),
        access: str_field(&body, "accessToken"),
        refresh: str_field(&body, "refreshToken"),
    }
}

/// Usernames found by a search for `q` (percent-encoded here) by `viewer`.
pub async fn search_names(hub: &TestHub, viewer: &TestUser, q: &str) -> Vec<String> {
    let query: String = form_encode(q);
    let (status, body) = hub
        .get(
            &format!("/api/v1/users?q={query}&per_page=100"),
            viewer.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "search {q:?}: {body}");
    let mut names: Vec<String> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| str_field(u, "username"))
        .collect();
    names.sort();
    names
}

/// Percent-encodes all but unreserved characters, for query values.
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// POST /friends/requests from `from` to `to`.
pub async fn send_request(hub: &TestHub, from: &TestUser, to: &TestUser) -> (StatusCode, Value) {
    hub.post_json(
        "/api/v1/friends/requests",
        from.token(),
        json!({"userId": to.id}),
    )
    .await
}

/// Sends a request that must succeed; returns its id.
pub async fn request_ok(hub: &TestHub, from: &TestUser, to: &TestUser) -> String {
    let (status, body) = send_request(hub, from, to).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    str_field(&body, "id")
}

/// POST /friends/requests/{id}/{verb} (`accept` or `decline`) as `user`.
pub async fn answer_request(
    hub: &TestHub,
    user: &TestUser,
    id: &str,
    verb: &str,
) -> (StatusCode, Value) {
    hub.post_empty(
        &format!("/api/v1/friends/requests/{id}/{verb}"),
        user.token(),
    )
    .await
}

/// Ids of the pending requests of `user` in `direction`.
pub async fn pending_ids(hub: &TestHub, user: &TestUser, direction: &str) -> Vec<String> {
    let (status, body) = hub
        .get(
            &format!("/api/v1/friends/requests?direction={direction}&per_page=100"),
            user.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ids(&body["items"])
}

/// POST /blocks/{blocked} as `blocker`.
pub async fn block(hub: &TestHub, blocker: &TestUser, blocked: &TestUser) -> (StatusCode, Value) {
    hub.post_empty(&format!("/api/v1/blocks/{}", blocked.id), blocker.token())
        .await
}

/// DELETE /blocks/{blocked} as `blocker`.
pub async fn unblock(hub: &TestHub, blocker: &TestUser, blocked: &TestUser) -> (StatusCode, Value) {
    hub.delete(&format!("/api/v1/blocks/{}", blocked.id), blocker.token())
        .await
}

/// POST /moods as `user`; answers the created entry.
pub async fn post_mood(hub: &TestHub, user: &TestUser, body: Value) -> Value {
    let (status, entry) = hub.post_json("/api/v1/moods", user.token(), body).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    entry
}

/// PUT /users/me/privacy with only `moodVisibility`.
pub async fn set_mood_visibility(hub: &TestHub, user: &TestUser, visibility: &str) {
    let (status, body) = hub
        .put_json(
            "/api/v1/users/me/privacy",
            user.token(),
            json!({"moodVisibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
