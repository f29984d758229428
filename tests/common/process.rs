//! The real `hugmood` binary as a child process: a scratch directory with its own
//! SQLite file, runs to completion with their output captured, and a served hub that
//! is killed if the test ends first.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

use super::free_port;

pub const BIN: &str = env!("CARGO_BIN_EXE_hugmood");

/// A child process that is killed if the test ends (or fails) before it exits.
pub struct Guard {
    pub child: Option<Child>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl Guard {
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running child").id()
    }

    /// Waits up to `limit` for the exit; kills the process and panics on timeout.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let child = self.child.as_mut().expect("running child");
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().expect("poll the child") {
                self.child = None;
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                self.child = None;
                panic!(
                    "hugmood did not exit within {limit:?}; stderr:\n{}",
                    self.stderr_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A temp dir holding the database, config files and the children's output.
pub struct Scratch {
    dir: TempDir,
    runs: std::cell::Cell<u32>,
}

impl Scratch {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            runs: std::cell::Cell::new(0),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.path("x.db").display())
    }

    /// The binary with `args`, no inherited `HUGMOOD_*` settings, the scratch database,
    /// and `env` on top; output goes to files in the scratch dir.
    pub fn spawn(&self, args: &[&str], env: &[(&str, String)]) -> Guard {
        let n = self.runs.get() + 1;
        self.runs.set(n);
        let stdout = self.path(&format!("run{n}.out"));
        let stderr = self.path(&format!("run{n}.err"));
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        for (key, _) in std::env::vars() {
            if key.starts_with("HUGMOOD_") {
                command.env_remove(key);
            }
        }
        command.env("HUGMOOD_DATABASE_URL", self.database_url());
        for (key, value) in env {
            command.env(key, value);
        }
        command.stdout(File::create(&stdout).expect("stdout file"));
        command.stderr(File::create(&stderr).expect("stderr file"));
        let child = command.spawn().expect("start hugmood");
        Guard {
            child: Some(child),
            stdout,
            stderr,
        }
    }

    /// Runs to completion (within 60 s): status, stdout, stderr.
    pub fn run(&self, args: &[&str], env: &[(&str, String)]) -> (ExitStatus, String, String) {
        let mut guard = self.spawn(args, env);
        let status = guard.wait(Duration::from_secs(60));
        (status, guard.stdout_text(), guard.stderr_text())
    }

    /// Starts `hugmood serve` on a free port and waits until `/healthz` answers.
    pub async fn serve(&self) -> (Guard, String) {
        let port = free_port();
        let mut guard = self.spawn(&["serve"], &[("HUGMOOD_BIND", format!("127.0.0.1:{port}"))]);
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
                assert_eq!(response.status(), reqwest::StatusCode::OK);
                return (guard, base);
            }
            let exited = guard
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none(),
                "serve exited early ({exited:?}); stderr:\n{}",
                guard.stderr_text()
            );
            assert!(
                Instant::now() < deadline,
                "serve did not answer within 10 s; stderr:\n{}",
                guard.stderr_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Sends SIGTERM and expects a clean exit (status 0) within a few seconds.
pub fn terminate(guard: &mut Guard) {
    let pid = guard.pid().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {pid} failed");
    let exit = guard.wait(Duration::from_secs(10));
    assert!(
        exit.success(),
        "serve exited with {exit:?} after SIGTERM; stderr:\n{}",
        guard.stderr_text()
    );
}

pub async fn get_json(
    base: &str,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request to the served hub");
    let status = response.status();
    (status, response.json().await.expect("JSON answer"))
}
