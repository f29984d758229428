//! Profiles over real HTTP: one's own profile (read, update, delete), public profiles
//! and privacy settings.

mod common;

use common::{
    assert_error, assert_invalid_fields, assert_names_field, form_encode, search_names, str_field,
    TestHub, TestUser, PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ME: &str = "/api/v1/users/me";
const PRIVACY: &str = "/api/v1/users/me/privacy";

fn user_path(user: &TestUser) -> String {
    format!("/api/v1/users/{}", user.id)
}

#[tokio::test]
async fn me_shows_the_whole_own_profile() {
    let hub = TestHub::start().await;
    let user = hub.register("me").await;
    let (status, me) = hub.get(ME, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let mut keys: Vec<&str> = me
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = vec![
        "id",
        "username",
        "displayName",
        "profileImage",
        "bio",
        "status",
        "isAnonymous",
        "joinedAt",
        "lastActive",
        "online",
        "email",
    ];
    want.sort_unstable();
    assert_eq!(keys, want, "{me}");
    assert_eq!(me["id"], user.id);
    assert_eq!(me["email"], user.email);
    assert_eq!(me["online"], true, "just signed in: {me}");
    for key in ["profileImage", "bio", "status"] {
        assert_eq!(me[key], Value::Null, "{key} starts empty: {me}");
    }
    for key in ["joinedAt", "lastActive"] {
        chrono::DateTime::parse_from_rfc3339(&str_field(&me, key)).expect("RFC 3339 time");
    }
    let (status, body) = hub.get(ME, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
}

#[tokio::test]
async fn patch_updates_only_the_fields_sent() {
    let hub = TestHub::start().await;
    let user = hub.register("patch").await;
    let (status, body) = hub
        .patch_json(
            ME,
            user.token(),
            json!({"displayName": "New Name", "bio": "hello", "status": "calm"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["displayName"], &body["bio"], &body["status"]),
        (&json!("New Name"), &json!("hello"), &json!("calm"))
    );
    assert_eq!(body["email"], user.email, "the answer is one's own profile");

    let image = "https://img.example/me.png";
    let (status, body) = hub
        .patch_json(ME, user.token(), json!({"profileImage": image}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profileImage"], image);
    assert_eq!(
        body["displayName"], "New Name",
        "unsent fields are unchanged: {body}"
    );
    assert_eq!(body["bio"], "hello");

    // null clears the clearable fields; an empty object changes nothing.
    let (status, body) = hub
        .patch_json(ME, user.token(), json!({"bio": null, "status": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["bio"], &body["status"]),
        (&Value::Null, &Value::Null),
        "{body}"
    );
    assert_eq!(body["profileImage"], image);
    let (status, same) = hub.patch_json(ME, user.token(), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    let (status, me) = hub.get(ME, user.token()).await;
    assert_eq!(status, StatusCode::OK);
    for key in ["displayName", "bio", "status", "profileImage"] {
        assert_eq!(me[key], same[key], "{key} persisted");
    }
    let (status, body) = hub
        .patch_json(ME, user.token(), json!({"profileImage": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profileImage"], Value::Null);
}

#[tokio::test]
async fn patch_accepts_boundary_lengths() {
    let hub = TestHub::start().await;
    let user = hub.register("bounds").await;
    let image = format!(
        "http://img.example/{}",
        "p".repeat(2048 - "http://img.example/".len())
    );
    let body = json!({"displayName": "é".repeat(50), "bio": "b".repeat(500), "status": "s".repeat(100),
        "profileImage": image});
    let (status, answer) = hub.patch_json(ME, user.token(), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for key in ["displayName", "bio", "status", "profileImage"] {
        assert_eq!(answer[key], body[key], "{key}");
    }
}

#[tokio::test]
async fn patch_rejects_each_invalid_field() {
    let hub = TestHub::start().await;
    let user = hub.register("badpatch").await;
    let body = json!({"displayName": "d".repeat(51), "bio": "b".repeat(501), "status": "s".repeat(101),
        "profileImage": "ftp://files.example/a.png"});
    let (status, answer) = hub.patch_json(ME, user.token(), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_invalid_fields(&answer, &["bio", "displayName", "profileImage", "status"]);

    let long_url = format!("https://img.example/{}", "x".repeat(2048));
    for (field, value) in [
        ("displayName", json!("")),
        ("displayName", json!("   ")),
        ("profileImage", json!("javascript:alert(1)")),
        ("profileImage", json!("https://")),
        ("profileImage", json!("https://has space.example")),
        ("profileImage", json!(long_url)),
        ("status", json!("bell\u{7}")),
    ] {
        let (status, answer) = hub
            .patch_json(ME, user.token(), json!({ field: value }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}: {answer}");
        assert_invalid_fields(&answer, &[field]);
    }
    // Wrong JSON types name the field too.
    for (field, value) in [
        ("bio", json!(5)),
        ("displayName", json!(["x"])),
        ("status", json!({"a": 1})),
    ] {
        let (status, answer) = hub
            .patch_json(ME, user.token(), json!({ field: value }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}: {answer}");
        assert_names_field(&answer, field);
    }
    // Nothing was changed by the refused updates.
    let (_, me) = hub.get(ME, user.token()).await;
    assert_eq!(me["displayName"], user.username);
    assert_eq!(me["bio"], Value::Null);
}

#[tokio::test]
async fn deleting_the_account_removes_its_data() {
    let hub = TestHub::start().await;
    let gone = hub.register("gone").await;
    let friend = hub.register("friend").await;
    let asked = hub.register("asked").await;
    hub.befriend(&gone, &friend).await;
    let (status, request) = hub
        .post_json(
            "/api/v1/friends/requests",
            gone.token(),
            json!({"userId": asked.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    assert_eq!(hub.friend_ids(&friend).await, vec![gone.id.clone()]);

    let (status, body) = hub.delete(ME, gone.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);

    let (status, body) = hub.get(ME, gone.token()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_token");
    let (status, body) = hub.delete(ME, gone.token()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = hub
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"login": gone.username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_credentials");
    let (status, body) = hub
        .post_json(
            "/api/v1/auth/refresh",
            None,
            json!({"refreshToken": gone.refresh}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");

    assert!(
        hub.friend_ids(&friend).await.is_empty(),
        "the friendship is gone"
    );
    let (status, incoming) = hub.get("/api/v1/friends/requests", asked.token()).await;
    assert_eq!(status, StatusCode::OK, "{incoming}");
    assert_eq!(incoming["total"], 0, "the request is gone: {incoming}");
    let (status, body) = hub.get(&user_path(&gone), friend.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    assert!(search_names(&hub, &friend, &gone.username).await.is_empty());

    // The username and email are free again.
    let body = json!({"username": gone.username, "email": gone.email, "password": PASSWORD});
    let (status, body) = hub.post_json("/api/v1/auth/register", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_ne!(body["user"]["id"], gone.id);
}

#[tokio::test]
async fn public_profiles_hide_the_email() {
    let hub = TestHub::start().await;
    let alice = hub.register("alice").await;
    let bob = hub.register("bob").await;
    let (status, profile) = hub.get(&user_path(&alice), bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["id"], alice.id);
    assert_eq!(profile["username"], alice.username);
    assert!(
        profile.get("email").is_none(),
        "no email for others: {profile}"
    );
    for key in [
        "displayName",
        "profileImage",
        "bio",
        "status",
        "isAnonymous",
        "joinedAt",
        "lastActive",
        "online",
    ] {
        assert!(
            profile.get(key).is_some(),
            "public profile lacks {key}: {profile}"
        );
    }
    let (status, own) = hub.get(&user_path(&alice), alice.token()).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["email"], alice.email, "one's own profile by id");

    let (status, body) = hub
        .get(
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            bob.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    for bad in ["not-a-uuid", "123", "me2"] {
        let (status, body) = hub.get(&format!("/api/v1/users/{bad}"), bob.token()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_error(&body, "validation_failed");
    }
    let (status, body) = hub.get(&user_path(&alice), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_blocked_caller_cannot_see_the_blocker() {
    let hub = TestHub::start().await;
    let blocker = hub.register("blocker").await;
    let blocked = hub.register("blocked").await;
    let (status, _) = hub
        .post_empty(&format!("/api/v1/blocks/{}", blocked.id), blocker.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = hub.get(&user_path(&blocker), blocked.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (status, body) = hub.get(&user_path(&blocked), blocker.token()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the blocker still sees them: {body}"
    );
    assert!(
        search_names(&hub, &blocked, &blocker.username)
            .await
            .is_empty(),
        "hidden from search too"
    );

    let (status, _) = hub
        .delete(&format!("/api/v1/blocks/{}", blocked.id), blocker.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = hub.get(&user_path(&blocker), blocked.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        search_names(&hub, &blocked, &blocker.username).await,
        vec![blocker.username.clone()]
    );
}

#[tokio::test]
async fn privacy_defaults_and_updates() {
    let hub = TestHub::start().await;
    let user = hub.register("priv").await;
    let (status, body) = hub.get(PRIVACY, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"moodVisibility": "friends", "allowHugsFrom": "everyone", "showOnline": true})
    );

    let (status, body) = hub
        .put_json(PRIVACY, user.token(), json!({"moodVisibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"moodVisibility": "private", "allowHugsFrom": "everyone", "showOnline": true})
    );
    let (status, body) = hub
        .put_json(
            PRIVACY,
            user.token(),
            json!({"allowHugsFrom": "nobody", "showOnline": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let want = json!({"moodVisibility": "private", "allowHugsFrom": "nobody", "showOnline": false});
    assert_eq!(body, want);
    let (_, stored) = hub.get(PRIVACY, user.token()).await;
    assert_eq!(stored, want, "settings persist");

    for (mood, hugs) in [
        ("public", "friends"),
        ("friends", "everyone"),
        ("private", "nobody"),
    ] {
        let body = json!({"moodVisibility": mood, "allowHugsFrom": hugs, "showOnline": true});
        let (status, answer) = hub.put_json(PRIVACY, user.token(), body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer, body);
    }
    let (status, _) = hub.get(PRIVACY, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn privacy_rejects_invalid_values() {
    let hub = TestHub::start().await;
    let user = hub.register("privbad").await;
    for (body, field) in [
        (json!({"moodVisibility": "everybody"}), "moodVisibility"),
        (json!({"moodVisibility": "Friends"}), "moodVisibility"),
        (json!({"allowHugsFrom": "all"}), "allowHugsFrom"),
        (json!({"showOnline": "yes"}), "showOnline"),
        (json!({"showOnline": 1}), "showOnline"),
        (json!([]), "body"),
        (json!("friends"), "body"),
    ] {
        let (status, answer) = hub.put_json(PRIVACY, user.token(), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_names_field(&answer, field);
    }
    let (_, stored) = hub.get(PRIVACY, user.token()).await;
    assert_eq!(
        stored,
        json!({"moodVisibility": "friends", "allowHugsFrom": "everyone", "showOnline": true})
    );
}

/// `{"allowHugsFrom": 1}` is well-formed JSON with a value of the wrong type: like any
/// other wrong type it must be `validation_failed` naming the field, not `invalid_json`.
#[tokio::test]
async fn privacy_enum_of_the_wrong_json_type_names_the_field() {
    let hub = TestHub::start().await;
    let user = hub.register("privtype").await;
    for (body, field) in [
        (json!({"allowHugsFrom": 1}), "allowHugsFrom"),
        (json!({"moodVisibility": true}), "moodVisibility"),
        (json!({"moodVisibility": ["friends"]}), "moodVisibility"),
    ] {
        let (status, answer) = hub.put_json(PRIVACY, user.token(), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_names_field(&answer, field);
    }
}

#[tokio::test]
async fn hiding_online_status_hides_presence_from_others_only() {
    let hub = TestHub::start().await;
    let shy = hub.register("shy").await;
    let other = hub.register("other").await;
    hub.befriend(&shy, &other).await;

    let (_, visible) = hub.get(&user_path(&shy), other.token()).await;
    assert_eq!(visible["online"], true, "{visible}");
    assert!(visible["lastActive"].is_string(), "{visible}");

    let (status, _) = hub
        .put_json(PRIVACY, shy.token(), json!({"showOnline": false}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, profile) = hub.get(&user_path(&shy), other.token()).await;
    let (_, friends) = hub.get("/api/v1/friends", other.token()).await;
    let found = search_names_raw(&hub, &other, &shy.username).await;
    for view in [&profile, &friends["items"][0], &found[0]] {
        assert_eq!(view["id"], shy.id, "{view}");
        assert_eq!(view["online"], false, "{view}");
        assert_eq!(view["lastActive"], Value::Null, "{view}");
    }
    let (_, me) = hub.get(ME, shy.token()).await;
    assert_eq!(me["online"], true, "{me}");
    assert!(me["lastActive"].is_string(), "{me}");
    let (_, own_by_id) = hub.get(&user_path(&shy), shy.token()).await;
    assert_eq!(own_by_id["online"], true, "{own_by_id}");
}

async fn search_names_raw(hub: &TestHub, viewer: &TestUser, q: &str) -> Vec<Value> {
    let (status, body) = hub
        .get(
            &format!("/api/v1/users?q={}", form_encode(q)),
            viewer.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().expect("items")
}
