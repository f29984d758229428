//! Sessions that really end, over real HTTP: after logout, refresh-token reuse or
//! account deletion the session's access tokens answer 401 on every route (REST,
//! GraphQL, ticket minting, the stream and events routes, its stream cookie and
//! tickets), its open SSE streams and long-polls end, and the user's other sessions
//! live on. Two tabs refreshing one token at once both get the same new pair; a reuse
//! after the grace window ends the session.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const LOGOUT: &str = "/api/v1/auth/logout";
const ME: &str = "/api/v1/users/me";
const TICKET: &str = "/api/v1/sse/ticket";
const STREAM: &str = "/api/v1/sse/stream";
const EVENTS: &str = "/api/v1/events";
/// How long an ended session may take to end a stream or a long-poll here.
const END_WITHIN: Duration = Duration::from_secs(2);

/// Starts a long-poll of `access` that waits (nothing new after the latest event).
fn waiting_long_poll(hub: &TestHub, access: &str) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let request = hub
        .client
        .get(hub.url(&format!(
            "{EVENTS}?last_id=1000000&long_poll=true&timeout=30"
        )))
        .bearer_auth(access);
    tokio::spawn(async move {
        let reply = read_reply(request.send().await.expect("long-poll")).await;
        (reply.status, reply.body)
    })
}

/// Gives the long-polls just started time to reach their wait. (Not an assertion:
/// one that is not waiting yet is refused with the same 401 when it arrives.)
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Asserts that `stream` ends (with at most a `reconnect` naming the ended session).
async fn assert_stream_ends(stream: &mut SseClient, what: &str) {
    let (events, ended) = stream.read_to_end(END_WITHIN).await;
    assert!(ended, "{what}: the stream ended; got {events:?}");
    let reconnect = events.iter().find(|e| e.event == "reconnect");
    if let Some(reconnect) = reconnect {
        assert_eq!(
            reconnect.json()["reason"],
            "session_ended",
            "{what}: {reconnect:?}"
        );
    }
}

/// Asserts that a long-poll task answers 401 soon.
async fn assert_long_poll_ends(poll: tokio::task::JoinHandle<(StatusCode, Value)>, what: &str) {
    let (status, body) = tokio::time::timeout(END_WITHIN, poll)
        .await
        .unwrap_or_else(|_| panic!("{what}: the long-poll still waits"))
        .expect("long-poll task");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
    assert_error(&body, "session_ended");
}

/// Asserts that `access` is refused on REST, GraphQL, ticket minting and the stream
/// and events routes.
async fn assert_refused_everywhere(hub: &TestHub, access: &str, someone: &TestUser) {
    let (status, body) = hub.get(ME, Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "REST: {body}");
    let (status, body) = hub
        .post_json(
            "/api/v1/hugs",
            Some(access),
            json!({"recipientId": someone.id, "hugType": "warm"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "POST /hugs: {body}");
    let (status, body) = hub
        .post_json("/graphql", Some(access), json!({"query": "{ me { id } }"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "GraphQL: {body}");
    let (status, body) = hub.post_empty(TICKET, Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "ticket minting: {body}");
    let refused = SseClient::open(hub, STREAM, Some(access), &[]).await;
    assert_eq!(
        refused.err().map(|r| r.status),
        Some(StatusCode::UNAUTHORIZED),
        "stream"
    );
    let (status, body) = hub.get(EVENTS, Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "events: {body}");
}

/// Asserts that the session's stream cookie and an unspent ticket are refused.
async fn assert_cookie_and_ticket_refused(hub: &TestHub, ticket: &str, cookie: &str) {
    let by_ticket = SseClient::open(hub, &format!("{STREAM}?ticket={ticket}"), None, &[]).await;
    assert_eq!(
        by_ticket.err().map(|r| r.status),
        Some(StatusCode::UNAUTHORIZED),
        "a ticket of the ended session"
    );
    let by_cookie = SseClient::open(hub, STREAM, None, &[("Cookie", cookie.to_owned())]).await;
    assert_eq!(
        by_cookie.err().map(|r| r.status),
        Some(StatusCode::UNAUTHORIZED),
        "the stream cookie of the ended session"
    );
    let events = hub
        .client
        .get(hub.url(EVENTS))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("events by cookie");
    assert_eq!(
        events.status(),
        StatusCode::UNAUTHORIZED,
        "events by cookie"
    );
}

/// Asserts that `user`'s session still works everywhere.
async fn assert_still_works(hub: &TestHub, user: &TestUser) {
    let (status, body) = hub.get(ME, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = ok(hub, user.token(), "{ me { id } }", json!({})).await;
    assert_eq!(data["me"]["id"], user.id.as_str());
    let (ticket, _) = stream_pass(hub, &user.access).await;
    let stream = SseClient::open(hub, &format!("{STREAM}?ticket={ticket}"), None, &[]).await;
    assert!(stream.is_ok(), "the other session opens streams");
}

#[tokio::test]
async fn logout_ends_the_session_on_every_route_and_its_streams() {
    let hub = TestHub::start().await;
    let alice = hub.register("lo_alice").await;
    let bob = hub.register("lo_bob").await;
    let other = hub.login_again(&alice).await;
    let mut by_bearer = SseClient::connect(&hub, &alice.access, None).await;
    let (ticket, cookie) = stream_pass(&hub, &alice.access).await;
    let mut by_cookie = SseClient::open(&hub, STREAM, None, &[("Cookie", cookie.clone())])
        .await
        .unwrap_or_else(|r| panic!("cookie refused: {} {}", r.status, r.text));
    let (spare_ticket, _) = stream_pass(&hub, &alice.access).await;
    let mut by_ticket = SseClient::open(&hub, &format!("{STREAM}?ticket={ticket}"), None, &[])
        .await
        .unwrap_or_else(|r| panic!("ticket refused: {} {}", r.status, r.text));
    let mut others_stream = SseClient::connect(&hub, &other.access, None).await;
    let poll = waiting_long_poll(&hub, &alice.access);
    let others_poll = waiting_long_poll(&hub, &other.access);
    settle().await;

    let (status, body) = hub
        .post_json(
            LOGOUT,
            alice.token(),
            json!({"refreshToken": alice.refresh}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    for (stream, what) in [
        (&mut by_bearer, "bearer stream"),
        (&mut by_cookie, "cookie stream"),
        (&mut by_ticket, "ticket stream"),
    ] {
        assert_stream_ends(stream, what).await;
    }
    assert_long_poll_ends(poll, "the session's long-poll").await;
    assert_refused_everywhere(&hub, &alice.access, &bob).await;
    assert_cookie_and_ticket_refused(&hub, &spare_ticket, &cookie).await;

    // The other session of the same user is untouched: its stream and its long-poll
    // go on, and it works everywhere.
    assert_still_works(&hub, &other).await;
    assert!(
        !others_poll.is_finished(),
        "the other session's long-poll waits on"
    );
    others_poll.abort();
    assert_hug_reaches(&hub, &bob, &alice, &mut others_stream).await;
    hub.stop().await;
}

#[tokio::test]
async fn refresh_token_reuse_ends_the_session_the_same_way() {
    let hub = TestHub::start_with(|c| c.refresh_grace_secs = 0).await;
    let alice = hub.register("ru_alice").await;
    let bob = hub.register("ru_bob").await;
    let other = hub.login_again(&alice).await;
    let (status, rotated) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let access = str_field(&rotated, "accessToken");
    let mut stream = SseClient::connect(&hub, &access, None).await;
    let (spare_ticket, cookie) = stream_pass(&hub, &access).await;
    let poll = waiting_long_poll(&hub, &access);
    settle().await;

    // Someone replays the spent token: the whole session ends.
    let (status, body) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");

    assert_stream_ends(&mut stream, "the session's stream").await;
    assert_long_poll_ends(poll, "the session's long-poll").await;
    for token in [&alice.access, &access] {
        assert_refused_everywhere(&hub, token, &bob).await;
    }
    assert_cookie_and_ticket_refused(&hub, &spare_ticket, &cookie).await;
    let (status, _) = hub.refresh(&rotated["refreshToken"]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the newer refresh token too"
    );
    assert_still_works(&hub, &other).await;
    hub.stop().await;
}

#[tokio::test]
async fn account_deletion_ends_all_the_users_sessions_and_streams() {
    let hub = TestHub::start().await;
    let alice = hub.register("del_alice").await;
    let bob = hub.register("del_bob").await;
    let other = hub.login_again(&alice).await;
    // A token outside any session (as `hugmood token` prints) ends with the account.
    let sessionless = sign_jwt(
        &json!({"sub": alice.id, "iat": now_secs(), "exp": now_secs() + 600, "jti": "6f1c1a52-0000-4000-8000-000000000001"}),
        &hub.config.jwt_secret,
    );
    let mut streams = Vec::new();
    for access in [&alice.access, &other.access, &sessionless] {
        streams.push(SseClient::connect(&hub, access, None).await);
    }
    let (_, cookie) = stream_pass(&hub, &other.access).await;
    streams.push(
        SseClient::open(&hub, STREAM, None, &[("Cookie", cookie.clone())])
            .await
            .unwrap_or_else(|r| panic!("cookie refused: {} {}", r.status, r.text)),
    );
    let polls = [
        waiting_long_poll(&hub, &other.access),
        waiting_long_poll(&hub, &sessionless),
    ];
    settle().await;

    let (status, body) = hub.delete(ME, alice.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    for (i, stream) in streams.iter_mut().enumerate() {
        assert_stream_ends(stream, &format!("stream {i}")).await;
    }
    for poll in polls {
        assert_long_poll_ends(poll, "a long-poll of the deleted account").await;
    }
    for token in [&alice.access, &other.access, &sessionless] {
        assert_refused_everywhere(&hub, token, &bob).await;
    }
    let by_cookie = SseClient::open(&hub, STREAM, None, &[("Cookie", cookie)]).await;
    assert_eq!(
        by_cookie.err().map(|r| r.status),
        Some(StatusCode::UNAUTHORIZED)
    );
    hub.stop().await;
}

#[tokio::test]
async fn two_tabs_refreshing_one_token_at_once_get_the_same_new_pair() {
    let hub = TestHub::start().await;
    let alice = hub.register("tabs").await;
    let body = json!(alice.refresh);
    let (first, second) = tokio::join!(hub.refresh(&body), hub.refresh(&body));
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(second.0, StatusCode::OK, "{}", second.1);
    let successor = str_field(&first.1, "refreshToken");
    assert_eq!(
        str_field(&second.1, "refreshToken"),
        successor,
        "both tabs hold the same successor"
    );
    assert_ne!(successor, alice.refresh);
    // A third, later use within the window answers the same again.
    let (status, third) = hub.refresh(&body).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(str_field(&third, "refreshToken"), successor);
    for answer in [&first.1, &second.1, &third] {
        let (status, me) = hub.get(ME, Some(&str_field(answer, "accessToken"))).await;
        assert_eq!(status, StatusCode::OK, "the session lives: {me}");
    }
    // The successor is live and rotates on.
    let (status, next) = hub.refresh(&json!(successor)).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    // Once the successor is spent, the first token is a reuse, even within the window.
    let (status, body) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = hub.get(ME, Some(&str_field(&next, "accessToken"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session ended");
    hub.stop().await;
}

#[tokio::test]
async fn a_reuse_after_the_grace_window_revokes_the_family() {
    let hub = TestHub::start_with(|c| c.refresh_grace_secs = 1).await;
    let alice = hub.register("late").await;
    let (status, rotated) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let (status, again) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::OK, "within the window: {again}");
    assert_eq!(again["refreshToken"], rotated["refreshToken"]);
    // Past the window.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (status, body) = hub.refresh(&json!(alice.refresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_refresh_token");
    let (status, body) = hub.refresh(&rotated["refreshToken"]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the successor is revoked: {body}"
    );
    let (status, _) = hub.get(ME, Some(&str_field(&rotated, "accessToken"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "its access token too");
    hub.stop().await;
}
