//! Running workers: as child processes (re-exec of this binary with the hidden
//! `worker` subcommand; JSON lines on stdout; "stop" or EOF on stdin stops it)
//! or as in-process tasks. Either way the parent gets `(worker, message)` pairs
//! on one channel.

use crate::tokens::{read_tokens, TokenEntry};
use crate::worker::{run_worker, WorkerConfig, WorkerMsg};
use anyhow::Context;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A message from worker `.0`.
pub type Tagged = (usize, WorkerMsg);

pub struct WorkerHandle {
    pub index: usize,
    inner: Inner,
}

enum Inner {
    Task {
        stop: CancellationToken,
        join: Option<JoinHandle<()>>,
    },
    Child {
        child: Box<Child>,
        stdin: Option<ChildStdin>,
        reader: Option<JoinHandle<()>>,
    },
}

impl WorkerHandle {
    /// Runs the worker as a task of this process.
    pub fn in_process(
        cfg: WorkerConfig,
        tokens: Arc<Vec<TokenEntry>>,
        out: UnboundedSender<Tagged>,
    ) -> Self {
        let index = cfg.index;
        let stop = CancellationToken::new();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let task_stop = stop.clone();
        let join = tokio::spawn(async move {
            let forward = tokio::spawn(async move {
                while let Some(msg) = rx.recv().await {
                    if out.send((index, msg)).is_err() {
                        break;
                    }
                }
            });
            run_worker(cfg, tokens, task_stop, tx).await;
            let _ = forward.await;
        });
        WorkerHandle {
            index,
            inner: Inner::Task {
                stop,
                join: Some(join),
            },
        }
    }

    /// Starts `exe worker --config <json>` as a child process.
    pub fn spawn_child(
        exe: &Path,
        cfg: &WorkerConfig,
        out: UnboundedSender<Tagged>,
    ) -> anyhow::Result<Self> {
        let index = cfg.index;
        let json = serde_json::to_string(cfg)?;
        let mut child = Command::new(exe)
            .arg("worker")
            .arg("--config")
            .arg(json)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start worker process {}", exe.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("worker stdout was not captured")?;
        let stdin = child.stdin.take();
        let reader = tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<WorkerMsg>(&line) {
                    Ok(msg) => {
                        if out.send((index, msg)).is_err() {
                            break;
                        }
                    }
                    Err(e) => eprintln!("worker {index}: unreadable line ({e}): {line:.200}"),
                }
            }
        });
        Ok(WorkerHandle {
            index,
            inner: Inner::Child {
                child: Box::new(child),
                stdin,
                reader: Some(reader),
            },
        })
    }

    /// Asks the worker to stop; it then sends its final stats.
    pub async fn stop(&mut self) {
        match &mut self.inner {
            Inner::Task { stop, .. } => stop.cancel(),
            Inner::Child { stdin, .. } => {
                if let Some(mut s) = stdin.take() {
                    let _ = s.write_all(b"stop\n").await;
                    let _ = s.flush().await;
                    // Dropping stdin closes it: EOF also means stop.
                }
            }
        }
    }

    /// Waits up to `grace` for the worker to end, then kills it. Returns a
    /// description of how a child ended when it did not exit cleanly.
    pub async fn finish(&mut self, grace: Duration) -> Option<String> {
        match &mut self.inner {
            Inner::Task { stop, join } => {
                let j = join.take()?;
                let abort = j.abort_handle();
                match tokio::time::timeout(grace, j).await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(format!("worker {} task failed: {e}", self.index)),
                    Err(_) => {
                        stop.cancel();
                        abort.abort();
                        Some(format!("worker {} did not stop in time", self.index))
                    }
                }
            }
            Inner::Child { child, reader, .. } => {
                let status = match tokio::time::timeout(grace, child.wait()).await {
                    Ok(Ok(s)) => Some(s),
                    Ok(Err(_)) => None,
                    Err(_) => {
                        let _ = child.start_kill();
                        let _ = child.wait().await;
                        if let Some(r) = reader.take() {
                            r.abort();
                        }
                        return Some(format!(
                            "worker {} did not stop in time: killed",
                            self.index
                        ));
                    }
                };
                if let Some(r) = reader.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(5), r).await;
                }
                match status {
                    Some(s) if s.success() => None,
                    Some(s) => Some(format!("worker {} exited with {s}", self.index)),
                    None => Some(format!("worker {}: wait failed", self.index)),
                }
            }
        }
    }
}

/// Body of the hidden `worker` subcommand: reads the tokens, runs, prints one
/// JSON line per message on stdout, stops on "stop"/EOF on stdin or by itself.
pub async fn worker_main(cfg: WorkerConfig) -> anyhow::Result<()> {
    let path = cfg
        .tokens_file
        .clone()
        .context("worker config has no tokens file")?;
    let tokens = Arc::new(read_tokens(&path)?);
    let stop = CancellationToken::new();
    let stdin_stop = stop.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        loop {
            match lines.next_line().await {
                Ok(Some(line)) if line.trim() != "stop" => continue,
                _ => break,
            }
        }
        stdin_stop.cancel();
    });
    let (tx, mut rx) = mpsc::unbounded_channel::<WorkerMsg>();
    let printer = tokio::spawn(async move {
        let mut out = tokio::io::stdout();
        while let Some(msg) = rx.recv().await {
            let Ok(mut line) = serde_json::to_vec(&msg) else {
                continue;
            };
            line.push(b'\n');
            if out.write_all(&line).await.is_err() || out.flush().await.is_err() {
                break;
            }
        }
    });
    run_worker(cfg, tokens, stop, tx).await;
    printer.await.context("stdout printer failed")?;
    Ok(())
}
