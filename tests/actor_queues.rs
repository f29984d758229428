//! Domain-actor queues over real HTTP and a real SQLite file: work never outlives its
//! request. While the test holds the database's write lock, mood writes queue in their
//! shard; a request the client gave up on is skipped when its turn comes (not written
//! later, where a retry would duplicate it), and calls past the queue's limit answer
//! 503 `unavailable` at once instead of waiting without bound; a call that waits past
//! its deadline answers 503 too, never 500, and is not done afterwards.

mod common;

use common::{TestHub, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, SqliteConnection};
use std::time::Duration;
use tokio::sync::mpsc;

/// Holds the hub's SQLite write lock until dropped or released.
struct WriteLock(SqliteConnection);

impl WriteLock {
    async fn take(hub: &TestHub) -> Self {
        let mut conn = SqliteConnection::connect(&hub.config.database_url)
            .await
            .expect("a second connection to the hub's database");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .expect("the write lock");
        Self(conn)
    }

    async fn release(mut self) {
        sqlx::query("ROLLBACK")
            .execute(&mut self.0)
            .await
            .expect("release the write lock");
    }
}

fn mood(note: &str) -> Value {
    json!({"mood": "calm", "intensity": 3, "note": note})
}

/// An answer: its status, `Retry-After` and body.
struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    body: Value,
}

/// Posts a mood entry and gives up after `patience`: the answer, or `None` if the
/// client gave up first.
async fn post_mood(
    hub: &TestHub,
    user: &TestUser,
    note: &str,
    patience: Duration,
) -> Option<Answer> {
    let request = hub
        .client
        .post(hub.url("/api/v1/moods"))
        .bearer_auth(&user.access)
        .json(&mood(note))
        .timeout(patience)
        .send();
    let response = request.await.ok()?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.ok()?;
    Some(Answer {
        status,
        retry_after,
        body,
    })
}

/// The notes of `user`'s entries.
async fn notes(hub: &TestHub, user: &TestUser) -> Vec<String> {
    let (status, page) = hub.get("/api/v1/moods?per_page=100", user.token()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|e| e["note"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The next answer of `answers`, which must come within `within` (while the test
/// still holds the lock) and be 503 `unavailable`.
async fn next_refusal(answers: &mut mpsc::Receiver<Option<Answer>>, within: Duration) -> Answer {
    let answer = tokio::time::timeout(within, answers.recv())
        .await
        .expect("a refusal while the lock is still held")
        .flatten()
        .expect("an answer, not a dropped connection");
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    common::assert_error(&answer.body, "unavailable");
    answer
}

#[tokio::test]
async fn a_write_whose_client_gave_up_while_queued_is_never_done() {
    let hub = TestHub::start_with(|c| c.mood_shards = 1).await;
    let user = hub.register("patient").await;
    let lock = WriteLock::take(&hub).await;

    // The first write reaches the shard and waits on the lock; the next two queue
    // behind it, and their clients give up before the lock is released.
    let impatient = Duration::from_millis(300);
    for note in ["in-progress", "abandoned-1", "abandoned-2"] {
        assert!(
            post_mood(&hub, &user, note, impatient).await.is_none(),
            "{note}: answered while the database was locked"
        );
    }
    lock.release().await;

    // Same author, same shard: once this answers, the abandoned two had their turn.
    let after = post_mood(&hub, &user, "after", Duration::from_secs(10))
        .await
        .expect("an answer once the lock is released");
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.body);
    let written = notes(&hub, &user).await;
    assert!(written.contains(&"after".to_owned()), "{written:?}");
    for gone in ["abandoned-1", "abandoned-2"] {
        assert!(
            !written.contains(&gone.to_owned()),
            "{gone} was written after its client had gone: {written:?}"
        );
    }
    hub.stop().await;
}

#[tokio::test]
async fn calls_past_a_full_shard_queue_answer_503_at_once() {
    let hub = TestHub::start_with(|c| {
        c.mood_shards = 1;
        c.actor_queue_limit = 2;
    })
    .await;
    let user = hub.register("crowd").await;
    let lock = WriteLock::take(&hub).await;

    let (done, mut answers) = mpsc::channel(4);
    let hub = std::sync::Arc::new(hub);
    for i in 0..4 {
        let (hub, user, done) = (hub.clone(), user.clone(), done.clone());
        tokio::spawn(async move {
            let answer =
                post_mood(&hub, &user, &format!("crowd-{i}"), Duration::from_secs(20)).await;
            let _ = done.send(answer).await;
        });
    }
    // Two calls hold the queue's two places while the lock is held; the other two
    // are refused without waiting for it.
    for _ in 0..2 {
        let answer = next_refusal(&mut answers, Duration::from_secs(4)).await;
        assert_eq!(answer.retry_after.as_deref(), Some("1"));
    }
    lock.release().await;
    for _ in 0..2 {
        let answer = answers.recv().await.flatten().expect("an answer");
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    assert_eq!(notes(&hub, &user).await.len(), 2);
    if let Ok(hub) = std::sync::Arc::try_unwrap(hub) {
        hub.stop().await;
    }
}

#[tokio::test]
async fn writes_stuck_behind_a_held_lock_answer_503_and_are_never_done_later() {
    let hub = TestHub::start_with(|c| c.mood_shards = 1).await;
    let user = hub.register("stuck").await;
    let lock = WriteLock::take(&hub).await;
    let locked_at = std::time::Instant::now();

    // The first write waits for the lock until the database gives up (its busy
    // timeout, 5 s); the second, queued behind it, until the same or until its call's
    // deadline (10 s); the third's deadline passes while it is still queued.
    let (done, mut answers) = mpsc::channel(3);
    let hub = std::sync::Arc::new(hub);
    for i in 0..3 {
        let (hub, user, done) = (hub.clone(), user.clone(), done.clone());
        tokio::spawn(async move {
            let answer =
                post_mood(&hub, &user, &format!("stuck-{i}"), Duration::from_secs(30)).await;
            let _ = done.send(answer).await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for _ in 0..3 {
        next_refusal(&mut answers, Duration::from_secs(15)).await;
    }
    // Held until every write that may have started has met the busy timeout.
    tokio::time::sleep(Duration::from_secs(16).saturating_sub(locked_at.elapsed())).await;
    lock.release().await;

    let after = post_mood(&hub, &user, "after", Duration::from_secs(10))
        .await
        .expect("an answer once the lock is released");
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.body);
    assert_eq!(
        notes(&hub, &user).await,
        ["after"],
        "a refused write was done"
    );
    if let Ok(hub) = std::sync::Arc::try_unwrap(hub) {
        hub.stop().await;
    }
}
