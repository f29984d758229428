//! The real `hugmood serve` binary in embedded mode (a SQLite file of its own), for
//! tests that need the process itself: its signals, its exit code or its log.

use super::{free_port, Config, TestHub};
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `hugmood serve` process, killed if the test ends before it exits.
pub struct Served {
    child: Option<Child>,
    stdout: PathBuf,
    stderr: PathBuf,
    database: PathBuf,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Starts the binary with the default configuration.
    pub async fn start() -> Self {
        Self::start_with_env(&[]).await
    }

    /// Starts the binary with these environment variables added (no other `HUGMOOD_*`
    /// of the test's own environment reaches it); returns once it answers.
    pub async fn start_with_env(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let stdout = dir.path().join("serve.out");
        let stderr = dir.path().join("serve.err");
        let database = dir.path().join("x.db");
        let mut command = Command::new(env!("CARGO_BIN_EXE_hugmood"));
        command
            .arg("serve")
            .current_dir(dir.path())
            .stdin(Stdio::null());
        for (key, _) in std::env::vars() {
            if key.starts_with("HUGMOOD_") {
                command.env_remove(key);
            }
        }
        command
            .env(
                "HUGMOOD_DATABASE_URL",
                format!("sqlite://{}", database.display()),
            )
            .env("HUGMOOD_BIND", format!("127.0.0.1:{port}"))
            .envs(env.iter().copied())
            .stdout(File::create(&stdout).expect("stdout file"))
            .stderr(File::create(&stderr).expect("stderr file"));
        let child = command.spawn().expect("start hugmood serve");
        let mut served = Self {
            child: Some(child),
            stdout,
            stderr,
            database,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if reqwest::get(format!("{}/healthz", served.base))
                .await
                .is_ok()
            {
                return served;
            }
            let exited = served
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none(),
                "serve exited early ({exited:?}): {}",
                served.stderr_text()
            );
            assert!(
                Instant::now() < deadline,
                "serve did not answer: {}",
                served.stderr_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A handle to send requests with the usual helpers (register, befriend, …).
    pub fn hub(&self) -> TestHub {
        let mut config = Config::defaults();
        config.database_url = self.database_url();
        TestHub::remote(self.base.clone(), config)
    }

    /// The URL of its SQLite file, for a second connection of the test's own.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.database.display())
    }

    /// What the process wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Its log so far (the hub logs to stdout).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn sigterm(&self) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {pid}");
    }

    pub async fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            let child = self.child.as_mut().expect("running");
            if let Some(status) = child.try_wait().expect("poll the child") {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "hugmood did not exit within {limit:?}: {}",
                self.stderr_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
