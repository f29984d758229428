//! `login-flood`: many clients at once sending logins with wrong passwords for a
//! while, as an attacker guessing passwords would. Reports the answers by status,
//! their latency and (with `--hub-pid`) the hub's peak resident memory, so a run
//! shows that a flood costs the hub bounded memory and CPU. Run `hugs` beside it to
//! see what a legitimate user's deliveries cost meanwhile.

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::hist::{Histogram, LatencySummary};
use crate::http::PostConn;
use crate::procfs;
use crate::target::Target;

/// How often the hub's memory is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(200);

#[derive(Debug, Clone)]
pub struct FloodConfig {
    pub target: Target,
    /// Clients sending at once, each on its own keep-alive connection.
    pub concurrency: usize,
    pub duration: Duration,
    /// Login names tried, round-robin by client.
    pub logins: Vec<String>,
    pub post_timeout: Duration,
    pub hub_pid: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct FloodReport {
    pub mode: &'static str,
    pub concurrency: usize,
    pub duration_s: f64,
    pub attempts: u64,
    pub attempts_per_sec: f64,
    /// Answers by HTTP status (`401` wrong password, `429` rate limited, `503` busy),
    /// or by failure (`timeout`, `refused`, ...).
    pub answers: BTreeMap<String, u64>,
    pub latency: LatencySummary,
    /// The hub's VmRSS before the flood and at its highest during it, in MB.
    pub hub_rss_before_mb: Option<f64>,
    pub hub_rss_peak_mb: Option<f64>,
}

impl std::fmt::Display for FloodReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "login flood: {} clients for {:.1} s, {} attempts ({:.0}/s)",
            self.concurrency, self.duration_s, self.attempts, self.attempts_per_sec
        )?;
        writeln!(f, "answers: {}", crate::util::fmt_map(&self.answers))?;
        writeln!(f, "latency: {}", self.latency)?;
        if let (Some(before), Some(peak)) = (self.hub_rss_before_mb, self.hub_rss_peak_mb) {
            writeln!(f, "hub RSS: {before:.1} MB before, {peak:.1} MB at peak")?;
        }
        Ok(())
    }
}

fn rss_mb(pid: u32) -> Option<f64> {
    procfs::vm_rss_kb(pid).ok().map(|kb| kb as f64 / 1024.0)
}

pub async fn run_flood(cfg: FloodConfig) -> anyhow::Result<FloodReport> {
    anyhow::ensure!(!cfg.logins.is_empty(), "--login names at least one user");
    let started = Instant::now();
    let deadline = started + cfg.duration;
    let answers = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let latency = Arc::new(Mutex::new(Histogram::new()));
    let attempts = Arc::new(AtomicU64::new(0));
    let rss_before = cfg.hub_pid.and_then(rss_mb);
    let peak = Arc::new(Mutex::new(rss_before));
    let sampler = cfg.hub_pid.map(|pid| {
        let peak = peak.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                if let Some(now) = rss_mb(pid) {
                    let mut peak = peak.lock().expect("peak");
                    *peak = Some(peak.map_or(now, |p: f64| p.max(now)));
                }
                tokio::time::sleep(SAMPLE_EVERY).await;
            }
        })
    });
    let clients = (0..cfg.concurrency).map(|i| {
        let (answers, latency, attempts) = (answers.clone(), latency.clone(), attempts.clone());
        let login = cfg.logins[i % cfg.logins.len()].clone();
        let (target, timeout) = (cfg.target.clone(), cfg.post_timeout);
        tokio::spawn(async move {
            let mut conn = PostConn::new(target, None);
            let mut mine = Histogram::new();
            let mut guess = 0u64;
            while Instant::now() < deadline {
                guess += 1;
                let body =
                    serde_json::json!({"login": login, "password": format!("wrong-{i}-{guess}")});
                let body = serde_json::to_vec(&body).expect("JSON");
                let sent = Instant::now();
                let answer = conn
                    .post_json("/api/v1/auth/login", "", &body, timeout)
                    .await
                    .map_or_else(|e| e.reason(), |status| status.to_string());
                mine.record(sent.elapsed().as_micros() as u64);
                attempts.fetch_add(1, Ordering::Relaxed);
                *answers.lock().expect("answers").entry(answer).or_default() += 1;
            }
            latency.lock().expect("latency").merge(&mine);
        })
    });
    let clients: Vec<_> = clients.collect();
    for client in clients {
        client.await?;
    }
    if let Some(sampler) = sampler {
        sampler.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let attempts = attempts.load(Ordering::Relaxed);
    let answers = std::mem::take(&mut *answers.lock().expect("answers"));
    let latency = latency.lock().expect("latency").summary();
    let hub_rss_peak_mb = *peak.lock().expect("peak");
    Ok(FloodReport {
        mode: "login-flood",
        concurrency: cfg.concurrency,
        duration_s: elapsed,
        attempts,
        attempts_per_sec: attempts as f64 / elapsed.max(1e-9),
        answers,
        latency,
        hub_rss_before_mb: rss_before,
        hub_rss_peak_mb,
    })
}
