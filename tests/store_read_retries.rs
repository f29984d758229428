//! A UserActor whose store reads fail retries them with a growing delay, not at a
//! fixed pace forever, and recovers by itself once the store answers again. Observed
//! on the real binary: the reads fail while the test has the event log's table
//! renamed, and each failed attempt is one warning in the hub's log.

mod common;

use common::*;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};
use std::time::Duration;

/// How long the reads keep failing before the attempts are counted.
const FAILING_FOR: Duration = Duration::from_secs(4);

async fn rename_events(served: &Served, from: &str, to: &str) {
    let mut conn = SqliteConnection::connect(&served.database_url())
        .await
        .expect("a second connection to the hub's database");
    sqlx::query(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("rename {from} to {to}: {e}"));
}

/// The hub's warnings about failed reads of `user`'s event log so far.
fn failed_reads(served: &Served, user: &str) -> usize {
    served
        .log_text()
        .lines()
        .filter(|line| line.contains("cannot read the event log") && line.contains(user))
        .count()
}

#[tokio::test]
async fn failed_event_log_reads_back_off_and_recover() {
    let served = Served::start_with_env(&[("RUST_LOG", "warn")]).await;
    let hub = served.hub();
    let alice = hub.register("alice_retry").await;
    let bob = hub.register("bob_retry").await;
    hub.befriend(&alice, &bob).await;

    rename_events(&served, "events", "events_unreadable").await;
    // A live-only stream reads nothing itself; its UserActor starts and cannot read
    // where the log ends.
    let url = hub.url("/api/v1/sse/stream");
    let mut stream = SseClient::open_url(&url, alice.token(), &[])
        .await
        .unwrap_or_else(|reply| panic!("stream refused: {} {}", reply.status, reply.text));
    tokio::time::sleep(FAILING_FOR).await;
    let attempts = failed_reads(&served, &alice.id);
    // Delays from 200 ms doubling (with up to half added): 4 or 5 attempts in 4 s.
    // A fixed 200 ms pace would make 20.
    assert!(
        (3..=6).contains(&attempts),
        "{attempts} failed reads in {FAILING_FOR:?}: {}",
        served.log_text()
    );

    rename_events(&served, "events_unreadable", "events").await;
    let hug = json!({"recipientId": alice.id, "hugType": "warm"});
    let (status, body) = hub.post_json("/api/v1/hugs", bob.token(), hug).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let hug = stream
        .next_of_type("hug_received", Duration::from_secs(15))
        .await;
    assert!(
        hug.is_some(),
        "the hug reached the stream once the log could be read: {}",
        served.log_text()
    );
}
