//! The real `hugmood` binary, black-box: `serve` (start, answer, exit 0 on SIGTERM),
//! `seed` (users, friendships, a tokens file, progress on stderr), `token`, `migrate`, and the
//! configuration errors that must stop it.

mod common;

use common::{free_port, get_json, terminate, Scratch};
use std::path::Path;

#[tokio::test]
async fn serve_answers_and_exits_cleanly_on_sigterm() {
    let scratch = Scratch::new();
    let (mut guard, base) = scratch.serve().await;
    let response = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(
        Path::new(&scratch.path("x.db")).exists(),
        "serve created the database file"
    );
    terminate(&mut guard);
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "the port is closed after exit"
    );
}

#[tokio::test]
async fn seed_writes_usable_tokens_and_befriends_in_a_ring() {
    let scratch = Scratch::new();
    let tokens = scratch.path("tokens.txt");
    let tokens_arg = tokens.display().to_string();
    let (status, stdout, stderr) =
        scratch.run(&["seed", "--users", "50", "--tokens-out", &tokens_arg], &[]);
    assert!(
        status.success(),
        "seed failed: {status:?}\n{stdout}\n{stderr}"
    );

    let text = std::fs::read_to_string(&tokens).expect("tokens file");
    let lines: Vec<(String, String)> = text
        .lines()
        .map(|line| {
            let (id, jwt) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("bad line {line:?}"));
            uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("not a UUID in {line:?}"));
            assert_eq!(jwt.split('.').count(), 3, "not a JWT in {line:?}");
            (id.to_owned(), jwt.to_owned())
        })
        .collect();
    assert_eq!(lines.len(), 50, "one line per user");
    let mut ids: Vec<&String> = lines.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50, "distinct users");

    let (mut guard, base) = scratch.serve().await;
    for (id, jwt) in [&lines[0], &lines[49]] {
        let (status, me) = get_json(&base, "/api/v1/users/me", jwt).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{me}");
        assert_eq!(me["id"], id.as_str());
        let (status, friends) = get_json(&base, "/api/v1/friends", jwt).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{friends}");
        assert!(
            friends["total"].as_u64().is_some_and(|n| n >= 3),
            "a ring of at least 3 friends: {friends}"
        );
    }
    terminate(&mut guard);

    let (status, _, stderr) = scratch.run(&["seed", "--users", "5"], &[]);
    assert!(!status.success(), "seeding the same prefix twice must fail");
    assert!(!stderr.is_empty(), "and say why");
    let (status, stdout, stderr) = scratch.run(&["seed", "--users", "5", "--prefix", "other"], &[]);
    assert!(
        status.success(),
        "another prefix is fine: {stdout}\n{stderr}"
    );
}

/// The numbers of `seeded <done>/<total> users` lines, in order; any other line of
/// progress is a failure.
fn progress_counts(stderr: &str, total: u32) -> Vec<u32> {
    stderr
        .lines()
        .filter(|line| line.starts_with("seeded "))
        .map(|line| {
            let counts = line
                .strip_prefix("seeded ")
                .and_then(|rest| rest.strip_suffix(&format!("/{total} users")))
                .unwrap_or_else(|| panic!("not a progress line: {line:?}"));
            counts
                .parse()
                .unwrap_or_else(|_| panic!("not a count in {line:?}"))
        })
        .collect()
}

#[tokio::test]
async fn seed_shows_plain_progress_on_a_piped_stderr_and_wraps_the_ring() {
    let scratch = Scratch::new();
    let tokens = scratch.path("tokens.txt");
    let tokens_arg = tokens.display().to_string();
    // stderr is a file here, not a terminal: plain lines, no bar.
    let (status, stdout, stderr) = scratch.run(
        &["seed", "--users", "200", "--tokens-out", &tokens_arg],
        &[],
    );
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    let counts = progress_counts(&stderr, 200);
    assert!(counts.len() >= 10, "a line at least every tenth: {stderr}");
    assert!(
        counts.windows(2).all(|w| w[0] < w[1]),
        "counts only grow: {counts:?}"
    );
    assert_eq!(counts.last(), Some(&200), "ends at N/N: {stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "no terminal control on a pipe: {stderr:?}"
    );
    assert!(
        stdout.contains("seeded 200 users (600 friendships, 600 mood entries, 200 hugs)"),
        "the summary stays on stdout: {stdout}"
    );
    assert!(
        !stdout.contains("/200 users"),
        "progress stays off stdout: {stdout}"
    );

    // Rows between users of different batches went in: the last user befriends the
    // first three (the ring wraps) and hugs the first.
    let text = std::fs::read_to_string(&tokens).expect("tokens file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 200);
    let token = |line: &str| line.split_once(' ').expect("id and token").1.to_owned();
    let (mut guard, base) = scratch.serve().await;
    for line in [lines[0], lines[100], lines[199]] {
        let (status, friends) = get_json(&base, "/api/v1/friends", &token(line)).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{friends}");
        assert_eq!(friends["total"], 6, "3 friends each way: {friends}");
    }
    let (status, hugs) = get_json(&base, "/api/v1/hugs/received", &token(lines[0])).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{hugs}");
    assert_eq!(hugs["total"], 1, "the last user's hug: {hugs}");
    terminate(&mut guard);
}

#[tokio::test]
async fn seed_star_friends_gives_the_first_user_n_more_friends() {
    let scratch = Scratch::new();
    let tokens = scratch.path("tokens.txt");
    let tokens_arg = tokens.display().to_string();
    // A ring of 8 with two friends each (8 pairs), plus user 1 befriending users 2–7:
    // 2 and 8 are ring friends already, so the star adds 5 pairs.
    let (status, stdout, stderr) = scratch.run(
        &[
            "seed",
            "--users",
            "8",
            "--friends",
            "2",
            "--star-friends",
            "6",
            "--tokens-out",
            &tokens_arg,
        ],
        &[],
    );
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    assert!(stdout.contains("13 friendships"), "{stdout}");
    let text = std::fs::read_to_string(&tokens).expect("tokens file");
    let jwts: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_once(' ').map(|(_, jwt)| jwt.to_owned()))
        .collect();
    assert_eq!(jwts.len(), 8, "one line per user, the star's centre first");

    let (mut guard, base) = scratch.serve().await;
    for (user, expected) in [(0, 7), (3, 3), (7, 2)] {
        let (status, friends) = get_json(&base, "/api/v1/friends", &jwts[user]).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{friends}");
        assert_eq!(
            friends["total"].as_u64(),
            Some(expected),
            "friends of user {}: {friends}",
            user + 1
        );
    }
    terminate(&mut guard);
}

#[tokio::test]
async fn token_prints_a_jwt_the_hub_accepts() {
    let scratch = Scratch::new();
    let (status, stdout, stderr) = scratch.run(&["seed", "--users", "3"], &[]);
    assert!(status.success(), "seed failed: {stdout}\n{stderr}");
    let (status, stdout, stderr) = scratch.run(&["token", "--user", "demo_1"], &[]);
    assert!(status.success(), "token failed: {stdout}\n{stderr}");
    let jwt = stdout
        .lines()
        .rev()
        .find(|l| l.split('.').count() == 3)
        .expect("a JWT on stdout")
        .trim()
        .to_owned();

    let (mut guard, base) = scratch.serve().await;
    let (status, me) = get_json(&base, "/api/v1/users/me", &jwt).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{me}");
    assert_eq!(me["username"], "demo_1");
    terminate(&mut guard);

    let (status, _, stderr) = scratch.run(&["token", "--user", "nobody_here"], &[]);
    assert!(!status.success(), "an unknown user is an error");
    assert!(stderr.contains("nobody_here"), "names the user: {stderr}");
}

#[test]
fn migrate_creates_the_database_and_exits_zero() {
    let scratch = Scratch::new();
    let (status, stdout, stderr) = scratch.run(&["migrate"], &[]);
    assert!(status.success(), "migrate failed: {stdout}\n{stderr}");
    assert!(scratch.path("x.db").exists(), "the database file exists");
    let (status, stdout, stderr) = scratch.run(&["migrate"], &[]);
    assert!(
        status.success(),
        "migrating twice is harmless: {stdout}\n{stderr}"
    );
}

#[test]
fn unknown_config_file_keys_are_refused() {
    let scratch = Scratch::new();
    let config = scratch.path("f.toml");
    std::fs::write(&config, "heartbeat_secz = 5\n").expect("write config");
    let config_arg = config.display().to_string();
    let (status, _, stderr) = scratch.run(&["migrate", "--config", &config_arg], &[]);
    assert!(!status.success(), "an unknown key must stop the binary");
    assert!(
        stderr.contains("heartbeat_secz"),
        "the key is named: {stderr}"
    );

    std::fs::write(&config, "heartbeat_secs = 5\n").expect("write config");
    let (status, stdout, stderr) = scratch.run(&["migrate", "--config", &config_arg], &[]);
    assert!(status.success(), "a known key is fine: {stdout}\n{stderr}");
}

#[test]
fn cluster_mode_refuses_the_development_secret() {
    let scratch = Scratch::new();
    let env = [
        (
            "HUGMOOD_DATABASE_URL",
            "postgres://x@127.0.0.1:1/x".to_owned(),
        ),
        ("HUGMOOD_REDIS_URL", "redis://127.0.0.1:1".to_owned()),
        ("HUGMOOD_BIND", format!("127.0.0.1:{}", free_port())),
    ];
    let (status, _, stderr) = scratch.run(&["serve"], &env);
    assert!(!status.success(), "must not start");
    assert!(stderr.contains("JWT"), "the JWT secret is named: {stderr}");
}

/// A container binds every address: there the development secret would let anyone
/// mint a token for any user, so the hub must not start with it (issue: forgeable
/// tokens in the container).
#[test]
fn a_public_bind_refuses_the_development_secret() {
    let scratch = Scratch::new();
    let env = [("HUGMOOD_BIND", format!("0.0.0.0:{}", free_port()))];
    let (status, _, stderr) = scratch.run(&["serve"], &env);
    assert!(!status.success(), "must not start");
    assert!(
        stderr.contains("HUGMOOD_JWT_SECRET") && stderr.contains("loopback"),
        "the variable and the reason are named: {stderr}"
    );
}

#[test]
fn a_short_secret_is_refused() {
    let scratch = Scratch::new();
    let env = [
        ("HUGMOOD_BIND", format!("127.0.0.1:{}", free_port())),
        ("HUGMOOD_JWT_SECRET", "only-twenty-five-bytes-xx".to_owned()),
    ];
    let (status, _, stderr) = scratch.run(&["serve"], &env);
    assert!(!status.success(), "must not start");
    assert!(
        stderr.contains("at least 32 bytes"),
        "the length is named: {stderr}"
    );
}

/// The hub turns transparent huge pages off for itself (see `src/memory.rs`): the
/// kernel reports it in the process's status.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn serve_runs_without_transparent_huge_pages() {
    let scratch = Scratch::new();
    let (mut guard, _base) = scratch.serve().await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", guard.pid()))
        .expect("read the process status");
    let thp = status
        .lines()
        .find_map(|line| line.strip_prefix("THP_enabled:"))
        .map(str::trim);
    assert_eq!(thp, Some("0"), "THP_enabled line of:\n{status}");
    terminate(&mut guard);
}
