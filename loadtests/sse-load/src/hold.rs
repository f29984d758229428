//! `hold`: open M streams over several processes and source addresses, hold
//! them for the duration, report connects, failures, drops, events and the
//! hub's memory / open files per stream.

use crate::fleet::{check_limits, Fleet, FleetSpec, Recv};
use crate::procfs::{sample_hub, HubSample};
use crate::target::Target;
use crate::tokens::TokenEntry;
use crate::util::{fmt_map, unix_micros};
use crate::worker::{WorkerMode, WorkerStats};
use anyhow::bail;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Most streams one run may ask for.
pub const MAX_STREAMS: usize = 200_000;
/// Streams the hub allows per user (spec default).
pub const HUB_STREAMS_PER_USER: usize = 10;

#[derive(Debug, Clone)]
pub struct HoldConfig {
    pub target: Target,
    pub tokens_file: Option<PathBuf>,
    pub streams: usize,
    pub processes: usize,
    pub in_process: bool,
    pub source_ips: Vec<IpAddr>,
    pub ramp_per_sec: f64,
    pub duration: Duration,
    pub hub_pid: Option<u32>,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    pub reconnect_delay: Duration,
    pub retry_connects: bool,
    /// No progress lines on stderr.
    pub quiet: bool,
}

/// The hub's memory and open files over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubReport {
    pub pid: u32,
    pub before: Option<HubSample>,
    /// First sample after the connected count reached its peak.
    pub at_peak: Option<HubSample>,
    pub at_end: Option<HubSample>,
    pub max_rss_kb: u64,
    pub max_fds: Option<u64>,
    /// (RSS at peak − RSS before) / peak streams.
    pub kb_per_stream: Option<f64>,
    /// (fds at peak − fds before) / peak streams.
    pub fds_per_stream: Option<f64>,
    pub errors: Vec<String>,
}

impl HubReport {
    fn new(pid: u32) -> Self {
        HubReport {
            pid,
            before: None,
            at_peak: None,
            at_end: None,
            max_rss_kb: 0,
            max_fds: None,
            kb_per_stream: None,
            fds_per_stream: None,
            errors: Vec::new(),
        }
    }

    fn sample(&mut self, at_ms: u64) -> Option<HubSample> {
        match sample_hub(self.pid, at_ms) {
            Ok(s) => {
                self.max_rss_kb = self.max_rss_kb.max(s.rss_kb);
                if let Some(f) = s.fds {
                    self.max_fds = Some(self.max_fds.map_or(f, |m| m.max(f)));
                }
                Some(s)
            }
            Err(e) => {
                if self.errors.len() < 5 {
                    self.errors
                        .push(format!("cannot read /proc/{} at {at_ms} ms: {e}", self.pid));
                }
                None
            }
        }
    }

    fn finish(&mut self, peak: u64) {
        if let (Some(b), Some(p)) = (self.before, self.at_peak) {
            if peak > 0 {
                self.kb_per_stream = Some((p.rss_kb as f64 - b.rss_kb as f64) / peak as f64);
                if let (Some(fb), Some(fp)) = (b.fds, p.fds) {
                    self.fds_per_stream = Some((fp as f64 - fb as f64) / peak as f64);
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldReport {
    pub url: String,
    pub streams: usize,
    pub tokens: usize,
    pub processes: usize,
    pub source_ips: usize,
    pub duration_s: f64,
    pub ramp_per_sec: f64,
    /// Most streams open at once (sum of the workers' counts, sampled).
    pub peak_connected: u64,
    pub peak_at_s: f64,
    /// When every stream had connected or given up.
    pub ramp_done_s: Option<f64>,
    pub connected_at_end: u64,
    /// Streams whose first connect failed and that gave up.
    pub failed_streams: u64,
    /// The workers' totals (`peak_connected` there is the sum of per-worker peaks).
    pub totals: WorkerStats,
    pub hub: Option<HubReport>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

pub async fn run_hold(cfg: HoldConfig, tokens: Arc<Vec<TokenEntry>>) -> anyhow::Result<HoldReport> {
    if cfg.streams == 0 || cfg.streams > MAX_STREAMS {
        bail!("--streams must be 1..={MAX_STREAMS}");
    }
    if tokens.is_empty() {
        bail!("no tokens");
    }
    let processes = cfg.processes.clamp(1, cfg.streams);
    let per_process = if cfg.in_process {
        cfg.streams
    } else {
        cfg.streams.div_ceil(processes)
    };
    check_limits(per_process, cfg.streams, cfg.source_ips.len())?;
    let mut warnings = Vec::new();
    let per_user = cfg.streams.div_ceil(tokens.len());
    if per_user > HUB_STREAMS_PER_USER {
        warnings.push(format!(
            "{} streams over {} tokens is up to {per_user} streams per user; the hub allows \
             {HUB_STREAMS_PER_USER} per user by default (the rest get 429 too_many_streams)",
            cfg.streams,
            tokens.len()
        ));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }

    let t0 = Instant::now();
    let ms = |t: Instant| t.duration_since(t0).as_millis() as u64;
    let mut hub = cfg.hub_pid.map(HubReport::new);
    if let Some(h) = hub.as_mut() {
        h.before = h.sample(0);
        if h.before.is_none() {
            bail!("cannot read the hub process {} in /proc", h.pid);
        }
    }

    let spec = FleetSpec {
        mode: WorkerMode::Hold,
        targets: vec![cfg.target.clone()],
        tokens_file: cfg.tokens_file.clone(),
        streams: cfg.streams,
        processes,
        in_process: cfg.in_process,
        source_ips: cfg.source_ips.clone(),
        ramp_per_sec: cfg.ramp_per_sec,
        // Workers stop by themselves shortly after the parent would stop them.
        max_runtime: cfg.duration + Duration::from_secs(10),
        connect_timeout: cfg.connect_timeout,
        idle_timeout: cfg.idle_timeout,
        reconnect_delay: cfg.reconnect_delay,
        retry_connects: cfg.retry_connects,
        run_start_micros: unix_micros(),
        progress_every: Duration::from_millis(500),
    };
    let mut fleet = Fleet::start(&spec, tokens.clone())?;
    let end = t0 + cfg.duration;
    let mut peak = 0u64;
    let mut peak_at = Duration::ZERO;
    let mut peak_unsampled = false;
    let mut ramp_done = None;
    let mut next_hub_sample = t0;
    let mut next_print = t0 + Duration::from_secs(2);
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let wake = end.min(now + Duration::from_millis(250));
        if let Recv::Closed = fleet.recv_until(wake).await {
            tokio::time::sleep_until(wake).await;
        }
        let now = Instant::now();
        let connected = fleet.connected();
        if connected > peak {
            peak = connected;
            peak_at = now.duration_since(t0);
            peak_unsampled = true;
        }
        if ramp_done.is_none() && fleet.all_ready() {
            ramp_done = Some(now.duration_since(t0));
            peak_unsampled = true;
            next_hub_sample = now;
        }
        if let Some(h) = hub.as_mut() {
            if now >= next_hub_sample {
                next_hub_sample = now + Duration::from_secs(1);
                let s = h.sample(ms(now));
                if peak_unsampled && s.is_some() {
                    h.at_peak = s;
                    peak_unsampled = false;
                }
            }
        }
        if !cfg.quiet && now >= next_print {
            next_print = now + Duration::from_secs(2);
            eprintln!(
                "[{:>6.1}s] connected {connected}/{} (peak {peak}){}",
                now.duration_since(t0).as_secs_f64(),
                cfg.streams,
                if ramp_done.is_some() { "" } else { ", ramping" }
            );
        }
        if fleet.all_final() {
            break;
        }
    }
    if let Some(h) = hub.as_mut() {
        h.at_end = h.sample(ms(Instant::now()));
        if h.at_peak.is_none() {
            h.at_peak = h.at_end;
        }
        h.finish(peak);
    }
    let connected_at_end = fleet.connected();
    let errors = fleet.stop_and_collect(Duration::from_secs(15)).await;
    let mut totals = WorkerStats::default();
    for f in fleet.finals.iter().flatten() {
        totals.merge(f);
    }
    Ok(HoldReport {
        url: cfg.target.url(),
        streams: cfg.streams,
        tokens: tokens.len(),
        processes: fleet.workers(),
        source_ips: cfg.source_ips.len(),
        duration_s: secs(cfg.duration),
        ramp_per_sec: cfg.ramp_per_sec,
        peak_connected: peak,
        peak_at_s: secs(peak_at),
        ramp_done_s: ramp_done.map(secs),
        connected_at_end,
        failed_streams: totals.gave_up,
        totals,
        hub,
        warnings,
        errors,
    })
}

impl std::fmt::Display for HoldReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = &self.totals;
        let mut s = String::new();
        let _ = writeln!(s, "== hugmood-loadgen hold: {} ==", self.url);
        let _ = writeln!(
            s,
            "plan        {} streams over {} tokens, {} process(es), {} source address(es), ramp {}/s, {} s",
            self.streams,
            self.tokens,
            self.processes,
            self.source_ips.max(1),
            self.ramp_per_sec,
            self.duration_s
        );
        let ramp = self
            .ramp_done_s
            .map_or("not finished".to_string(), |r| format!("{r:.1} s"));
        let _ = writeln!(
            s,
            "connected   peak {} at {:.1} s (ramp done: {ramp}), {} at the end",
            self.peak_connected, self.peak_at_s, self.connected_at_end
        );
        let _ = writeln!(
            s,
            "connects    {} attempts, {} ok, {} streams gave up; failures: {}",
            t.connect_attempts,
            t.connects_ok,
            self.failed_streams,
            fmt_map(&t.connect_failures)
        );
        let _ = writeln!(
            s,
            "drops       {} early ({}); {} reconnect requests, {} reconnects",
            t.dropped_early,
            fmt_map(&t.drop_reasons),
            t.reconnect_requests,
            t.reconnects
        );
        let _ = writeln!(
            s,
            "received    {} events ({}), {} heartbeats, {} comments, {} resets, {} out of order, {} parse errors, {:.1} MB",
            t.events,
            fmt_map(&t.events_by_type),
            t.heartbeats,
            t.comments,
            t.resets,
            t.out_of_order,
            t.parse_errors,
            t.bytes as f64 / 1e6
        );
        if let Some(h) = &self.hub {
            let kb =
                |x: Option<HubSample>| x.map_or("?".to_string(), |x| format!("{} KB", x.rss_kb));
            let fds = |x: Option<HubSample>| {
                x.and_then(|x| x.fds)
                    .map_or("?".to_string(), |n| n.to_string())
            };
            let _ = writeln!(
                s,
                "hub pid {}  RSS before {}, at peak {}, max {} KB, end {}; per stream {}",
                h.pid,
                kb(h.before),
                kb(h.at_peak),
                h.max_rss_kb,
                kb(h.at_end),
                h.kb_per_stream
                    .map_or("?".to_string(), |v| format!("{v:.2} KB"))
            );
            let _ = writeln!(
                s,
                "            open fds before {}, at peak {}, max {}; per stream {}",
                fds(h.before),
                fds(h.at_peak),
                h.max_fds.map_or("?".to_string(), |n| n.to_string()),
                h.fds_per_stream
                    .map_or("?".to_string(), |v| format!("{v:.2}"))
            );
            for e in &h.errors {
                let _ = writeln!(s, "            {e}");
            }
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        for e in &self.errors {
            let _ = writeln!(s, "error: {e}");
        }
        f.write_str(s.trim_end())
    }
}
