//! What the `hugmood` binary says in its first hour: the start-up line (mode, store,
//! bus), `migrate`'s count, and errors that name what to fix — the variable or file of
//! a bad value, the expected `IP:port`, the unreachable database's host:port, what
//! made a node a cluster that refuses the development secret — and no colour codes
//! when stdout is not a terminal.

mod common;

use common::{free_port, terminate, Scratch};
use std::process::ExitStatus;

/// A closed port on loopback: a database there cannot be reached.
fn closed_postgres() -> (String, String) {
    let port = free_port();
    (
        format!("postgres://hugmood:not-shown@127.0.0.1:{port}/hub"),
        format!("127.0.0.1:{port}"),
    )
}

fn env<'k>(pairs: &[(&'k str, &str)]) -> Vec<(&'k str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// Runs `args` and expects a failure whose stderr contains every one of `needles`.
fn fails_saying(scratch: &Scratch, args: &[&str], vars: &[(&str, &str)], needles: &[&str]) {
    let (status, stdout, stderr): (ExitStatus, String, String) = scratch.run(args, &env(vars));
    assert!(!status.success(), "{args:?} {vars:?} must fail: {stdout}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} in:\n{stderr}");
    }
}

#[tokio::test]
async fn the_start_up_line_names_mode_store_and_bus_without_colour() {
    let scratch = Scratch::new();
    let (mut guard, _) = scratch.serve().await;
    terminate(&mut guard);
    let stdout = guard.stdout_text();
    let line = stdout
        .lines()
        .find(|l| l.contains("hub listening addr=127.0.0.1:"))
        .unwrap_or_else(|| panic!("a start-up line in:\n{stdout}"));
    let file = scratch.path("x.db");
    assert!(line.contains("mode=embedded"), "{line}");
    let store = format!("store=SQLite file {}", file.display());
    assert!(line.contains(&store), "{line}");
    assert!(line.contains("bus=in-process"), "{line}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no escape codes in a file: {stdout:?}"
    );
}

#[test]
fn migrate_counts_what_it_applied() {
    let scratch = Scratch::new();
    let all = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations")
        .count();
    let (status, stdout, stderr) = scratch.run(&["migrate"], &[]);
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("applied {all} migrations to SQLite file")),
        "{stdout}"
    );
    let (status, stdout, stderr) = scratch.run(&["migrate"], &[]);
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("applied 0 migrations"), "{stdout}");
    assert!(stdout.contains("up to date"), "{stdout}");
}

#[test]
fn an_unreachable_database_is_named_and_migrate_needs_no_jwt_secret() {
    let scratch = Scratch::new();
    let (url, address) = closed_postgres();
    // The development secret is refused in cluster mode, but migrate signs nothing:
    // the error is about the database, at its address, without the password.
    let (status, _, stderr) = scratch.run(&["migrate"], &env(&[("HUGMOOD_DATABASE_URL", &url)]));
    assert!(!status.success());
    assert!(
        stderr.contains(&format!("cannot reach PostgreSQL at {address}")),
        "{stderr}"
    );
    assert!(!stderr.contains("JWT"), "{stderr}");
    assert!(!stderr.contains("not-shown"), "no password: {stderr}");
}

#[test]
fn bind_must_be_ip_and_port() {
    let scratch = Scratch::new();
    for bind in ["127.0.0.1", "localhost:8080", "300.1.2.3:80"] {
        fails_saying(
            &scratch,
            &["serve"],
            &[("HUGMOOD_BIND", bind)],
            &["IP:port", "HUGMOOD_BIND", bind],
        );
    }
}

#[test]
fn a_refused_jwt_secret_says_why_and_where_it_comes_from() {
    let scratch = Scratch::new();
    let (url, _) = closed_postgres();
    let bind = format!("127.0.0.1:{}", free_port());
    fails_saying(
        &scratch,
        &["serve"],
        &[
            ("HUGMOOD_DATABASE_URL", &url),
            ("HUGMOOD_REDIS_URL", "redis://127.0.0.1:1"),
            ("HUGMOOD_BIND", &bind),
        ],
        &[
            "development JWT secret",
            "redis_url is set",
            "jwt_secret_file",
        ],
    );
    fails_saying(
        &scratch,
        &["serve"],
        &[
            ("HUGMOOD_DATABASE_URL", &url),
            ("HUGMOOD_BIND", &bind),
            ("HUGMOOD_JWT_SECRET", "too-short"),
        ],
        &[
            "at least 32 bytes",
            "jwt_secret_file",
            "database_url is PostgreSQL",
        ],
    );
    let file = scratch.path("secret.txt");
    std::fs::write(&file, "short\n").expect("write secret");
    let file_arg = file.display().to_string();
    fails_saying(
        &scratch,
        &["token", "--user", "demo_1"],
        &[("HUGMOOD_JWT_SECRET_FILE", &file_arg)],
        &["at least 32 bytes", &format!("jwt_secret_file {file_arg}")],
    );
}

#[test]
fn a_bad_value_names_its_variable_or_file() {
    let scratch = Scratch::new();
    for (var, value) in [
        ("HUGMOOD_HEARTBEAT_SECS", "abc"),
        ("HUGMOOD_LOG_FORMAT", "xml"),
        ("HUGMOOD_MAX_CONNECTIONS", "0"),
    ] {
        fails_saying(&scratch, &["migrate"], &[(var, value)], &[var]);
    }
    // An unknown variable is no error, but the warning names it.
    let (status, stdout, stderr) = scratch.run(&["migrate"], &env(&[("HUGMOOD_PORT", "abc")]));
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("HUGMOOD_PORT"), "{stdout}");

    let file = scratch.path("bad.toml");
    let file_arg = file.display().to_string();
    for text in [
        "heartbeat_secs = \"soon\"\n",
        "heartbeat_secs = \n",
        "bind = \"nowhere\"\n",
    ] {
        std::fs::write(&file, text).expect("write config");
        fails_saying(
            &scratch,
            &["migrate", "--config", &file_arg],
            &[],
            &[&format!("config file {file_arg}")],
        );
    }
}

#[test]
fn token_does_not_create_a_missing_database() {
    let scratch = Scratch::new();
    fails_saying(
        &scratch,
        &["token", "--user", "demo_1"],
        &[],
        &[
            "no database file",
            &scratch.path("x.db").display().to_string(),
        ],
    );
    assert!(!scratch.path("x.db").exists(), "no file left behind");
}
