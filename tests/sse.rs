//! `GET /api/v1/sse/stream` over real HTTP: headers, the `retry:` hint, the frame
//! format, per-user ids, heartbeats, resuming by `Last-Event-ID` (header or query),
//! `reset` when the asked-for id was pruned, the per-user stream limit, auth, and
//! several streams of one user.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const STREAM: &str = "/api/v1/sse/stream";
const WAIT: Duration = Duration::from_secs(5);

/// Reads `n` `hug_received` events; panics (with what came) if they do not come.
async fn hugs(stream: &mut SseClient, n: usize) -> Vec<SseEvent> {
    let mut got = Vec::new();
    while got.len() < n {
        match stream.next_of_type("hug_received", WAIT).await {
            Some(event) => got.push(event),
            None => panic!(
                "only {} of {n} hug_received events (ended: {}): {got:?}",
                got.len(),
                stream.ended()
            ),
        }
    }
    got
}

fn ids_of(events: &[SseEvent]) -> Vec<i64> {
    events.iter().map(SseEvent::id).collect()
}

/// Every event of the log up to and including id `last`, as (type, id).
async fn log_until(stream: &mut SseClient, last: i64) -> Vec<(String, i64)> {
    stream
        .collect_until(|e| e.id == Some(last), WAIT)
        .await
        .iter()
        .filter(|e| e.id.is_some())
        .map(|e| (e.event.clone(), e.id()))
        .collect()
}

/// The log a run of hugs `first..=last` (numbered from 1) writes: each hug is a
/// `hug_received` event followed by its inbox item's `notification` event.
fn hug_log(first: i64, last: i64) -> Vec<(String, i64)> {
    (first..=last)
        .flat_map(|k| {
            [
                ("hug_received".to_owned(), 2 * k - 1),
                ("notification".to_owned(), 2 * k),
            ]
        })
        .collect()
}

#[tokio::test]
async fn a_stream_has_the_headers_the_retry_hint_and_framed_events() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut stream = SseClient::open(
        &hub,
        STREAM,
        bob.token(),
        &[("Accept-Encoding", "gzip, br, deflate".to_owned())],
    )
    .await
    .unwrap_or_else(|reply| panic!("refused: {} {}", reply.status, reply.text));
    assert_eq!(stream.status, StatusCode::OK);
    let header = |name: &str| {
        stream
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("content-type").as_deref().map(|v| v
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()),
        Some("text/event-stream".to_owned())
    );
    assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(header("x-accel-buffering").as_deref(), Some("no"));
    assert_eq!(header("content-encoding"), None, "never compressed");

    let hug = send_hug(&hub, &alice, &bob).await;
    let event = stream
        .next_event(WAIT)
        .await
        .expect("the hug arrives on the stream");
    assert!(
        stream.raw_text().starts_with("retry: 2000\n\n"),
        "the stream starts with the retry hint: {:?}",
        stream.raw_text()
    );
    assert_eq!(stream.retry(), Some(2000));
    assert_eq!(event.event, "hug_received", "{event:?}");
    assert_eq!(event.id, Some(1), "ids start at 1: {event:?}");
    let json = event_json(&event);
    assert_eq!(json["id"], 1);
    assert_eq!(json["type"], "hug_received");
    assert_eq!(json["data"], hug, "the data is the hug as POST answered it");
    let created = json["createdAt"]
        .as_str()
        .unwrap_or_else(|| panic!("no createdAt in {json}"));
    chrono::DateTime::parse_from_rfc3339(created)
        .unwrap_or_else(|e| panic!("createdAt is not RFC 3339: {created}: {e}"));
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["createdAt", "data", "id", "type"], "{json}");
    let frame = format!("id: 1\nevent: hug_received\ndata: {}\n\n", event.data);
    assert!(
        stream.raw_text().contains(&frame),
        "the exact frame layout: {:?}",
        stream.raw_text()
    );

    // Ids go up by one per event of this user.
    send_hug(&hub, &alice, &bob).await;
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(log_until(&mut stream, 6).await, hug_log(1, 3)[1..]);
    hub.stop().await;
}

#[tokio::test]
async fn ids_are_per_user() {
    let hub = TestHub::start().await;
    let (alice, bob, carol) = (
        hub.register("alice").await,
        hub.register("bob").await,
        hub.register("carol").await,
    );
    let mut bob_stream = SseClient::connect(&hub, &bob.access, None).await;
    let mut carol_stream = SseClient::connect(&hub, &carol.access, None).await;
    send_hug(&hub, &alice, &bob).await;
    send_hug(&hub, &alice, &carol).await;
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(log_until(&mut bob_stream, 4).await, hug_log(1, 2));
    assert_eq!(log_until(&mut carol_stream, 2).await, hug_log(1, 1));
    hub.stop().await;
}

#[tokio::test]
async fn a_stream_without_last_event_id_starts_with_live_events() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    send_hug(&hub, &alice, &bob).await;
    send_hug(&hub, &alice, &bob).await;
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let early = stream.quiet_for(Duration::from_millis(500)).await;
    assert!(
        early.is_empty(),
        "no history without Last-Event-ID: {early:?}"
    );
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(log_until(&mut stream, 6).await, hug_log(3, 3));
    hub.stop().await;
}

#[tokio::test]
async fn heartbeats_carry_the_server_time() {
    let hub = TestHub::start_with(|c| c.heartbeat_secs = 1).await;
    let bob = hub.register("bob").await;
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    let started = Instant::now();
    for _ in 0..2 {
        let beat = stream
            .next_of_type("heartbeat", Duration::from_secs(3))
            .await
            .expect("a heartbeat within 3 s at heartbeat_secs = 1");
        assert_eq!(beat.id, None, "heartbeats are not events of the log");
        let json = beat.json();
        let time = json["time"]
            .as_str()
            .unwrap_or_else(|| panic!("no time in the heartbeat {json}"));
        let time = chrono::DateTime::parse_from_rfc3339(time)
            .unwrap_or_else(|e| panic!("heartbeat time not RFC 3339: {time}: {e}"));
        let skew = (chrono::Utc::now() - time.with_timezone(&chrono::Utc))
            .num_milliseconds()
            .abs();
        assert!(skew < 5_000, "server time {time} is {skew} ms off");
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "two heartbeats took {:?}",
        started.elapsed()
    );
    hub.stop().await;
}

#[tokio::test]
async fn resuming_after_missing_five_events_gets_exactly_those() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut stream = SseClient::connect(&hub, &bob.access, None).await;
    for _ in 0..3 {
        send_hug(&hub, &alice, &bob).await;
    }
    assert_eq!(log_until(&mut stream, 6).await, hug_log(1, 3));
    let k = 6;
    drop(stream);

    let mut missed = Vec::new();
    for _ in 0..5 {
        missed.push(send_hug(&hub, &alice, &bob).await);
    }
    let mut resumed = SseClient::connect(&hub, &bob.access, Some(k)).await;
    let got = hugs(&mut resumed, 5).await;
    assert_eq!(ids_of(&got), [7, 9, 11, 13, 15], "in order, no gap");
    for (event, hug) in got.iter().zip(&missed) {
        assert_eq!(
            event_json(event)["data"],
            *hug,
            "the hugs themselves, in order"
        );
    }
    let last = resumed
        .next_event(WAIT)
        .await
        .expect("the last hug's notification");
    assert_eq!((last.event.as_str(), last.id), ("notification", Some(16)));
    let extra = resumed.quiet_for(Duration::from_millis(500)).await;
    assert!(extra.is_empty(), "nothing more: {extra:?}");
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(
        log_until(&mut resumed, 18).await,
        hug_log(9, 9),
        "then live ones"
    );
    let extra = resumed.quiet_for(Duration::from_millis(300)).await;
    assert!(extra.is_empty(), "no duplicate: {extra:?}");
    hub.stop().await;
}

#[tokio::test]
async fn resuming_by_query_parameter_or_from_zero() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    for _ in 0..4 {
        send_hug(&hub, &alice, &bob).await;
    }
    let mut by_query =
        SseClient::open(&hub, &format!("{STREAM}?last_event_id=4"), bob.token(), &[])
            .await
            .unwrap_or_else(|reply| panic!("refused: {} {}", reply.status, reply.text));
    assert_eq!(log_until(&mut by_query, 8).await, hug_log(3, 4));

    let mut from_zero = SseClient::connect(&hub, &bob.access, Some(0)).await;
    assert_eq!(log_until(&mut from_zero, 8).await, hug_log(1, 4));

    // The header wins over the query parameter.
    let mut both = SseClient::open(
        &hub,
        &format!("{STREAM}?last_event_id=1"),
        bob.token(),
        &[("Last-Event-ID", "6".to_owned())],
    )
    .await
    .unwrap_or_else(|reply| panic!("refused: {} {}", reply.status, reply.text));
    assert_eq!(log_until(&mut both, 8).await, hug_log(4, 4));
    let extra = both.quiet_for(Duration::from_millis(400)).await;
    assert!(extra.is_empty(), "{extra:?}");

    // Resuming at the last id: nothing to replay, live events follow.
    let mut current = SseClient::connect(&hub, &bob.access, Some(8)).await;
    let extra = current.quiet_for(Duration::from_millis(400)).await;
    assert!(extra.is_empty(), "{extra:?}");
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(log_until(&mut current, 10).await, hug_log(5, 5));
    hub.stop().await;
}

#[tokio::test]
async fn resuming_from_a_pruned_id_gets_a_reset_then_live_events() {
    let hub = TestHub::start_with(|c| {
        c.event_retention_per_user = 3;
        c.event_prune_secs = 1;
    })
    .await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    for _ in 0..10 {
        send_hug(&hub, &alice, &bob).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, log) = hub.get("/api/v1/events", bob.token()).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let kept: Vec<i64> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_i64())
        .collect();
    assert_eq!(kept, [18, 19, 20], "pruned to the last 3: {log}");

    let mut stream = SseClient::connect(&hub, &bob.access, Some(1)).await;
    let first = stream
        .next_event(WAIT)
        .await
        .expect("a first frame after resuming from a pruned id");
    assert_eq!(first.event, "reset", "{first:?}");
    assert_eq!(
        first.json(),
        json!({"lastId": 20, "unreadCount": 10}),
        "{first:?}"
    );
    send_hug(&hub, &alice, &bob).await;
    let next = stream.next_event(WAIT).await.expect("live events follow");
    assert_eq!(
        (next.event.as_str(), next.id),
        ("hug_received", Some(21)),
        "{next:?}"
    );

    // Resuming inside the retained log is a plain resume.
    let mut inside = SseClient::connect(&hub, &bob.access, Some(18)).await;
    assert_eq!(log_until(&mut inside, 22).await, hug_log(10, 11));
    hub.stop().await;
}

#[tokio::test]
async fn a_bad_last_event_id_is_refused() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    for bad in ["abc", "-1", "1.5", ""] {
        let reply = SseClient::open(
            &hub,
            STREAM,
            bob.token(),
            &[("Last-Event-ID", bad.to_owned())],
        )
        .await
        .err()
        .unwrap_or_else(|| panic!("Last-Event-ID {bad:?} accepted"));
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad:?}: {}",
            reply.text
        );
        assert_error(&reply.body, "validation_failed");
    }
    for bad in ["abc", "-1"] {
        let reply = SseClient::open(
            &hub,
            &format!("{STREAM}?last_event_id={bad}"),
            bob.token(),
            &[],
        )
        .await
        .err()
        .unwrap_or_else(|| panic!("last_event_id={bad} accepted"));
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
        assert_error(&reply.body, "validation_failed");
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_stream_needs_a_valid_token() {
    let hub = TestHub::start().await;
    let reply = SseClient::open(&hub, STREAM, None, &[])
        .await
        .err()
        .expect("a stream without a token is refused");
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    let reply = SseClient::open(&hub, STREAM, Some("not.a.jwt"), &[])
        .await
        .err()
        .expect("a stream with a bad token is refused");
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    hub.stop().await;
}

#[tokio::test]
async fn the_eleventh_stream_is_refused_until_one_closes() {
    let hub = TestHub::start_with(|c| c.heartbeat_secs = 1).await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut streams = Vec::new();
    for _ in 0..10 {
        streams.push(SseClient::connect(&hub, &bob.access, None).await);
    }
    let reply = SseClient::open(&hub, STREAM, bob.token(), &[])
        .await
        .err()
        .expect("the 11th stream is refused");
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "too_many_streams");

    // Another user is not affected.
    let _alice_stream = SseClient::connect(&hub, &alice.access, None).await;

    // Closing one frees a slot once the server notices (at its next write).
    drop(streams.pop());
    send_hug(&hub, &alice, &bob).await;
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut reopened = false;
    while !reopened && Instant::now() < deadline {
        match SseClient::open(&hub, STREAM, bob.token(), &[]).await {
            Ok(stream) => {
                streams.push(stream);
                reopened = true;
            }
            Err(reply) => {
                assert_eq!(
                    reply.status,
                    StatusCode::TOO_MANY_REQUESTS,
                    "{}",
                    reply.text
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert!(reopened, "a slot was freed by closing a stream");
    assert_eq!(streams.len(), 10);
    // The open streams all still work.
    for stream in &mut streams {
        assert!(
            stream
                .next_of_type("heartbeat", Duration::from_secs(3))
                .await
                .is_some(),
            "every open stream is alive"
        );
    }
    hub.stop().await;
}

#[tokio::test]
async fn three_streams_of_one_user_get_the_same_frame() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(SseClient::connect(&hub, &bob.access, None).await);
    }
    let hug = send_hug(&hub, &alice, &bob).await;
    let mut frames = Vec::new();
    for stream in &mut streams {
        let event = hugs(stream, 1).await.remove(0);
        assert_eq!(event_json(&event)["data"], hug);
        frames.push(event);
    }
    assert_eq!(frames[0], frames[1]);
    assert_eq!(frames[1], frames[2]);
    assert_eq!(frames[0].id, Some(1));
    hub.stop().await;
}

#[tokio::test]
async fn resuming_from_an_id_the_server_never_had_gets_a_reset() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);
    send_hug(&hub, &alice, &bob).await;
    send_hug(&hub, &alice, &bob).await;
    // E.g. a client that kept its id across a server-side reset of the log.
    let mut stream = SseClient::connect(&hub, &bob.access, Some(500)).await;
    let first = stream.next_event(WAIT).await.expect("a first frame");
    assert_eq!(first.event, "reset", "{first:?}");
    assert_eq!(first.json()["lastId"], 4, "{first:?}");
    send_hug(&hub, &alice, &bob).await;
    assert_eq!(log_until(&mut stream, 6).await, hug_log(3, 3));
    hub.stop().await;
}
