//! Sessions and tokens over real HTTP: refresh (rotation and reuse detection), logout,
//! anonymous sign-up, and every way an access token is refused.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{
    assert_401, assert_error, assert_invalid_fields, assert_session, jwt_claims, me_with, now_secs,
    sign_jwt, str_field, TestHub, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const ANONYMOUS: &str = "/api/v1/auth/anonymous";
const ME: &str = "/api/v1/users/me";

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    // Without the grace window two tabs get (tested in tests/sessions.rs).
    let hub = TestHub::start_with(|c| c.refresh_grace_secs = 0).await;
    let user = hub.register("rot").await;
    let (status, first) = hub
        .post_json(REFRESH, None, json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_session(&first, &user.username);
    let newer = str_field(&first, "refreshToken");
    assert_ne!(newer, user.refresh);
    let (status, _) = hub.get(ME, Some(&str_field(&first, "accessToken"))).await;
    assert_eq!(status, StatusCode::OK);

    // The spent token is refused, and presenting it revokes the newer one too.
    let (status, body) = hub
        .post_json(REFRESH, None, json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");
    let (status, body) = hub
        .post_json(REFRESH, None, json!({"refreshToken": newer}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");

    // Another session of the same user is unaffected.
    let (status, login) = hub
        .post_json(
            LOGIN,
            None,
            json!({"login": user.username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (status, body) = hub
        .post_json(
            REFRESH,
            None,
            json!({"refreshToken": login["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn refresh_refuses_unknown_and_missing_tokens() {
    let hub = TestHub::start().await;
    let reply = hub
        .send(
            Method::POST,
            REFRESH,
            None,
            Some(&json!({"refreshToken": "made-up-token"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_error(&reply.body, "invalid_refresh_token");
    assert!(reply.headers.get("www-authenticate").is_some());
    for body in [json!({}), json!({"refreshToken": ""})] {
        let (status, answer) = hub.post_json(REFRESH, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_invalid_fields(&answer, &["refreshToken"]);
    }
}

#[tokio::test]
async fn logout_ends_that_session_only() {
    let hub = TestHub::start().await;
    let user = hub.register("bye").await;
    let (status, other) = hub
        .post_json(
            LOGIN,
            None,
            json!({"login": user.username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{other}");

    let (status, body) = hub
        .post_json(LOGOUT, None, json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "logout needs a bearer token: {body}"
    );
    assert_error(&body, "unauthorized");
    let (status, body) = hub.post_json(LOGOUT, user.token(), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["refreshToken"]);

    let (status, body) = hub
        .post_json(LOGOUT, user.token(), json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let (status, body) = hub
        .post_json(REFRESH, None, json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");
    let (status, body) = hub
        .post_json(
            REFRESH,
            None,
            json!({"refreshToken": other["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the other session lives on: {body}");
}

#[tokio::test]
async fn anonymous_sign_up() {
    let hub = TestHub::start().await;
    let reply = hub.send(Method::POST, ANONYMOUS, None, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let body = reply.body;
    let user = &body["user"];
    assert_eq!(user["isAnonymous"], true, "{body}");
    let username = str_field(user, "username");
    assert!(username.starts_with("anon_"), "{username}");
    assert!(
        user.get("email").is_none_or(Value::is_null),
        "anonymous users have no email: {body}"
    );
    assert_eq!(body["expiresIn"], 900);
    let access = str_field(&body, "accessToken");
    let (status, me) = hub.get(ME, Some(&access)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["isAnonymous"], true);
    assert_eq!(me["id"], user["id"]);

    // Two anonymous users are distinct; their refresh tokens rotate like anyone's.
    let (status, second) = hub.post_empty(ANONYMOUS, None).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(second["user"]["id"], user["id"]);
    let (status, refreshed) = hub
        .post_json(REFRESH, None, json!({"refreshToken": body["refreshToken"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(refreshed["user"]["id"], user["id"]);
    // Without a password an anonymous account cannot log in.
    let (status, login) = hub
        .post_json(
            LOGIN,
            None,
            json!({"login": username, "password": "whatever-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{login}");
    assert_error(&login, "invalid_credentials");
}

#[tokio::test]
async fn missing_and_malformed_tokens_are_refused() {
    let hub = TestHub::start().await;
    let user = hub.register("tok").await;
    assert_401(&me_with(&hub, None).await, "unauthorized");
    for header in [
        "Bearer garbage".to_owned(),
        "Bearer a.b.c".to_owned(),
        "Bearer ".to_owned(),
        "Bearer".to_owned(),
        format!("Basic {}", user.access),
        format!("Token {}", user.access),
        user.access.clone(),
    ] {
        assert_401(&me_with(&hub, Some(&header)).await, "invalid_token");
    }
    // The scheme is case-insensitive.
    let reply = me_with(&hub, Some(&format!("bearer {}", user.access))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn forged_expired_and_unsigned_tokens_are_refused() {
    let hub = TestHub::start().await;
    let user = hub.register("forge").await;
    let secret = hub.config.jwt_secret.clone();
    let now = now_secs();
    let claims_for = |sub: &str, iat: i64, exp: i64| json!({"sub": sub, "iat": iat, "exp": exp, "jti": uuid::Uuid::new_v4().to_string()});

    // Control: a token we sign with the hub's secret is accepted.
    let good = sign_jwt(&claims_for(&user.id, now, now + 600), &secret);
    assert_eq!(
        me_with(&hub, Some(&format!("Bearer {good}"))).await.status,
        StatusCode::OK
    );

    let expired = sign_jwt(&claims_for(&user.id, now - 7200, now - 3600), &secret);
    assert_401(
        &me_with(&hub, Some(&format!("Bearer {expired}"))).await,
        "token_expired",
    );

    let other_secret = sign_jwt(
        &claims_for(&user.id, now, now + 600),
        "some-other-secret-of-enough-length",
    );
    assert_401(
        &me_with(&hub, Some(&format!("Bearer {other_secret}"))).await,
        "invalid_token",
    );

    let unknown_user = sign_jwt(
        &claims_for(&uuid::Uuid::new_v4().to_string(), now, now + 600),
        &secret,
    );
    assert_401(
        &me_with(&hub, Some(&format!("Bearer {unknown_user}"))).await,
        "invalid_token",
    );

    let not_uuid = sign_jwt(&claims_for("admin", now, now + 600), &secret);
    assert_401(
        &me_with(&hub, Some(&format!("Bearer {not_uuid}"))).await,
        "invalid_token",
    );

    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let body = claims_for(&user.id, now, now + 600);
    for header in [
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None"}),
        json!({"alg": "HS512", "typ": "JWT"}),
    ] {
        let unsigned = format!("{}.{}.", b64(&header), b64(&body));
        assert_401(
            &me_with(&hub, Some(&format!("Bearer {unsigned}"))).await,
            "invalid_token",
        );
    }

    // A real token whose payload is swapped for another user's keeps its old signature.
    let other = hub.register("forge2").await;
    let parts: Vec<&str> = user.access.split('.').collect();
    let mut forged_claims = jwt_claims(&user.access);
    forged_claims["sub"] = json!(other.id);
    let tampered = format!("{}.{}.{}", parts[0], b64(&forged_claims), parts[2]);
    assert_401(
        &me_with(&hub, Some(&format!("Bearer {tampered}"))).await,
        "invalid_token",
    );
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_succeed_at_most_once() {
    // With no grace window; within one, they all get the same successor (tests/sessions.rs).
    let hub = TestHub::start_with(|c| c.refresh_grace_secs = 0).await;
    let user = hub.register("twice").await;
    let attempts =
        (0..4).map(|_| hub.post_json(REFRESH, None, json!({"refreshToken": user.refresh})));
    let answers = futures::future::join_all(attempts).await;
    let winners: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one refresh wins: {answers:?}");
    for (status, body) in &answers {
        if *status != StatusCode::OK {
            assert_eq!(*status, StatusCode::UNAUTHORIZED, "{body}");
            assert_error(body, "invalid_refresh_token");
        }
    }
    // The losers presented a spent token: the whole family, the winner's too, is revoked.
    let (status, body) = hub
        .post_json(
            REFRESH,
            None,
            json!({"refreshToken": winners[0]["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn logging_out_with_someone_elses_token_does_not_end_their_session() {
    let hub = TestHub::start().await;
    let mallory = hub.register("mallory").await;
    let victim = hub.register("victim").await;
    let (status, body) = hub
        .post_json(
            LOGOUT,
            mallory.token(),
            json!({"refreshToken": victim.refresh}),
        )
        .await;
    assert!(
        status.is_client_error() || status == StatusCode::NO_CONTENT,
        "{status}: {body}"
    );
    let (status, body) = hub
        .post_json(REFRESH, None, json!({"refreshToken": victim.refresh}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the victim's session survives: {body}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let hub = TestHub::start_with(|c| c.refresh_token_ttl_secs = 1).await;
    let user = hub.register("short").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = hub
        .post_json(REFRESH, None, json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");
}
