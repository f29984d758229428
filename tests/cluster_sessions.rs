//! Sessions end on every node of a cluster (real `hugmood serve` processes over one
//! PostgreSQL and one Redis): a logout on one node makes the session's token 401 on
//! another within a second and ends that node's streams of the session — through the
//! bus, and through the store when the bus message is lost (Redis down) or the node
//! started after the end.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const ME: &str = "/api/v1/users/me";
const LOGOUT: &str = "/api/v1/auth/logout";
/// The spec's bound for a session's end to reach every node.
const EVERY_NODE_WITHIN: Duration = Duration::from_secs(1);

/// Logs `user`'s session out through `hub`; the instant the answer came.
async fn logout(hub: &TestHub, user: &TestUser) -> Instant {
    let (status, body) = hub
        .post_json(LOGOUT, user.token(), json!({"refreshToken": user.refresh}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    Instant::now()
}

/// Asserts that within the bound from `since`, `user`'s token is refused by `hub` and
/// `stream` (of that session, on `hub`) has ended.
async fn assert_ended_on(hub: &TestHub, user: &TestUser, stream: &mut SseClient, since: Instant) {
    let refused = eventually(EVERY_NODE_WITHIN, || async {
        hub.get(ME, user.token()).await.0 == StatusCode::UNAUTHORIZED
    })
    .await;
    assert!(
        refused,
        "the token is still accepted {:?} after the logout",
        since.elapsed()
    );
    eprintln!(
        "the end was refused on the other node {:?} after the logout answer",
        since.elapsed()
    );
    let left = EVERY_NODE_WITHIN.saturating_sub(since.elapsed());
    let (events, ended) = stream.read_to_end(left).await;
    assert!(
        ended,
        "the stream still runs {:?} after the logout: {events:?}",
        since.elapsed()
    );
}

#[tokio::test]
async fn a_logout_on_one_node_ends_the_session_on_another_within_a_second() {
    let Some(cluster) = Cluster::start(2).await else {
        return;
    };
    let (one, two) = (cluster.hub(0), cluster.hub(1));
    let alice = one.register("cs_alice").await;
    let other = two.login_again(&alice).await;
    let mut stream = SseClient::connect(two, &alice.access, None).await;
    let mut others_stream = SseClient::connect(two, &other.access, None).await;
    assert_eq!(two.get(ME, alice.token()).await.0, StatusCode::OK);

    let at = logout(one, &alice).await;
    assert_ended_on(two, &alice, &mut stream, at).await;

    // The other session lives on, on both nodes.
    for hub in [one, two] {
        let (status, body) = hub.get(ME, other.token()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let bob = one.register("cs_bob").await;
    assert_hug_reaches(one, &bob, &alice, &mut others_stream).await;
}

#[tokio::test]
async fn without_the_bus_nodes_learn_of_an_end_from_the_store() {
    let Some(mut cluster) = Cluster::start(2).await else {
        return;
    };
    let alice = cluster.hub(0).register("cs_nobus").await;
    let mut stream = SseClient::connect(cluster.hub(1), &alice.access, None).await;

    // The announcement is lost: Redis is down while the session ends.
    cluster.redis.stop();
    let at = logout(cluster.hub(0), &alice).await;
    assert_ended_on(cluster.hub(1), &alice, &mut stream, at).await;
    cluster.redis.restart();

    // A node started after the end knows it from its first request.
    let late = cluster.spawn_node().await;
    let (status, body) = late.hub.get(ME, alice.token()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "session_ended");
}

/// A node that has just served an account remembers that it exists (so requests skip
/// that read); its deletion on another node still ends it there within a second.
#[tokio::test]
async fn an_account_deleted_on_one_node_is_refused_on_another_that_knew_it() {
    let Some(cluster) = Cluster::start(2).await else {
        return;
    };
    let (one, two) = (cluster.hub(0), cluster.hub(1));
    let carol = one.register("cs_carol").await;
    let mut stream = SseClient::connect(two, &carol.access, None).await;
    for _ in 0..3 {
        assert_eq!(two.get(ME, carol.token()).await.0, StatusCode::OK);
    }
    let (status, body) = one.delete(ME, carol.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_ended_on(two, &carol, &mut stream, Instant::now()).await;
    let (status, body) = two.get(ME, carol.token()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}
