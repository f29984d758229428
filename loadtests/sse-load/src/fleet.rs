//! A set of workers holding one block of streams between them: splits the
//! block, starts the workers (processes or tasks), tracks their messages.

use crate::procfs;
use crate::spawn::{Tagged, WorkerHandle};
use crate::target::Target;
use crate::tokens::TokenEntry;
use crate::worker::{Progress, Ready, WorkerConfig, WorkerMode, WorkerStats};
use anyhow::{bail, Context};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::time::Instant;

/// File descriptors kept free in each process besides the streams.
pub const FD_RESERVE: u64 = 100;

#[derive(Debug, Clone)]
pub struct FleetSpec {
    pub mode: WorkerMode,
    /// Where the streams are opened, round-robin by global stream index.
    pub targets: Vec<Target>,
    /// The tokens file, re-read by child workers.
    pub tokens_file: Option<PathBuf>,
    /// Streams in all (global indices `0..streams`).
    pub streams: usize,
    pub processes: usize,
    /// Run workers as tasks of this process instead of child processes.
    pub in_process: bool,
    pub source_ips: Vec<IpAddr>,
    /// New streams per second, all workers together (0 = no ramp).
    pub ramp_per_sec: f64,
    pub max_runtime: Duration,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    pub reconnect_delay: Duration,
    pub retry_connects: bool,
    pub run_start_micros: u64,
    pub progress_every: Duration,
}

/// `(first, count)` of each worker's slice of `total` streams.
pub fn split(total: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.max(1).min(total.max(1));
    let (base, rem) = (total / parts, total % parts);
    let mut first = 0;
    (0..parts)
        .map(|k| {
            let count = base + usize::from(k < rem);
            let slice = (first, count);
            first += count;
            slice
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// Refuses plans this machine cannot carry: more sockets per process than the
/// open-files limit allows, or more per source address than there are ports.
pub fn check_limits(
    per_process: usize,
    sockets_total: usize,
    source_ips: usize,
) -> anyhow::Result<()> {
    if let Some(limit) = procfs::nofile_soft_limit() {
        if per_process as u64 + FD_RESERVE > limit {
            bail!(
                "{per_process} sockets in one process exceed the open-files limit ({limit}, \
                 {FD_RESERVE} kept in reserve): use more --processes"
            );
        }
    }
    if let Some(ports) = procfs::ephemeral_ports() {
        let per_ip = sockets_total.div_ceil(source_ips.max(1)) as u64;
        if per_ip > ports.saturating_sub(1000) {
            bail!(
                "{per_ip} sockets per source address exceed the ephemeral port range \
                 ({ports} ports, 1000 kept in reserve): add --source-ips (e.g. 127.0.0.2-127.0.0.9)"
            );
        }
    }
    Ok(())
}

pub enum Recv {
    Msg,
    Timeout,
    /// Every worker is gone.
    Closed,
}

pub struct Fleet {
    handles: Vec<WorkerHandle>,
    rx: UnboundedReceiver<Tagged>,
    pub latest: Vec<Progress>,
    pub ready: Vec<Option<Ready>>,
    pub finals: Vec<Option<WorkerStats>>,
}

impl Fleet {
    /// Starts the workers. `exe` is this program (for child workers).
    pub fn start(spec: &FleetSpec, tokens: Arc<Vec<TokenEntry>>) -> anyhow::Result<Fleet> {
        if spec.targets.is_empty() {
            bail!("no target to open the streams on");
        }
        let slices = split(spec.streams, spec.processes);
        let n = slices.len().max(1);
        let (tx, rx) = mpsc::unbounded_channel();
        let exe = if spec.in_process {
            None
        } else {
            Some(std::env::current_exe().context("cannot find this program to start workers")?)
        };
        let mut handles = Vec::with_capacity(n);
        for (index, (first, count)) in slices.into_iter().enumerate() {
            let cfg = WorkerConfig {
                mode: spec.mode,
                index,
                targets: spec.targets.clone(),
                tokens_file: spec.tokens_file.clone(),
                first,
                count,
                source_ips: spec.source_ips.clone(),
                ramp_per_sec: spec.ramp_per_sec / n as f64,
                max_runtime_ms: spec.max_runtime.as_millis() as u64,
                connect_timeout_ms: spec.connect_timeout.as_millis() as u64,
                idle_timeout_ms: spec.idle_timeout.as_millis() as u64,
                reconnect_delay_ms: spec.reconnect_delay.as_millis() as u64,
                retry_connects: spec.retry_connects,
                run_start_micros: spec.run_start_micros,
                progress_ms: spec.progress_every.as_millis() as u64,
            };
            let handle = match &exe {
                None => WorkerHandle::in_process(cfg, tokens.clone(), tx.clone()),
                Some(exe) => WorkerHandle::spawn_child(exe, &cfg, tx.clone())?,
            };
            handles.push(handle);
        }
        let n = handles.len();
        Ok(Fleet {
            handles,
            rx,
            latest: vec![Progress::default(); n],
            ready: vec![None; n],
            finals: vec![None; n],
        })
    }

    pub fn workers(&self) -> usize {
        self.handles.len()
    }

    /// Streams connected now, summed over the workers' latest reports.
    pub fn connected(&self) -> u64 {
        self.latest.iter().map(|p| p.connected).sum()
    }

    pub fn hugs_matched(&self) -> u64 {
        self.latest.iter().map(|p| p.hugs_matched).sum()
    }

    pub fn all_ready(&self) -> bool {
        self.ready
            .iter()
            .zip(&self.finals)
            .all(|(r, f)| r.is_some() || f.is_some())
    }

    pub fn all_final(&self) -> bool {
        self.finals.iter().all(Option::is_some)
    }

    /// Global indices of streams that gave up at their first connect.
    pub fn gave_up(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .ready
            .iter()
            .flatten()
            .flat_map(|r| r.gave_up.iter().copied())
            .collect();
        v.sort_unstable();
        v
    }

    fn apply(&mut self, (k, msg): Tagged) {
        use crate::worker::WorkerMsg;
        let Some(slot) = self.latest.get_mut(k) else {
            return;
        };
        match msg {
            WorkerMsg::Progress(p) => *slot = p,
            WorkerMsg::Ready(r) => {
                slot.connected = r.connected;
                self.ready[k] = Some(r);
            }
            WorkerMsg::Final(s) => {
                slot.connected = 0;
                self.finals[k] = Some(*s);
            }
        }
    }

    /// Takes the next message, waiting until `until` at most.
    pub async fn recv_until(&mut self, until: Instant) -> Recv {
        match tokio::time::timeout_at(until, self.rx.recv()).await {
            Ok(Some(m)) => {
                self.apply(m);
                Recv::Msg
            }
            Ok(None) => Recv::Closed,
            Err(_) => Recv::Timeout,
        }
    }

    /// Waits (until `until`) for every worker to be ready; false on timeout.
    pub async fn wait_ready(&mut self, until: Instant) -> bool {
        while !self.all_ready() {
            match self.recv_until(until).await {
                Recv::Msg => {}
                Recv::Timeout => return false,
                Recv::Closed => return self.all_ready(),
            }
        }
        true
    }

    /// Stops every worker and gathers their final stats (waiting `grace` at
    /// most); returns the problems seen (workers that had to be killed, or
    /// sent no stats).
    pub async fn stop_and_collect(&mut self, grace: Duration) -> Vec<String> {
        for h in &mut self.handles {
            h.stop().await;
        }
        let until = Instant::now() + grace;
        while !self.all_final() {
            match self.recv_until(until).await {
                Recv::Msg => {}
                Recv::Timeout | Recv::Closed => break,
            }
        }
        let mut problems = Vec::new();
        for h in &mut self.handles {
            let left = until
                .saturating_duration_since(Instant::now())
                .max(Duration::from_secs(1));
            if let Some(p) = h.finish(left).await {
                problems.push(p);
            }
        }
        // Messages that raced the exit.
        while let Ok(m) = self.rx.try_recv() {
            self.apply(m);
        }
        for (k, f) in self.finals.iter().enumerate() {
            if f.is_none() {
                problems.push(format!("worker {k} sent no final stats"));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_evenly() {
        assert_eq!(split(10, 3), vec![(0, 4), (4, 3), (7, 3)]);
        assert_eq!(
            split(18_000, 4),
            vec![(0, 4500), (4500, 4500), (9000, 4500), (13_500, 4500)]
        );
        assert_eq!(split(2, 4), vec![(0, 1), (1, 1)]);
        assert_eq!(split(5, 0), vec![(0, 5)]);
        assert!(split(0, 3).is_empty());
    }

    #[test]
    fn limits_refuse_too_many_per_process() {
        assert!(check_limits(10, 10, 1).is_ok());
        if procfs::nofile_soft_limit().is_some_and(|l| l < 10_000_000) {
            assert!(check_limits(10_000_000, 10, 1).is_err());
        }
        if procfs::ephemeral_ports().is_some() {
            assert!(check_limits(10, 10_000_000, 1).is_err());
            assert!(check_limits(10, 100_000, 8).is_ok());
        }
    }
}
