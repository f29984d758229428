//! The rate limits of sign-in, sign-up, moods and friend requests over real HTTP: per
//! client address and per login name (only a trusted proxy's `X-Forwarded-For` moves
//! the address), through REST and GraphQL alike, with 429 `rate_limited`, a
//! `Retry-After` and the `hugmood_rate_limited_total` counter; and one sign-in
//! mutation per GraphQL request.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOGIN: &str = "/api/v1/auth/login";

/// A login of `login` with `password`, from `forwarded_for` when given.
async fn login(hub: &TestHub, login: &str, password: &str, forwarded_for: Option<&str>) -> Reply {
    let mut request = hub
        .client
        .post(hub.url(LOGIN))
        .json(&json!({"login": login, "password": password}));
    if let Some(addr) = forwarded_for {
        request = request.header("X-Forwarded-For", addr);
    }
    read_reply(request.send().await.expect("login request")).await
}

/// The value of `hugmood_rate_limited_total` for `route`.
async fn limited_count(hub: &TestHub, route: &str) -> f64 {
    let series = format!("hugmood_rate_limited_total{{route=\"{route}\"}}");
    hub.metric(&series)
        .await
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_address_and_the_right_one_waits_too() {
    let hub = TestHub::start_with(|c| c.login_rate_per_minute = 3).await;
    let alice = hub.register("alice").await;
    for _ in 0..3 {
        let reply = login(&hub, &alice.username, "wrong-password", None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    assert_rate_limited(
        &login(&hub, &alice.username, "wrong-password", None).await,
        60,
    );
    // The limit is on attempts, not on failures: the right password waits as well,
    // and so does any other name tried from the same address.
    assert_rate_limited(&login(&hub, &alice.username, PASSWORD, None).await, 60);
    assert_rate_limited(&login(&hub, "somebody_else", "guess", None).await, 60);
    // Without trusted proxies, X-Forwarded-For changes nothing.
    assert_rate_limited(
        &login(&hub, "somebody_else", "guess", Some("203.0.113.7")).await,
        60,
    );
    assert!(limited_count(&hub, LOGIN).await >= 4.0);
    hub.stop().await;
}

#[tokio::test]
async fn one_login_name_is_limited_across_addresses_behind_a_trusted_proxy() {
    let hub = TestHub::start_with(|c| {
        c.login_rate_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let alice = hub.register("alice").await;
    for n in 1..=3 {
        let from = format!("198.51.100.{n}");
        let reply = login(&hub, &alice.username, "wrong", Some(&from)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    // A fourth address, the same name (in other letter case): refused.
    let upper = alice.username.to_uppercase();
    assert_rate_limited(
        &login(&hub, &upper, "wrong", Some("198.51.100.4")).await,
        60,
    );
    // Another name from a fresh address is not affected.
    let bob = hub.register("bob").await;
    let reply = login(&hub, &bob.username, PASSWORD, Some("198.51.100.5")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    hub.stop().await;
}

#[tokio::test]
async fn graphql_takes_one_sign_in_per_request_and_counts_it_with_rest() {
    let hub = TestHub::start_with(|c| c.login_rate_per_minute = 3).await;
    let alice = hub.register("alice").await;
    let name = &alice.username;
    let aliased = format!(
        r#"mutation {{ a: login(input: {{login: "{name}", password: "x"}}) {{ accessToken }}
                      b: login(input: {{login: "{name}", password: "y"}}) {{ accessToken }}
                      c: register(input: {{username: "zz_{n}", email: "zz{n}@example.test", password: "long-enough-1"}}) {{ accessToken }} }}"#,
        n = std::process::id()
    );
    let (status, answer) = hub
        .post_json("/graphql", None, json!({ "query": aliased }))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let codes: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors expected: {answer}"))
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        codes,
        [
            "invalid_credentials",
            "too_many_auth_mutations",
            "too_many_auth_mutations"
        ],
        "{answer}"
    );
    // One attempt was made through GraphQL; two more through REST use up the three.
    for _ in 0..2 {
        let reply = login(&hub, name, "wrong", None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    let one = format!(
        r#"mutation {{ login(input: {{login: "{name}", password: "{PASSWORD}"}}) {{ accessToken }} }}"#
    );
    let (status, answer) = hub
        .post_json("/graphql", None, json!({ "query": one }))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["login"], Value::Null, "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "rate_limited",
        "{answer}"
    );
    assert!(answer["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .is_some());
    hub.stop().await;
}

#[tokio::test]
async fn registrations_and_anonymous_accounts_share_a_limit_per_address() {
    let hub = TestHub::start_with(|c| c.register_rate_per_hour = 2).await;
    hub.register("first").await;
    let (status, body) = hub.post_empty("/api/v1/auth/anonymous", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let third = hub
        .send(Method::POST, "/api/v1/auth/anonymous", None, None)
        .await;
    assert_rate_limited(&third, 3600);
    let body = json!({"username": unique_name("late"), "email": "late@example.test", "password": PASSWORD});
    let fourth = hub
        .send(Method::POST, "/api/v1/auth/register", None, Some(&body))
        .await;
    assert_rate_limited(&fourth, 3600);
    hub.stop().await;
}

#[tokio::test]
async fn refreshes_are_limited() {
    let hub = TestHub::start_with(|c| c.login_rate_per_minute = 2).await;
    let alice = hub.register("alice").await;
    let mut token = Value::String(alice.refresh.clone());
    for _ in 0..2 {
        let (status, body) = hub.refresh(&token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        token = body["refreshToken"].clone();
    }
    let reply = hub
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({ "refreshToken": token })),
        )
        .await;
    assert_rate_limited(&reply, 60);
    hub.stop().await;
}

#[tokio::test]
async fn mood_entries_are_limited_per_user_and_a_keyed_retry_is_still_answered() {
    let hub = TestHub::start_with(|c| c.mood_rate_per_minute = 2).await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let entry = json!({"mood": "calm", "intensity": 6, "note": "fine"});
    let post = |user: &TestUser, key: &'static str| {
        let request = hub
            .client
            .post(hub.url("/api/v1/moods"))
            .bearer_auth(&user.access)
            .header("Idempotency-Key", key)
            .json(&entry);
        async move { read_reply(request.send().await.expect("mood request")).await }
    };
    let first = post(&alice, "mood-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = post(&alice, "mood-2").await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    assert_rate_limited(&post(&alice, "mood-3").await, 60);
    // The offline queue replays the first: it was created, so it is answered.
    let replay = post(&alice, "mood-1").await;
    assert_eq!(replay.status, StatusCode::CREATED, "{}", replay.text);
    assert_eq!(replay.body, first.body);
    // Another user has their own bucket.
    let other = post(&bob, "mood-1").await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    assert!(limited_count(&hub, "/api/v1/moods").await >= 1.0);
    hub.stop().await;
}

#[tokio::test]
async fn friend_requests_are_limited_per_user() {
    let hub = TestHub::start_with(|c| c.friend_request_rate_per_hour = 2).await;
    let alice = hub.register("alice").await;
    let others = hub.register_many("other", 3).await;
    for other in &others[..2] {
        let (status, body) = hub
            .post_json(
                "/api/v1/friends/requests",
                alice.token(),
                json!({"userId": other.id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let reply = hub
        .send(
            Method::POST,
            "/api/v1/friends/requests",
            alice.token(),
            Some(&json!({"userId": others[2].id})),
        )
        .await;
    assert_rate_limited(&reply, 3600);
    // The GraphQL mutation draws from the same bucket.
    let query = format!(
        r#"mutation {{ sendFriendRequest(userId: "{}") {{ id }} }}"#,
        others[2].id
    );
    let (status, answer) = hub
        .post_json("/graphql", alice.token(), json!({ "query": query }))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "rate_limited",
        "{answer}"
    );
    hub.stop().await;
}
