//! What expires is deleted, over real HTTP and a real SQLite file: an idempotency key
//! older than its 24 hours and an expired refresh token leave the database at the
//! next pruning round, instead of piling up forever. The test ages the rows in the
//! file itself (it cannot wait a day) and watches the hub's own pruning remove them.

mod common;

use common::TestHub;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};
use std::time::Duration;

/// Runs `sql` on the hub's database file, beside the hub.
async fn execute(hub: &TestHub, sql: &str) -> u64 {
    let mut conn = SqliteConnection::connect(&hub.config.database_url)
        .await
        .expect("a connection to the hub's database");
    sqlx::query(sql)
        .execute(&mut conn)
        .await
        .expect("statement")
        .rows_affected()
}

async fn count(hub: &TestHub, table: &str) -> i64 {
    let mut conn = SqliteConnection::connect(&hub.config.database_url)
        .await
        .expect("a connection to the hub's database");
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

/// Waits (up to 10 s) until `table` holds `rows` rows.
async fn until_rows(hub: &TestHub, table: &str, rows: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = count(hub, table).await;
        if now == rows {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{table} still holds {now} rows, not {rows}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn expired_idempotency_keys_and_refresh_tokens_are_deleted() {
    let hub = TestHub::start_with(|c| c.event_prune_secs = 1).await;
    let user = hub.register("keeper").await;
    let created = hub
        .client
        .post(hub.url("/api/v1/moods"))
        .bearer_auth(&user.access)
        .header("Idempotency-Key", "offline-7")
        .json(&json!({"mood": "calm", "intensity": 4}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(count(&hub, "idempotency_keys").await, 1);
    let tokens = count(&hub, "refresh_tokens").await;
    assert!(tokens >= 1, "registering stores a refresh token");

    // Live rows survive a pruning round.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(count(&hub, "idempotency_keys").await, 1, "a live key stays");
    assert_eq!(
        count(&hub, "refresh_tokens").await,
        tokens,
        "live tokens stay"
    );

    // Two days old, and long expired: the next round deletes them.
    assert_eq!(
        execute(
            &hub,
            "UPDATE idempotency_keys SET created_at = '2000-01-01T00:00:00+00:00'"
        )
        .await,
        1
    );
    execute(
        &hub,
        "UPDATE refresh_tokens SET expires_at = '2000-01-01T00:00:00+00:00'",
    )
    .await;
    until_rows(&hub, "idempotency_keys", 0).await;
    until_rows(&hub, "refresh_tokens", 0).await;
    hub.stop().await;
}
