//! PostgreSQL outage over real HTTP: while the database is down, writes answer 503
//! `unavailable` within a bound and readiness is 503; once it is back, both recover in
//! the same hub process. The test runs its own PostgreSQL, so stopping it disturbs no
//! other test.

mod common;

use common::{assert_error, in_ci, TestHub};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;

/// The spec's ceiling for an answer while the database is down; the hub's own bound
/// (the pool's acquire timeout) is below it.
const OUTAGE_ANSWER_WITHIN: Duration = Duration::from_secs(6);
/// How long the hub may take to notice the database is back.
const RECOVERY_WITHIN: Duration = Duration::from_secs(30);

/// A throwaway PostgreSQL of this test alone, started by `scripts/start-postgres.sh`
/// in a fresh directory; stopped and removed when dropped (also when the test fails).
struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
    /// `pg_ctl` of the version the script picks.
    pg_ctl: PathBuf,
    /// Root runs the server as the `postgres` user, like the script.
    as_postgres: bool,
}

impl OwnPostgres {
    /// Starts the server; `Err` carries the script's messages.
    async fn start() -> Result<(Self, String), String> {
        let dir = tempfile::Builder::new()
            .prefix("hugmood-pg-outage-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        // Away from the shared test server's ports and, by pid, from a parallel run.
        let port = 56_000 + (std::process::id() % 1000) as u16;
        let mut postgres = Self {
            dir,
            port,
            pg_ctl: PathBuf::new(),
            as_postgres: false,
        };
        let url = postgres.run_script().await?;
        // Only now, so that a failed start leaves nothing for `drop` to stop.
        postgres.pg_ctl = pg_ctl().ok_or("no /usr/lib/postgresql/*/bin/pg_ctl")?;
        postgres.as_postgres = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        Ok((postgres, url))
    }

    /// Runs the start script on this directory: starts the server, or starts it again
    /// on its existing data. Returns the URL it prints.
    async fn run_script(&self) -> Result<String, String> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/start-postgres.sh");
        let output = Command::new("bash")
            .arg(script)
            .env("HUGMOOD_PG_DIR", self.dir.path())
            .env("HUGMOOD_PG_PORT", self.port.to_string())
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || !url.starts_with("postgres://") {
            return Err(format!(
                "start-postgres.sh failed ({}):\n{stderr}",
                output.status
            ));
        }
        Ok(url)
    }

    /// `pg_ctl -D <data> <args>`, as the `postgres` user when root.
    fn pg_ctl_command(&self, args: &[&str]) -> std::process::Command {
        let mut command = if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&self.pg_ctl);
            c
        } else {
            std::process::Command::new(&self.pg_ctl)
        };
        command
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(args)
            // The postgres user may not be able to enter the test's working directory.
            .current_dir("/")
            .stdin(Stdio::null());
        command
    }

    async fn stop(&self) -> Result<(), String> {
        let args = ["-m", "fast", "-w", "-t", "30", "stop"];
        let output = Command::from(self.pg_ctl_command(&args))
            .output()
            .await
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl stop failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        if self.pg_ctl.as_os_str().is_empty() {
            return;
        }
        // Blocking on purpose: the runtime may be gone already when a test unwinds.
        // Already stopped (the test stopped it, or it never came back) is fine. The
        // temp dir removes itself after this.
        let _ = self
            .pg_ctl_command(&["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The highest PostgreSQL version's `pg_ctl`, picked the way the start script does.
fn pg_ctl() -> Option<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            (bin.join("pg_ctl").is_file() && bin.join("initdb").is_file())
                .then(|| (version, bin.join("pg_ctl")))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, pg_ctl)| pg_ctl)
}

/// Sends a request, returning the reply and how long it took.
async fn timed(
    hub: &TestHub,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (common::Reply, Duration) {
    let started = Instant::now();
    let reply = hub.send(method, path, token, body).await;
    (reply, started.elapsed())
}

/// Checks a 503 `unavailable` that came within the bound, with a `Retry-After`.
fn assert_unavailable(what: &str, reply: &common::Reply, took: Duration) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what} while PostgreSQL is down: {}",
        reply.text
    );
    assert_error(&reply.body, "unavailable");
    assert!(
        took < OUTAGE_ANSWER_WITHIN,
        "{what} took {took:?} to answer while PostgreSQL is down"
    );
    let retry_after = reply
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(
        retry_after.is_some_and(|secs| secs > 0),
        "{what}: no Retry-After in {:?}",
        reply.headers
    );
    for leak in ["sqlx", "SELECT", "INSERT", "127.0.0.1", "refused"] {
        assert!(
            !reply.text.contains(leak),
            "{what} leaks {leak:?}: {}",
            reply.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_answer_503_while_postgres_is_down_and_recover_without_a_restart() {
    let (postgres, url) = match OwnPostgres::start().await {
        Ok(started) => started,
        Err(why) if in_ci() => panic!("CI: PostgreSQL could not be started:\n{why}"),
        Err(why) => {
            eprintln!("note: skipping the PostgreSQL outage test: {why}");
            return;
        }
    };
    let hub = TestHub::start_with(|c| {
        c.database_url = url.clone();
        c.jwt_secret = "postgres-outage-test-secret-of-enough-length".into();
    })
    .await;
    let alice = hub.register("outage_a").await;
    let bob = hub.register("outage_b").await;
    hub.befriend(&alice, &bob).await;
    let hug = json!({"recipientId": bob.id, "hugType": "warm"});
    let mood = json!({"mood": "calm", "intensity": 4});
    let reply = hub
        .send(Method::POST, "/api/v1/hugs", alice.token(), Some(&hug))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "hug before: {}",
        reply.text
    );

    postgres.stop().await.expect("stop PostgreSQL");

    let (reply, took) = timed(
        &hub,
        Method::POST,
        "/api/v1/hugs",
        alice.token(),
        Some(&hug),
    )
    .await;
    eprintln!(
        "POST /api/v1/hugs while PostgreSQL is down: {} in {took:?}",
        reply.status
    );
    assert_unavailable("POST /api/v1/hugs", &reply, took);
    let (reply, took) = timed(
        &hub,
        Method::POST,
        "/api/v1/moods",
        bob.token(),
        Some(&mood),
    )
    .await;
    eprintln!(
        "POST /api/v1/moods while PostgreSQL is down: {} in {took:?}",
        reply.status
    );
    assert_unavailable("POST /api/v1/moods", &reply, took);
    // GraphQL with a token: the node served this account moments ago, so it knows
    // the account exists without a read (`KnownAccounts`); the operation runs and its
    // resolver's error carries the code and when to retry.
    let sign_in = json!({"query": "mutation ($to: ID!) { sendHug(input: {recipientId: $to, hugType: \"warm\"}) { id } }", "variables": {"to": bob.id}});
    let (reply, took) = timed(
        &hub,
        Method::POST,
        "/graphql",
        alice.token(),
        Some(&sign_in),
    )
    .await;
    let error = &reply.body["errors"][0]["extensions"];
    assert_eq!(
        (error["code"].as_str(), error["retryAfter"].is_u64()),
        (Some("unavailable"), true),
        "GraphQL sendHug while PostgreSQL is down: {}",
        reply.text
    );
    assert!(took < OUTAGE_ANSWER_WITHIN, "GraphQL sendHug took {took:?}");
    // Without a token the operation runs, and the resolver's error carries the code.
    let login = json!({"query": "mutation { login(input: {login: \"nobody\", password: \"whatever-it-is\"}) { accessToken } }"});
    let (reply, took) = timed(&hub, Method::POST, "/graphql", None, Some(&login)).await;
    assert_eq!(
        reply.body["errors"][0]["extensions"]["code"], "unavailable",
        "GraphQL login while PostgreSQL is down: {}",
        reply.text
    );
    assert!(took < OUTAGE_ANSWER_WITHIN, "GraphQL login took {took:?}");
    let (reply, took) = timed(&hub, Method::GET, "/readyz", None, None).await;
    eprintln!(
        "GET /readyz while PostgreSQL is down: {} in {took:?}",
        reply.status
    );
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "readyz: {}",
        reply.text
    );
    assert!(took < OUTAGE_ANSWER_WITHIN, "readyz took {took:?}");

    let again = postgres
        .run_script()
        .await
        .expect("start PostgreSQL again on the same data");
    // The hub keeps the URL it started with; a server on another port is not "back".
    assert_eq!(again, url, "PostgreSQL came back on another port");

    let back = Instant::now();
    loop {
        let (status, body) = hub.get("/readyz", None).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            back.elapsed() < RECOVERY_WITHIN,
            "readyz still {status} {body} {:?} after PostgreSQL came back",
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let reply = loop {
        let reply = hub
            .send(Method::POST, "/api/v1/hugs", alice.token(), Some(&hug))
            .await;
        if reply.status == StatusCode::CREATED || back.elapsed() >= RECOVERY_WITHIN {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "hug after: {}",
        reply.text
    );
    eprintln!("recovered {:?} after PostgreSQL came back", back.elapsed());
    let (status, body) = hub.post_json("/api/v1/moods", bob.token(), mood).await;
    assert_eq!(status, StatusCode::CREATED, "mood after: {body}");

    hub.stop().await;
    drop(postgres);
}
