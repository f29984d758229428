//! Realtime delivery under load, over real HTTP: a client that stops reading while
//! 10,000 events are sent is closed with `reconnect` (memory stays bounded) and loses
//! nothing when it resumes; 50 concurrent senders' 5,000 hugs reach an open stream in
//! id order with no gap and no duplicate. Each hug writes two events to the
//! recipient's log: `hug_received`, then its inbox item's `notification`.

mod common;

use common::*;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// The two tests run one after the other: each loads the machine, and the memory
/// measured by the slow-reader test must be its own.
static LOAD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sends `total` hugs to `to`, round-robin from `senders`, `parallel` at a time.
async fn send_many(
    hub: &TestHub,
    senders: &[TestUser],
    to: &TestUser,
    total: usize,
    parallel: usize,
) {
    let url = hub.url("/api/v1/hugs");
    let sends = futures::stream::iter(0..total).map(|n| {
        let client = hub.client.clone();
        let url = url.clone();
        let token = senders[n % senders.len()].access.clone();
        // A long message makes the frames big enough (~800 bytes) that the kernel's
        // socket buffers (a few MB on loopback) cannot hide a stalled reader.
        let body = json!({"recipientId": to.id, "hugType": "warm", "message": "m".repeat(250)});
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("hug {n}: {e}"));
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert_eq!(status, StatusCode::CREATED, "hug {n}: {text}");
        }
    });
    sends.buffer_unordered(parallel).collect::<Vec<()>>().await;
}

/// Checks that `id` is exactly the one after `last`.
fn next_in_order(last: &mut i64, id: i64, context: &str) {
    assert_eq!(
        id,
        *last + 1,
        "{context}: id {id} after {last} (a gap, a duplicate or out of order)"
    );
    *last = id;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_reader_is_closed_with_reconnect_and_loses_nothing() {
    const TOTAL: i64 = 10_000;
    const HUGS: usize = TOTAL as usize / 2;
    let _alone = LOAD.lock().await;
    let hub = TestHub::start_with(|c| {
        c.stream_buffer = 64;
        c.hug_rate_per_minute = 1_000_000;
    })
    .await;
    let recipient = hub.register("slowpoke").await;
    let senders = hub.register_many("sender", 4).await;
    let rss_before = rss_kib();

    // Open the stream by hand, then do not read from the socket while sending.
    let mut slow = RawSseClient::connect(&hub, &recipient.access, None).await;
    let started = Instant::now();
    let sampling = tokio::sync::watch::channel(false);
    let sampler = {
        let mut stop = sampling.1;
        tokio::spawn(async move {
            let mut peak = rss_kib();
            while !*stop.borrow_and_update() {
                peak = peak.max(rss_kib());
                let _ = tokio::time::timeout(Duration::from_millis(100), stop.changed()).await;
            }
            peak.max(rss_kib())
        })
    };
    send_many(&hub, &senders, &recipient, HUGS, 8).await;
    let sending = started.elapsed();
    sampling.0.send(true).expect("stop the sampler");
    let rss_peak = sampler.await.expect("RSS sampler");
    let growth_mib = rss_peak.saturating_sub(rss_before) / 1024;
    eprintln!(
        "sent {HUGS} hugs ({TOTAL} events) in {sending:?}; RSS {} MiB before, peak {} MiB",
        rss_before / 1024,
        rss_peak / 1024
    );
    assert!(
        growth_mib < 200,
        "server memory grew by {growth_mib} MiB with a stalled reader"
    );

    // Resume reading: frames in order, then the server's `reconnect`, then the end.
    let mut last = 0i64;
    let reconnect = loop {
        let event = slow
            .next_event(Duration::from_secs(30))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "the stalled stream neither sent reconnect nor more frames after id {last} (ended: {})",
                    slow.ended()
                )
            });
        match event.event.as_str() {
            "hug_received" | "notification" => {
                next_in_order(&mut last, event.id(), "before reconnect")
            }
            "reconnect" => break event,
            "heartbeat" => {}
            other => panic!("unexpected frame {other}: {event:?}"),
        }
    };
    assert!(
        last < TOTAL,
        "the stalled stream was closed before carrying every event (got {last})"
    );
    let notice = reconnect.json();
    assert_eq!(notice["reason"], "slow_reader", "{notice}");
    assert_eq!(
        notice["lastEventId"].as_i64(),
        Some(last),
        "reconnect names the last id sent: {notice}"
    );
    assert!(
        slow.next_event(Duration::from_secs(5)).await.is_none() && slow.ended(),
        "the server ends the stream after reconnect"
    );
    eprintln!("the stalled stream carried {last} events before reconnect");

    // Resume from the last id actually parsed: everything else, in order.
    let mut resumed = SseClient::connect(&hub, &recipient.access, Some(last)).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while last < TOTAL {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = resumed
            .next_event(left)
            .await
            .unwrap_or_else(|| panic!("resumed stream stopped after id {last}"));
        match event.event.as_str() {
            "hug_received" | "notification" => {
                next_in_order(&mut last, event.id(), "after resuming")
            }
            "heartbeat" => {}
            other => panic!("unexpected frame {other} after resuming: {event:?}"),
        }
    }
    assert_eq!(last, TOTAL, "ids 1..={TOTAL}, each once");
    let extra = resumed.quiet_for(Duration::from_millis(500)).await;
    assert!(extra.is_empty(), "nothing after the last event: {extra:?}");
    eprintln!("whole test {:?}", started.elapsed());
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_senders_reach_one_stream_in_order() {
    const SENDERS: usize = 50;
    const EACH: usize = 100;
    const TOTAL: i64 = (SENDERS * EACH) as i64;
    /// Events in the log: each hug's `hug_received` and `notification`.
    const LOGGED: i64 = 2 * TOTAL;
    let _alone = LOAD.lock().await;
    // The live reader must see every event on one connection: its buffer holds the
    // whole run, so a busy machine slowing the test's reader is not an overflow (the
    // hopper below covers resuming).
    let hub = TestHub::start_with(|c| {
        c.hug_rate_per_minute = 1_000_000;
        c.stream_buffer = LOGGED as usize;
    })
    .await;
    let recipient = hub.register("popular").await;
    let senders = hub.register_many("fan", SENDERS).await;

    let stream = SseClient::connect(&hub, &recipient.access, None).await;
    let reader = tokio::spawn(async move {
        let mut stream = stream;
        let mut ids = Vec::with_capacity(LOGGED as usize);
        let mut hugs = 0;
        let deadline = Instant::now() + Duration::from_secs(180);
        while ids.len() < LOGGED as usize {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = stream.next_event(left).await else {
                return (
                    ids,
                    hugs,
                    format!("stream stopped (ended: {})", stream.ended()),
                );
            };
            match event.event.as_str() {
                "hug_received" => {
                    hugs += 1;
                    ids.push(event.id());
                }
                "notification" => ids.push(event.id()),
                "heartbeat" => {}
                _ => return (ids, hugs, format!("unexpected frame {event:?}")),
            }
        }
        (ids, hugs, String::new())
    });

    // A second client drops its stream every 700 events and resumes by id meanwhile.
    let hopper = {
        let url = hub.url("/api/v1/sse/stream");
        let token = recipient.access.clone();
        tokio::spawn(async move {
            let mut last = 0i64;
            let mut connections = 0;
            let deadline = Instant::now() + Duration::from_secs(180);
            while last < LOGGED {
                let headers = [("Last-Event-ID", last.to_string())];
                let mut stream = match SseClient::open_url(&url, Some(&token), &headers).await {
                    Ok(stream) => stream,
                    Err(reply) => {
                        return Err(format!(
                            "reconnect refused: {} {}",
                            reply.status, reply.text
                        ))
                    }
                };
                connections += 1;
                let mut read = 0;
                while read < 700 && last < LOGGED {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let Some(event) = stream.next_event(left).await else {
                        return Err(format!("connection {connections} stopped after id {last}"));
                    };
                    match event.event.as_str() {
                        "hug_received" | "notification" if event.id() == last + 1 => {
                            last += 1;
                            read += 1;
                        }
                        "heartbeat" => {}
                        _ => {
                            return Err(format!(
                                "after id {last} on connection {connections}: {event:?}"
                            ))
                        }
                    }
                }
            }
            Ok(connections)
        })
    };

    let started = Instant::now();
    let mut tasks = Vec::new();
    for sender in senders {
        let client = hub.client.clone();
        let url = hub.url("/api/v1/hugs");
        let body = json!({"recipientId": recipient.id, "hugType": "warm"});
        tasks.push(tokio::spawn(async move {
            for n in 0..EACH {
                let response = client
                    .post(&url)
                    .bearer_auth(&sender.access)
                    .json(&body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("hug {n} of {}: {e}", sender.username));
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                assert_eq!(status, StatusCode::CREATED, "hug {n}: {text}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("a sender task");
    }
    eprintln!(
        "{TOTAL} hugs from {SENDERS} senders in {:?}",
        started.elapsed()
    );

    let (ids, hugs, problem) = reader.await.expect("reader task");
    assert!(problem.is_empty(), "after {} events: {problem}", ids.len());
    let mut last = 0;
    for id in &ids {
        next_in_order(&mut last, *id, "the live stream");
    }
    assert_eq!(ids.len() as i64, LOGGED);
    assert_eq!(last, LOGGED);
    assert_eq!(hugs, TOTAL, "one hug_received per hug");
    let connections = hopper
        .await
        .expect("hopper task")
        .unwrap_or_else(|problem| panic!("the reconnecting client: {problem}"));
    eprintln!("the reconnecting client got all {LOGGED} events over {connections} connections");

    let (status, page) = hub
        .get("/api/v1/hugs/received?per_page=1", recipient.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], TOTAL, "{page}");
    eprintln!("whole test {:?}", started.elapsed());
    hub.stop().await;
}
