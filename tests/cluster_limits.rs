//! The sign-in, sign-up and mood limits count every node of a cluster together: two
//! hub processes over one PostgreSQL and one Redis, requests alternating between them.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_in_sign_up_and_mood_limits_count_every_node() {
    let Some(cluster) = Cluster::start_with(
        2,
        &[
            ("HUGMOOD_LOGIN_RATE_PER_MINUTE", "3"),
            ("HUGMOOD_REGISTER_RATE_PER_HOUR", "3"),
            ("HUGMOOD_MOOD_RATE_PER_MINUTE", "2"),
        ],
    )
    .await
    else {
        return;
    };
    // Three sign-ups, over both nodes, use up the address's hour.
    let alice = cluster.hub(0).register("k_alice").await;
    cluster.hub(1).register("k_bob").await;
    let (status, body) = cluster
        .hub(0)
        .post_empty("/api/v1/auth/anonymous", None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for node in 0..2 {
        let reply = cluster
            .hub(node)
            .send(Method::POST, "/api/v1/auth/anonymous", None, None)
            .await;
        assert_rate_limited(&reply, 3600);
    }

    // Three logins, alternating nodes; the fourth is refused on either.
    let body = json!({"login": alice.username, "password": "wrong"});
    for i in 0..3 {
        let reply = cluster
            .hub(i % 2)
            .send(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    for node in 0..2 {
        let reply = cluster
            .hub(node)
            .send(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await;
        assert_rate_limited(&reply, 3600);
    }

    // Two mood entries, one per node; the third is refused on either.
    let entry = json!({"mood": "calm", "intensity": 5});
    for node in 0..2 {
        let (status, body) = cluster
            .hub(node)
            .post_json("/api/v1/moods", alice.token(), entry.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "node {node}: {body}");
    }
    for node in 0..2 {
        let reply = cluster
            .hub(node)
            .send(Method::POST, "/api/v1/moods", alice.token(), Some(&entry))
            .await;
        assert_rate_limited(&reply, 3600);
    }
}
