//! Cluster mode, black-box: two or three real hub processes sharing one PostgreSQL and
//! one Redis. Events cross nodes within a second; a SIGKILLed node, a restarted Redis
//! lose and duplicate nothing; clients resume on any node by id.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// POST /hugs with `message` as a marker; must answer 201.
async fn hug(hub: &TestHub, from: &TestUser, to: &TestUser, message: &str) -> Value {
    let (status, body) = hub
        .post_json(
            "/api/v1/hugs",
            from.token(),
            json!({"recipientId": to.id, "hugType": "bear", "message": message}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "hug {message}: {body}");
    body
}

/// The messages of the `hug_received` events among `events`, in stream order.
fn hug_messages(events: &[SseEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.event == "hug_received")
        .map(|e| str_field(&event_json(e)["data"], "message"))
        .collect()
}

/// The ids of the events that have one (heartbeats have none), in stream order.
fn event_ids(events: &[SseEvent]) -> Vec<i64> {
    events.iter().filter_map(|e| e.id).collect()
}

/// Reads `stream` until it has `n` hug_received events or `limit` passes.
async fn read_hugs(stream: &mut SseClient, n: usize, limit: Duration) -> Vec<SseEvent> {
    let deadline = Instant::now() + limit;
    let mut events = Vec::new();
    while hug_messages(&events).len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.next_event(left).await {
            Some(event) => events.push(event),
            None => break,
        }
    }
    events
}

#[tokio::test]
async fn a_hug_sent_through_one_node_reaches_a_stream_and_a_long_poll_on_another() {
    let Some(cluster) = Cluster::start(2).await else {
        return;
    };
    let (one, two) = (cluster.hub(0), cluster.hub(1));
    let alice = one.register("x_alice").await;
    let bob = one.register("x_bob").await;

    let mut stream = SseClient::connect(two, &bob.access, None).await;
    let sent = Instant::now();
    hug(one, &alice, &bob, "across").await;
    let frame = stream
        .next_of_type("hug_received", Duration::from_secs(1))
        .await
        .expect("the hug reaches the stream on node 2 within a second");
    assert!(sent.elapsed() < Duration::from_secs(1));
    assert_eq!(str_field(&event_json(&frame)["data"], "message"), "across");

    // A long-poll waiting on node 2 is woken by a hug sent through node 1.
    let last = frame.id() + 1; // the hug's inbox `notification` event follows it
    let waiting = {
        let (client, url, token) = (
            two.client.clone(),
            two.url(&format!(
                "/api/v1/events?last_id={last}&long_poll=true&timeout=20"
            )),
            bob.access.clone(),
        );
        tokio::spawn(async move {
            let started = Instant::now();
            let reply: Value = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("long-poll")
                .json()
                .await
                .expect("long-poll JSON");
            (reply, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    hug(one, &alice, &bob, "woken").await;
    let (reply, waited) = waiting.await.expect("long-poll task");
    let events = reply["events"].as_array().expect("events").clone();
    assert!(
        !events.is_empty(),
        "the long-poll was answered with the hug: {reply}"
    );
    assert_eq!(events[0]["type"], "hug_received");
    assert_eq!(events[0]["data"]["message"], "woken");
    assert!(
        waited < Duration::from_secs(5),
        "woken, not timed out: {waited:?}"
    );
}

#[tokio::test]
async fn a_client_of_a_killed_node_resumes_on_another_and_gets_exactly_what_it_missed() {
    let Some(mut cluster) = Cluster::start(2).await else {
        return;
    };
    let alice = cluster.hub(0).register("k_alice").await;
    let bob = cluster.hub(0).register("k_bob").await;

    let mut stream = SseClient::connect(cluster.hub(1), &bob.access, None).await;
    hug(cluster.hub(0), &alice, &bob, "before").await;
    let first = stream
        .next_of_type("hug_received", Duration::from_secs(2))
        .await
        .expect("first hug on node 2");
    let notification = stream
        .next_of_type("notification", Duration::from_secs(2))
        .await
        .expect("its inbox item");
    let last_seen = notification.id();
    assert_eq!(last_seen, first.id() + 1);

    cluster.nodes[1].kill();
    let (_, ended) = stream.read_to_end(Duration::from_secs(5)).await;
    assert!(ended, "the killed node's stream ends");

    let sent: Vec<String> = (1..=5).map(|i| format!("missed-{i}")).collect();
    for message in &sent {
        hug(cluster.hub(0), &alice, &bob, message).await;
    }
    let mut resumed = SseClient::connect(cluster.hub(0), &bob.access, Some(last_seen)).await;
    let mut events = read_hugs(&mut resumed, 5, Duration::from_secs(5)).await;
    events.extend(resumed.quiet_for(Duration::from_millis(700)).await);
    assert_eq!(
        hug_messages(&events),
        sent,
        "exactly the 5 missed hugs, in order"
    );
    let expected: Vec<i64> = (last_seen + 1..=last_seen + 10).collect();
    assert_eq!(
        event_ids(&events),
        expected,
        "each missed hug and its inbox item once, gapless, in order, and nothing else"
    );
}

#[tokio::test]
async fn hugs_sent_while_redis_restarts_arrive_exactly_once_and_in_order() {
    let Some(mut cluster) =
        Cluster::start_with(2, &[("HUGMOOD_HUG_RATE_PER_MINUTE", "10000")]).await
    else {
        return;
    };
    let alice = cluster.hub(0).register("r_alice").await;
    let bob = cluster.hub(0).register("r_bob").await;
    let mut stream = SseClient::connect(cluster.hub(1), &bob.access, None).await;

    let mut sent = Vec::new();
    let mut events = Vec::new();
    for i in 0..45 {
        if i == 15 {
            cluster.redis.stop();
        }
        if i == 30 {
            assert!(
                cluster.ready_becomes(1, 503, Duration::from_secs(5)).await,
                "readyz is 503 while Redis is down"
            );
            assert_eq!(cluster.hub(1).metric("hugmood_ready").await, Some(0.0));
            assert_eq!(
                cluster.hub(1).metric("hugmood_bus_connected").await,
                Some(0.0)
            );
            cluster.redis.restart();
            // What was sent while Redis was away arrives without any later hint: node 2
            // re-reads the store once it has subscribed again.
            events = read_hugs(&mut stream, sent.len(), Duration::from_secs(10)).await;
            assert_eq!(
                hug_messages(&events),
                sent,
                "the hugs of the outage, once, in order"
            );
        }
        let message = format!("r-{i}");
        hug(cluster.hub(0), &alice, &bob, &message).await;
        sent.push(message);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let more = read_hugs(&mut stream, sent.len() - 30, Duration::from_secs(10)).await;
    events.extend(more);
    assert!(
        !stream.ended(),
        "the stream kept its connection through the restart"
    );
    assert_eq!(hug_messages(&events), sent, "every hug once, in order");
    let ids = event_ids(&events);
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "gapless ids: {ids:?}"
    );
    assert!(
        cluster.ready_becomes(1, 200, Duration::from_secs(10)).await,
        "readyz is 200 again once Redis is back"
    );
    let node = cluster.hub(1);
    assert_eq!(node.metric("hugmood_ready").await, Some(1.0));
    assert_eq!(node.metric("hugmood_bus_connected").await, Some(1.0));
    let lost = node.metric("hugmood_bus_connections_lost_total").await;
    assert_eq!(lost, Some(1.0), "one lost bus connection is counted");
}

#[tokio::test]
async fn an_idempotency_key_holds_across_nodes() {
    let Some(cluster) = Cluster::start(2).await else {
        return;
    };
    let alice = cluster.hub(0).register("i_alice").await;
    let bob = cluster.hub(0).register("i_bob").await;
    let body = json!({"recipientId": bob.id, "hugType": "warm", "message": "once"});
    let mut answers = Vec::new();
    for node in 0..2 {
        let hub = cluster.hub(node);
        let response = hub
            .client
            .post(hub.url("/api/v1/hugs"))
            .bearer_auth(&alice.access)
            .header("Idempotency-Key", "offline-queue-7")
            .json(&body)
            .send()
            .await
            .expect("POST /hugs");
        let reply = read_reply(response).await;
        assert!(reply.status.is_success(), "{}", reply.text);
        answers.push(reply.body);
    }
    assert_eq!(
        answers[0]["id"], answers[1]["id"],
        "the retry on node 2 answers the first hug"
    );
    let (_, sent) = cluster.hub(1).get("/api/v1/hugs/sent", alice.token()).await;
    assert_eq!(sent["total"], 1, "one hug was made: {sent}");
}

#[tokio::test]
async fn the_hug_rate_limit_counts_every_node() {
    let Some(cluster) = Cluster::start_with(2, &[("HUGMOOD_HUG_RATE_PER_MINUTE", "4")]).await
    else {
        return;
    };
    let alice = cluster.hub(0).register("l_alice").await;
    let bob = cluster.hub(0).register("l_bob").await;
    for i in 0..4 {
        hug(cluster.hub(i % 2), &alice, &bob, &format!("l-{i}")).await;
    }
    for node in 0..2 {
        let hub = cluster.hub(node);
        let response = hub
            .client
            .post(hub.url("/api/v1/hugs"))
            .bearer_auth(&alice.access)
            .json(&json!({"recipientId": bob.id, "hugType": "warm"}))
            .send()
            .await
            .expect("POST /hugs");
        assert_rate_limited(&read_reply(response).await, 60);
    }
}

#[tokio::test]
async fn the_stream_cap_counts_every_node_and_a_closed_stream_frees_its_place() {
    let Some(cluster) = Cluster::start_with(2, &[("HUGMOOD_MAX_STREAMS_PER_USER", "2")]).await
    else {
        return;
    };
    let bob = cluster.hub(0).register("c_bob").await;
    let _first = SseClient::connect(cluster.hub(0), &bob.access, None).await;
    let second = SseClient::connect(cluster.hub(1), &bob.access, None).await;
    for node in 0..2 {
        let refused = SseClient::open(cluster.hub(node), "/api/v1/sse/stream", bob.token(), &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("a third stream on node {node} is refused"));
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_error(&refused.body, "too_many_streams");
    }
    // A waiting long-poll counts against the same cap, on every node.
    let (status, body) = cluster
        .hub(1)
        .get("/api/v1/events?long_poll=true&timeout=1", bob.token())
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_error(&body, "too_many_streams");

    drop(second);
    let reopened = eventually(Duration::from_secs(5), || async {
        SseClient::open(cluster.hub(0), "/api/v1/sse/stream", bob.token(), &[])
            .await
            .is_ok()
    })
    .await;
    assert!(
        reopened,
        "the place of the stream closed on node 2 is free again"
    );
}

/// Makes `user` look long inactive, so `online` depends on held streams alone.
async fn age_last_active(cluster: &Cluster, user: &TestUser) {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&cluster.db.url)
        .await
        .expect("connect to the cluster's database");
    sqlx::query("UPDATE users SET last_active = now() - interval '1 hour' WHERE id = $1::uuid")
        .bind(&user.id)
        .execute(&mut db)
        .await
        .expect("age last_active");
}

/// Sets `user`'s `showOnline` privacy choice.
async fn show_online(cluster: &Cluster, user: &TestUser, show: bool) {
    let (status, body) = cluster
        .hub(0)
        .put_json(
            "/api/v1/users/me/privacy",
            user.token(),
            json!({"showOnline": show}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// `online` of `user` as `viewer` sees it through node `node`.
async fn online(cluster: &Cluster, node: usize, viewer: &TestUser, user: &TestUser) -> bool {
    let (status, profile) = cluster
        .hub(node)
        .get(&format!("/api/v1/users/{}", user.id), viewer.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    profile["online"].as_bool().expect("online is a boolean")
}

#[tokio::test]
async fn online_follows_streams_on_any_node_and_a_killed_nodes_users_go_offline() {
    let Some(mut cluster) = Cluster::start_with(2, &[("HUGMOOD_PRESENCE_TTL_SECS", "3")]).await
    else {
        return;
    };
    let alice = cluster.hub(0).register("p_alice").await;
    let bob = cluster.hub(0).register("p_bob").await;
    age_last_active(&cluster, &bob).await;
    assert!(
        !online(&cluster, 0, &alice, &bob).await,
        "no stream, long inactive"
    );

    let stream = SseClient::connect(cluster.hub(1), &bob.access, None).await;
    for node in 0..2 {
        assert!(
            online(&cluster, node, &alice, &bob).await,
            "stream on node 2, seen from node {}",
            node + 1
        );
    }
    drop(stream);
    assert!(
        eventually(Duration::from_secs(3), || async {
            !online(&cluster, 0, &alice, &bob).await
        })
        .await,
        "offline once the stream closed"
    );

    // Hidden presence stays hidden from others, whatever the streams.
    show_online(&cluster, &bob, false).await;
    let hidden = SseClient::connect(cluster.hub(1), &bob.access, None).await;
    age_last_active(&cluster, &bob).await;
    assert!(
        !online(&cluster, 0, &alice, &bob).await,
        "showOnline false hides it"
    );
    drop(hidden);
    show_online(&cluster, &bob, true).await;

    // A node killed with its streams open: its users go offline within the TTL.
    let _orphan = SseClient::connect(cluster.hub(1), &bob.access, None).await;
    age_last_active(&cluster, &bob).await;
    assert!(online(&cluster, 0, &alice, &bob).await);
    cluster.nodes[1].kill();
    let killed = Instant::now();
    assert!(
        eventually(Duration::from_secs(10), || async {
            !online(&cluster, 0, &alice, &bob).await
        })
        .await,
        "offline after the node's seats expired"
    );
    let took = killed.elapsed();
    assert!(
        took <= Duration::from_secs(5),
        "within the 3 s TTL (and a refresh): {took:?}"
    );
}

#[tokio::test]
async fn concurrent_hug_batches_and_mood_fan_outs_on_two_nodes_keep_every_log_gapless() {
    let Some(cluster) = Cluster::start_with(2, &[("HUGMOOD_HUG_RATE_PER_MINUTE", "100000")]).await
    else {
        return;
    };
    let author = cluster.hub(0).register("g_author").await;
    let recipients = cluster.hub(0).register_many("g_rcpt", 6).await;
    let senders = cluster.hub(1).register_many("g_sender", 8).await;
    for recipient in &recipients {
        cluster.hub(0).befriend(&author, recipient).await;
    }
    let before = event_counts(&cluster, &recipients).await;

    // Hugs from both nodes (each node's writer batches them, locking several
    // recipients at once) while the author's moods fan out to the same users.
    let hugs = senders.iter().enumerate().flat_map(|(s, sender)| {
        let cluster = &cluster;
        recipients
            .iter()
            .enumerate()
            .map(move |(r, recipient)| async move {
                for round in 0..3 {
                    let node = (s + r + round) % 2;
                    hug(
                        cluster.hub(node),
                        sender,
                        recipient,
                        &format!("g-{s}-{r}-{round}"),
                    )
                    .await;
                }
            })
    });
    let moods = (0..12).map(|i| {
        let cluster = &cluster;
        let author = &author;
        async move {
            let (status, body) = cluster
                .hub(i % 2)
                .post_json(
                    "/api/v1/moods",
                    author.token(),
                    json!({"mood": "happy", "intensity": 5}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    });
    tokio::join!(
        futures::future::join_all(hugs),
        futures::future::join_all(moods)
    );

    let after = event_counts(&cluster, &recipients).await;
    for (recipient, ((count, max, last), (count0, _, _))) in
        recipients.iter().zip(after.iter().zip(&before))
    {
        // Each hug appends hug_received and notification; each mood one mood_update.
        assert_eq!(
            count - count0,
            8 * 3 * 2 + 12,
            "events of {}",
            recipient.username
        );
        assert_eq!(
            (count, max),
            (last, last),
            "ids 1..=last, none missing or doubled, for {}",
            recipient.username
        );
    }
}

/// Per user: events stored, their largest id, and the user's last allocated id.
async fn event_counts(cluster: &Cluster, users: &[TestUser]) -> Vec<(i64, i64, i64)> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&cluster.db.url)
        .await
        .expect("connect to the cluster's database");
    let mut counts = Vec::new();
    for user in users {
        let row: (i64, i64, i64) = sqlx::query_as(
            "SELECT count(e.id), coalesce(max(e.id), 0), u.last_event_id FROM users u \
             LEFT JOIN events e ON e.user_id = u.id WHERE u.id = $1::uuid GROUP BY u.last_event_id",
        )
        .bind(&user.id)
        .fetch_one(&mut db)
        .await
        .expect("count events");
        counts.push(row);
    }
    counts
}

#[tokio::test]
async fn a_nodes_subscriber_connection_survives_its_liveness_pings() {
    let Some(cluster) = Cluster::start(1).await else {
        return;
    };
    // Pings go out every 3 s; wait for two of them.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let client = redis::Client::open(cluster.redis.url()).expect("redis client");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect to the test Redis");
    let clients: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut conn)
        .await
        .expect("CLIENT LIST");
    let subscriber = clients
        .lines()
        .find(|line| {
            line.split(' ')
                .any(|f| f.starts_with("sub=") && f != "sub=0")
        })
        .unwrap_or_else(|| panic!("the node has a subscriber connection: {clients}"));
    let age: u64 = subscriber
        .split(' ')
        .find_map(|f| f.strip_prefix("age="))
        .and_then(|a| a.parse().ok())
        .expect("age= field");
    assert!(
        age >= 6,
        "the subscriber connection was not replaced: {subscriber}"
    );
}

#[tokio::test]
async fn two_processes_share_one_address_as_nodes_of_one_cluster() {
    let Some(mut cluster) = Cluster::start(1).await else {
        return;
    };
    let port: u16 = cluster
        .hub(0)
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut second = cluster.spawn_node_on(port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        second.is_running(),
        "the second process bound the same address"
    );
    assert!(cluster.nodes[0].is_running());
    // Either process answers; a hug made through whichever reaches a stream on it.
    let alice = cluster.hub(0).register("s_alice").await;
    let bob = cluster.hub(0).register("s_bob").await;
    let mut stream = SseClient::connect(cluster.hub(0), &bob.access, None).await;
    hug(cluster.hub(0), &alice, &bob, "shared").await;
    assert!(stream
        .next_of_type("hug_received", Duration::from_secs(2))
        .await
        .is_some());
    second.kill();
}
