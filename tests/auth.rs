//! Accounts over real HTTP: registration (fields, rules, conflicts) and login.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{
    assert_error, assert_invalid_fields, assert_names_field, assert_session, jwt_claims, now_secs,
    str_field, unique_name, TestHub, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const REGISTER: &str = "/api/v1/auth/register";
const LOGIN: &str = "/api/v1/auth/login";
const ME: &str = "/api/v1/users/me";

#[tokio::test]
async fn register_answers_user_and_token_pair() {
    let hub = TestHub::start().await;
    let username = unique_name("Reg");
    let email = format!("{}@example.test", username.to_lowercase());
    let (status, body) = hub
        .post_json(
            REGISTER,
            None,
            json!({"username": username, "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_session(&body, &username);
    let user = &body["user"];
    let id = str_field(user, "id");
    uuid::Uuid::parse_str(&id).expect("user id is a UUID");
    assert_eq!(user["email"], email);
    assert_eq!(user["isAnonymous"], false);
    assert_eq!(
        user["displayName"], username,
        "display name defaults to the username"
    );
    for key in [
        "profileImage",
        "bio",
        "status",
        "joinedAt",
        "lastActive",
        "online",
    ] {
        assert!(user.get(key).is_some(), "user lacks {key}: {user}");
    }
    chrono::DateTime::parse_from_rfc3339(&str_field(user, "joinedAt"))
        .expect("joinedAt is RFC 3339");

    let access = str_field(&body, "accessToken");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("header JSON");
    assert_eq!(header["alg"], "HS256");
    let c = jwt_claims(&access);
    assert_eq!(c["sub"], id);
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()), "{c}");
    let (iat, exp) = (
        c["iat"].as_i64().expect("iat"),
        c["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 900);
    assert!((iat - now_secs()).abs() < 60, "iat is now: {c}");

    let (status, me) = hub.get(ME, Some(&access)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], id);
}

#[tokio::test]
async fn register_keeps_a_display_name_and_ttl_follows_config() {
    let hub = TestHub::start_with(|c| c.access_token_ttl_secs = 60).await;
    let username = unique_name("Named");
    let body = json!({"username": username, "email": format!("{username}@example.test"),
        "password": PASSWORD, "displayName": "Ada Lovelace"});
    let (status, body) = hub.post_json(REGISTER, None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["displayName"], "Ada Lovelace");
    assert_eq!(body["expiresIn"], 60);
    let c = jwt_claims(&str_field(&body, "accessToken"));
    assert_eq!(
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"),
        60
    );
}

#[tokio::test]
async fn duplicate_username_and_email_are_conflicts_case_insensitively() {
    let hub = TestHub::start().await;
    let alice = hub.register("alice").await;
    let other_email = |tag: &str| format!("{tag}_{}@example.test", alice.username);

    for name in [alice.username.clone(), alice.username.to_uppercase()] {
        let body = json!({"username": name, "email": other_email("x"), "password": PASSWORD});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{name}: {body}");
        assert_error(&body, "username_taken");
    }
    for email in [alice.email.clone(), alice.email.to_uppercase()] {
        let body = json!({"username": unique_name("other"), "email": email, "password": PASSWORD});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{email}: {body}");
        assert_error(&body, "email_taken");
    }
}

#[tokio::test]
async fn missing_registration_fields_are_each_required() {
    let hub = TestHub::start().await;
    let (status, body) = hub.post_json(REGISTER, None, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["email", "password", "username"]);
    for field in ["email", "password", "username"] {
        assert_eq!(body["error"]["details"][field], "is required", "{body}");
    }
    let (status, body) = hub
        .post_json(REGISTER, None, json!({"username": unique_name("only")}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["email", "password"]);
}

#[tokio::test]
async fn invalid_registration_lists_each_bad_field() {
    let hub = TestHub::start().await;
    let body =
        json!({"username": "ab", "email": "nope", "password": "short", "displayName": "   "});
    let (status, body) = hub.post_json(REGISTER, None, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["displayName", "email", "password", "username"]);

    let ok_email = |n: &str| format!("{n}@example.test");
    for bad in [
        "a".repeat(31),
        "has space".into(),
        "émile_x".into(),
        "dash-ed".into(),
        "x".into(),
    ] {
        let body = json!({"username": bad, "email": ok_email("u"), "password": PASSWORD});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_invalid_fields(&body, &["username"]);
    }
    for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b..c"] {
        let body = json!({"username": unique_name("mail"), "email": bad, "password": PASSWORD});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_invalid_fields(&body, &["email"]);
    }
    let long_name = "n".repeat(51);
    for (password, display) in [
        ("1234567", "ok"),
        (PASSWORD, long_name.as_str()),
        (PASSWORD, ""),
    ] {
        let name = unique_name("pw");
        let body = json!({"username": name, "email": ok_email(&name), "password": password, "displayName": display});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let field = if password == PASSWORD {
            "displayName"
        } else {
            "password"
        };
        assert_invalid_fields(&body, &[field]);
    }
    // A value of the wrong type names the field; a body of the wrong type names `body`.
    let (status, body) = hub
        .post_json(REGISTER, None, json!({"username": 5, "email": "a@b.co"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_names_field(&body, "username");
    let (status, body) = hub
        .post_json(REGISTER, None, json!(["not", "an", "object"]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_names_field(&body, "body");
}

#[tokio::test]
async fn boundary_values_are_accepted() {
    let hub = TestHub::start().await;
    // 3-character and 30-character usernames, an 8-character password, a 50-char name.
    // Each test has its own hub, so fixed names cannot collide.
    for name in ["abc".to_owned(), format!("Z_{}", "9".repeat(28))] {
        let body = json!({"username": name, "email": format!("{name}@example.test"), "password": "12345678",
            "displayName": "d".repeat(50)});
        let (status, body) = hub.post_json(REGISTER, None, body).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    }
}

#[tokio::test]
async fn login_by_username_or_email_case_insensitively() {
    let hub = TestHub::start().await;
    let user = hub.register("Login").await;
    for login in [
        user.username.clone(),
        user.email.clone(),
        user.username.to_uppercase(),
        user.email.to_uppercase(),
    ] {
        let (status, body) = hub
            .post_json(LOGIN, None, json!({"login": login, "password": PASSWORD}))
            .await;
        assert_eq!(status, StatusCode::OK, "{login}: {body}");
        assert_session(&body, &user.username);
        assert_eq!(body["user"]["id"], user.id);
        assert_ne!(
            body["refreshToken"], user.refresh,
            "each login starts a new session"
        );
        let (status, _) = hub.get(ME, Some(&str_field(&body, "accessToken"))).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let hub = TestHub::start().await;
    let user = hub.register("victim").await;
    let wrong = hub
        .send(
            Method::POST,
            LOGIN,
            None,
            Some(&json!({"login": user.username, "password": "not-it-1"})),
        )
        .await;
    let unknown = hub
        .send(
            Method::POST,
            LOGIN,
            None,
            Some(&json!({"login": unique_name("ghost"), "password": "not-it-1"})),
        )
        .await;
    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_error(&reply.body, "invalid_credentials");
        assert_eq!(
            reply
                .headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
    }
    assert_eq!(
        wrong.text, unknown.text,
        "the two failures must not be told apart"
    );

    let (status, body) = hub.post_json(LOGIN, None, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["login", "password"]);
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_make_one_account() {
    let hub = TestHub::start().await;
    let username = unique_name("race");
    let attempts = (0..4).map(|i| {
        let body = json!({"username": username, "email": format!("race{i}_{username}@example.test"), "password": PASSWORD});
        hub.post_json(REGISTER, None, body)
    });
    let mut statuses = Vec::new();
    for (status, body) in futures::future::join_all(attempts).await {
        if status != StatusCode::CREATED {
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert_error(&body, "username_taken");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
}
