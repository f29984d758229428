//! The first hour of a newcomer: `hugmood seed` on a fresh SQLite file, the hub started
//! on it, and a login as the printed user with the printed password finds unread
//! notifications and an event log, because seeding wrote them as the API does. The
//! counts seed prints are the counts in the database.

mod common;

use common::{get_json, terminate, Scratch};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::HashSet;

/// The word after `marker` in `text`, without trailing punctuation.
fn word_after<'t>(text: &'t str, marker: &str) -> &'t str {
    let rest = text
        .split_once(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {text}"))
        .1;
    rest.split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches([',', ';', '.'])
}

/// The number just before `label` in `text` (`600 friendships`).
fn count_before(text: &str, label: &str) -> i64 {
    let head = text
        .split_once(&format!(" {label}"))
        .unwrap_or_else(|| panic!("{label:?} in {text}"))
        .0;
    let number = head.rsplit([' ', '(']).next().unwrap_or_default();
    number
        .parse()
        .unwrap_or_else(|_| panic!("a count before {label:?} in {text}"))
}

/// The JSON of a GET that must answer 200.
async fn get(base: &str, path: &str, token: &str) -> Value {
    let (status, body) = get_json(base, &format!("/api/v1{path}"), token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test]
async fn a_seeded_user_logs_in_to_unread_notifications_and_events() {
    let scratch = Scratch::new();
    let (status, stdout, stderr) = scratch.run(&["seed", "--users", "12"], &[]);
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    let login = word_after(&stdout, "log in as ");
    let password = word_after(&stdout, "with password ");
    assert_eq!(login, "demo_1", "{stdout}");

    let (mut guard, base) = scratch.serve().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("login");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the printed password works"
    );
    let session: Value = response.json().await.expect("JSON");
    let token = session["accessToken"].as_str().expect("accessToken");

    let inbox = get(&base, "/notifications", token).await;
    assert_eq!(inbox["hasUnread"], true, "{inbox}");
    let types: HashSet<&str> = inbox["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["type"].as_str())
        .collect();
    assert!(types.contains("hug_received"), "{inbox}");

    let log = get(&base, "/events?last_id=0", token).await;
    let events = log["events"].as_array().expect("events");
    let kinds: HashSet<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    for kind in ["mood_update", "hug_received", "notification"] {
        assert!(kinds.contains(kind), "a {kind} event: {log}");
    }
    let ids: Vec<i64> = events.iter().filter_map(|e| e["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    terminate(&mut guard);

    // What seed printed is what the database holds.
    let mut db = SqliteConnectOptions::new()
        .filename(scratch.path("x.db"))
        .read_only(true)
        .connect()
        .await
        .expect("open the seeded database");
    for (label, sql) in [
        ("users", "SELECT COUNT(*) FROM users"),
        ("friendships", "SELECT COUNT(*) / 2 FROM friendships"),
        ("mood entries", "SELECT COUNT(*) FROM mood_entries"),
        ("hugs", "SELECT COUNT(*) FROM hugs"),
        (
            "unread notifications",
            "SELECT COUNT(*) FROM notifications WHERE is_read = 0",
        ),
        ("events", "SELECT COUNT(*) FROM events"),
    ] {
        let stored: i64 = sqlx::query_scalar(sql)
            .fetch_one(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(stored, count_before(&stdout, label), "{label}: {stdout}");
    }
    db.close().await.expect("close");
}

#[test]
fn friends_k_means_k_friends_each_and_counts_each_friendship_once() {
    let scratch = Scratch::new();
    let (status, stdout, stderr) = scratch.run(&["seed", "--users", "4", "--friends", "3"], &[]);
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    assert_eq!(count_before(&stdout, "friendships"), 6, "{stdout}");
    let (status, stdout, stderr) = scratch.run(
        &[
            "seed",
            "--users",
            "10",
            "--friends",
            "3",
            "--prefix",
            "ring",
        ],
        &[],
    );
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    assert_eq!(count_before(&stdout, "friendships"), 15, "3 each: {stdout}");
}

#[test]
fn seed_help_tells_what_it_prints() {
    let scratch = Scratch::new();
    let (status, stdout, _) = scratch.run(&["seed", "--help"], &[]);
    assert!(status.success());
    assert!(
        stdout.contains("print how to log in") && stdout.contains("--tokens-out"),
        "{stdout}"
    );
    assert!(!stdout.contains("print or write their tokens"), "{stdout}");
}
