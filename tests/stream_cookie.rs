//! The `hugmood_stream` cookie's attributes over real HTTP: always HttpOnly,
//! SameSite=Strict, Path=/api/v1; `Secure` when a trusted proxy says the request came
//! over TLS (`X-Forwarded-Proto: https`) or `cookie_secure` is on — never on a header
//! from anyone else. Logout clears it with the same attributes.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// The `Set-Cookie` of `POST /sse/ticket` for `user`, with extra `headers`.
async fn ticket_cookie(hub: &TestHub, user: &TestUser, headers: &[(&str, &str)]) -> String {
    let mut request = hub
        .client
        .post(hub.url("/api/v1/sse/ticket"))
        .bearer_auth(&user.access);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let reply = read_reply(request.send().await.expect("ticket request")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    set_cookie(&reply)
}

fn set_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get("set-cookie")
        .unwrap_or_else(|| panic!("no Set-Cookie: {:?}", reply.headers))
        .to_str()
        .expect("ASCII")
        .to_owned()
}

/// The attributes of a `Set-Cookie` value, lower-cased, without its name=value.
fn attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

fn assert_base_attributes(cookie: &str) {
    assert!(cookie.starts_with("hugmood_stream="), "{cookie}");
    let attrs = attributes(cookie);
    for wanted in ["httponly", "samesite=strict", "path=/api/v1"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "{wanted} missing: {cookie}"
        );
    }
}

fn is_secure(cookie: &str) -> bool {
    attributes(cookie).iter().any(|a| a == "secure")
}

const HTTPS: (&str, &str) = ("X-Forwarded-Proto", "https");

#[tokio::test]
async fn the_cookie_is_secure_only_behind_tls_said_by_a_trusted_proxy() {
    let hub = TestHub::start_with(|c| c.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let alice = hub.register("alice").await;
    let plain = ticket_cookie(&hub, &alice, &[]).await;
    assert_base_attributes(&plain);
    assert!(!is_secure(&plain), "plain HTTP: {plain}");
    let behind_tls = ticket_cookie(&hub, &alice, &[HTTPS]).await;
    assert_base_attributes(&behind_tls);
    assert!(is_secure(&behind_tls), "TLS at the proxy: {behind_tls}");
    // Logout clears it with the same attributes.
    let logout = hub
        .client
        .post(hub.url("/api/v1/auth/logout"))
        .bearer_auth(&alice.access)
        .header(HTTPS.0, HTTPS.1)
        .json(&json!({"refreshToken": alice.refresh}))
        .send()
        .await
        .expect("logout");
    let reply = read_reply(logout).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let cleared = set_cookie(&reply);
    assert_base_attributes(&cleared);
    assert!(is_secure(&cleared), "{cleared}");
    assert!(
        attributes(&cleared).iter().any(|a| a == "max-age=0"),
        "{cleared}"
    );
    hub.stop().await;
}

#[tokio::test]
async fn an_untrusted_peer_cannot_claim_tls_but_cookie_secure_forces_it() {
    let hub = TestHub::start().await;
    let alice = hub.register("alice").await;
    let claimed = ticket_cookie(&hub, &alice, &[HTTPS]).await;
    assert!(
        !is_secure(&claimed),
        "header from an untrusted peer: {claimed}"
    );
    hub.stop().await;

    let hub = TestHub::start_with(|c| c.cookie_secure = true).await;
    let bob = hub.register("bob").await;
    let forced = ticket_cookie(&hub, &bob, &[]).await;
    assert_base_attributes(&forced);
    assert!(is_secure(&forced), "cookie_secure: {forced}");
    hub.stop().await;
}
