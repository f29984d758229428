//! `hugs`: end-to-end latency and loss. Receivers (workers, usually child
//! processes) hold one stream per recipient; senders in this process POST
//! hugs at a fixed rate, each message a nonce `lg:<seq>:<send unix micros>`;
//! receivers match `hug_received` frames by nonce. Same machine, so the
//! senders' and receivers' wall clocks agree. Against a cluster, the POSTs and
//! the streams may go to different nodes (`--url` / `--stream-url`), so every
//! hug's latency includes the hop between them.

use crate::fleet::{check_limits, Fleet, FleetSpec, Recv};
use crate::hist::{Histogram, LatencySummary};
use crate::http::PostConn;
use crate::nonce;
use crate::procfs::{sample_hub, HubSample};
use crate::target::{fmt_targets, Target};
use crate::tokens::TokenEntry;
use crate::util::{fmt_map, unix_micros};
use crate::worker::{HugRecvStats, WorkerMode, WorkerStats};
use anyhow::bail;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub const MAX_RATE: f64 = 100_000.0;
pub const MAX_CONCURRENCY: usize = 1024;
/// The hub's default per-sender limit (hugs per minute).
pub const HUB_DEFAULT_HUGS_PER_MINUTE: f64 = 30.0;

#[derive(Debug, Clone)]
pub struct HugsConfig {
    /// Where the POSTs go: sender connection k uses target `k mod n`.
    pub send_targets: Vec<Target>,
    /// Where the recipients' streams are opened: recipient i on target `i mod n`.
    pub stream_targets: Vec<Target>,
    pub tokens_file: Option<PathBuf>,
    /// Recipients: the first R tokens of the file.
    pub recipients: usize,
    /// Senders: the next S tokens (default: all the rest).
    pub senders: Option<usize>,
    pub processes: usize,
    pub in_process: bool,
    pub source_ips: Vec<IpAddr>,
    pub ramp_per_sec: f64,
    /// Hugs per second, all senders together.
    pub rate: f64,
    pub duration: Duration,
    /// POSTs in flight at most (= sender connections).
    pub concurrency: usize,
    /// Wait for late frames after the last POST.
    pub drain: Duration,
    pub ready_timeout: Duration,
    pub post_timeout: Duration,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    pub reconnect_delay: Duration,
    pub hug_type: String,
    pub hub_pid: Option<u32>,
    pub quiet: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HugsReport {
    /// The send targets, comma-separated (as `--url` was given).
    pub url: String,
    /// Where the POSTs went (round-robin over the sender connections).
    #[serde(default)]
    pub send_targets: Vec<String>,
    /// Where the recipients' streams were opened (round-robin by recipient).
    #[serde(default)]
    pub stream_targets: Vec<String>,
    pub recipients: usize,
    /// Recipients whose stream connected (hugs go to these only).
    pub recipients_connected: usize,
    pub senders: usize,
    pub processes: usize,
    pub target_rate: f64,
    pub duration_s: f64,
    /// From the first POST until the last one finished.
    pub send_s: f64,
    pub drain_s: f64,
    pub concurrency: usize,
    /// POSTs made.
    pub attempted: u64,
    /// POSTs answered 201.
    pub sent: u64,
    /// Failed POSTs by reason (`http_429`, `timeout`, ...).
    pub post_errors: BTreeMap<String, u64>,
    /// 201s per second over the send phase.
    pub achieved_rate: f64,
    /// POSTs that started more than 100 ms behind schedule.
    pub late_sends: u64,
    /// Hugs the plan had due within the duration that were never sent, because every
    /// sender connection was still waiting on the hub when the duration ran out.
    #[serde(default)]
    pub not_sent: u64,
    /// Sender connections opened (keep-alive: about `concurrency`).
    pub post_connects: u64,
    /// `hug_received` frames read.
    pub frames: u64,
    /// Hugs answered 201 and seen on the recipient's stream.
    pub received: u64,
    /// Hugs answered 201 and never seen.
    pub lost: u64,
    /// A few lost sequence numbers, for digging.
    pub lost_sample: Vec<u64>,
    pub duplicates: u64,
    /// Frames for POSTs that did not get a 201 (timed out, say).
    pub unconfirmed: u64,
    pub foreign: u64,
    pub misrouted: u64,
    pub unparsable: u64,
    pub out_of_order: u64,
    /// POST sent → frame read.
    pub latency_e2e: LatencySummary,
    /// POST sent → 201 read.
    pub latency_post: LatencySummary,
    /// The receivers' stream totals.
    pub streams: WorkerStats,
    pub hub_before: Option<HubSample>,
    pub hub_after: Option<HubSample>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

struct SendShared {
    start: Instant,
    end: Instant,
    rate: f64,
    next: AtomicU64,
    recipients: Vec<TokenEntry>,
    senders: Vec<TokenEntry>,
    hug_type: String,
    post_timeout: Duration,
    attempted: AtomicU64,
    late: AtomicU64,
    connects: AtomicU64,
    ok: Mutex<Vec<u64>>,
    errors: Mutex<BTreeMap<String, u64>>,
    post_latency: Mutex<Histogram>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn sender_task(sh: Arc<SendShared>, target: Target, source: Option<IpAddr>) {
    let mut conn = PostConn::new(target, source);
    let (nr, ns) = (sh.recipients.len() as u64, sh.senders.len() as u64);
    loop {
        let seq = sh.next.fetch_add(1, Relaxed);
        let due = sh.start + Duration::from_secs_f64(seq as f64 / sh.rate);
        if due >= sh.end {
            break;
        }
        tokio::time::sleep_until(due).await;
        // A hub slower than the plan leaves a backlog of due hugs: the run ends at
        // `--duration` anyway, and what was never sent is reported, not sent late.
        if Instant::now() >= sh.end {
            break;
        }
        if Instant::now() > due + Duration::from_millis(100) {
            sh.late.fetch_add(1, Relaxed);
        }
        let recipient = &sh.recipients[(seq % nr) as usize];
        let mut sender = &sh.senders[(seq % ns) as usize];
        if sender.user_id == recipient.user_id {
            sender = &sh.senders[((seq + 1) % ns) as usize];
        }
        let sent_us = unix_micros();
        let body = serde_json::json!({
            "recipientId": recipient.user_id,
            "hugType": sh.hug_type,
            "message": nonce::encode(seq, sent_us),
        })
        .to_string();
        let t = Instant::now();
        let res = conn
            .post_json(
                "/api/v1/hugs",
                &sender.token,
                body.as_bytes(),
                sh.post_timeout,
            )
            .await;
        let took = t.elapsed().as_micros() as u64;
        sh.attempted.fetch_add(1, Relaxed);
        match res {
            Ok(201) => {
                lock(&sh.ok).push(seq);
                lock(&sh.post_latency).record(took);
            }
            Ok(code) => *lock(&sh.errors).entry(format!("http_{code}")).or_insert(0) += 1,
            Err(e) => *lock(&sh.errors).entry(e.reason()).or_insert(0) += 1,
        }
    }
    sh.connects.fetch_add(conn.connects, Relaxed);
}

pub async fn run_hugs(cfg: HugsConfig, tokens: Arc<Vec<TokenEntry>>) -> anyhow::Result<HugsReport> {
    if cfg.recipients == 0 {
        bail!("--recipients must be at least 1");
    }
    if cfg.recipients >= tokens.len() {
        bail!(
            "{} tokens are not enough for {} recipients plus at least one sender",
            tokens.len(),
            cfg.recipients
        );
    }
    if !(cfg.rate > 0.0 && cfg.rate <= MAX_RATE) {
        bail!("--rate must be in (0, {MAX_RATE}]");
    }
    if cfg.concurrency == 0 || cfg.concurrency > MAX_CONCURRENCY {
        bail!("--concurrency must be 1..={MAX_CONCURRENCY}");
    }
    if cfg.send_targets.is_empty() || cfg.stream_targets.is_empty() {
        bail!("hugs needs at least one send target and one stream target");
    }
    let available = tokens.len() - cfg.recipients;
    let n_senders = cfg.senders.unwrap_or(available).min(available).max(1);
    let processes = cfg.processes.clamp(1, cfg.recipients);
    let per_process = if cfg.in_process {
        cfg.recipients + cfg.concurrency
    } else {
        cfg.recipients.div_ceil(processes).max(cfg.concurrency)
    };
    check_limits(
        per_process,
        cfg.recipients + cfg.concurrency,
        cfg.source_ips.len(),
    )?;
    let mut warnings = idle_target_warnings(&cfg);
    let per_sender_minute = cfg.rate * 60.0 / n_senders as f64;
    if per_sender_minute > HUB_DEFAULT_HUGS_PER_MINUTE {
        warnings.push(format!(
            "{per_sender_minute:.0} hugs per minute per sender is above the hub's default limit \
             ({HUB_DEFAULT_HUGS_PER_MINUTE}); start the hub with HUGMOOD_HUG_RATE_PER_MINUTE raised \
             or expect 429s"
        ));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }

    let t0 = Instant::now();
    let hub_before = cfg.hub_pid.and_then(|p| sample_hub(p, 0).ok());
    let run_start_micros = unix_micros();
    let spec = FleetSpec {
        mode: WorkerMode::Recv,
        targets: cfg.stream_targets.clone(),
        tokens_file: cfg.tokens_file.clone(),
        streams: cfg.recipients,
        processes,
        in_process: cfg.in_process,
        source_ips: cfg.source_ips.clone(),
        ramp_per_sec: cfg.ramp_per_sec,
        max_runtime: cfg.ready_timeout
            + cfg.duration
            + cfg.drain
            + cfg.post_timeout
            + Duration::from_secs(15),
        connect_timeout: cfg.connect_timeout,
        idle_timeout: cfg.idle_timeout,
        reconnect_delay: cfg.reconnect_delay,
        // A recipient without a stream would only add "lost" hugs: leave it out.
        retry_connects: false,
        run_start_micros,
        progress_every: Duration::from_millis(200),
    };
    let mut fleet = Fleet::start(&spec, tokens.clone())?;
    let mut errors = Vec::new();
    if !fleet.wait_ready(Instant::now() + cfg.ready_timeout).await {
        errors.push(format!(
            "receivers not ready after {} s; sending anyway",
            cfg.ready_timeout.as_secs()
        ));
    }
    let gave_up: HashSet<usize> = fleet.gave_up().into_iter().collect();
    let recipients: Vec<TokenEntry> = (0..cfg.recipients)
        .filter(|i| !gave_up.contains(i))
        .map(|i| tokens[i].clone())
        .collect();
    if !cfg.quiet {
        eprintln!(
            "[{:>6.1}s] receivers: {}/{} streams connected; sending {} hugs/s for {} s",
            t0.elapsed().as_secs_f64(),
            recipients.len(),
            cfg.recipients,
            cfg.rate,
            cfg.duration.as_secs_f64()
        );
    }
    if recipients.is_empty() {
        errors.extend(fleet.stop_and_collect(Duration::from_secs(10)).await);
        bail!(
            "no recipient stream connected ({}); is the hub running at {}?",
            errors.join("; "),
            fmt_targets(&cfg.stream_targets)
        );
    }

    let start = Instant::now() + Duration::from_millis(20);
    let shared = Arc::new(SendShared {
        start,
        end: start + cfg.duration,
        rate: cfg.rate,
        next: AtomicU64::new(0),
        recipients,
        senders: tokens[cfg.recipients..cfg.recipients + n_senders].to_vec(),
        hug_type: cfg.hug_type.clone(),
        post_timeout: cfg.post_timeout,
        attempted: AtomicU64::new(0),
        late: AtomicU64::new(0),
        connects: AtomicU64::new(0),
        ok: Mutex::new(Vec::new()),
        errors: Mutex::new(BTreeMap::new()),
        post_latency: Mutex::new(Histogram::new()),
    });
    let mut senders = tokio::task::JoinSet::new();
    for k in 0..cfg.concurrency {
        let source = (!cfg.source_ips.is_empty()).then(|| cfg.source_ips[k % cfg.source_ips.len()]);
        let target = cfg.send_targets[k % cfg.send_targets.len()].clone();
        senders.spawn(sender_task(shared.clone(), target, source));
    }
    let mut next_print = Instant::now() + Duration::from_secs(2);
    loop {
        tokio::select! {
            r = senders.join_next() => if r.is_none() { break },
            _ = fleet.recv_until(Instant::now() + Duration::from_millis(250)) => {}
        }
        if !cfg.quiet && Instant::now() >= next_print {
            next_print = Instant::now() + Duration::from_secs(2);
            eprintln!(
                "[{:>6.1}s] sent {} (201: {}), received {}, streams {}",
                t0.elapsed().as_secs_f64(),
                shared.attempted.load(Relaxed),
                lock(&shared.ok).len(),
                fleet.hugs_matched(),
                fleet.connected()
            );
        }
    }
    let send_s = start.elapsed().as_secs_f64();
    let sent = lock(&shared.ok).len() as u64;
    let planned = (cfg.duration.as_secs_f64() * cfg.rate).ceil() as u64;
    let not_sent = planned.saturating_sub(shared.attempted.load(Relaxed));

    // Drain: wait for the last frames (or until every 201 is matched).
    let drain_start = Instant::now();
    let drain_end = drain_start + cfg.drain;
    while fleet.hugs_matched() < sent && Instant::now() < drain_end && !fleet.all_final() {
        let wake = drain_end.min(Instant::now() + Duration::from_millis(100));
        if let Recv::Closed = fleet.recv_until(wake).await {
            break;
        }
    }
    let drain_s = drain_start.elapsed().as_secs_f64();
    let hub_after = cfg
        .hub_pid
        .and_then(|p| sample_hub(p, t0.elapsed().as_millis() as u64).ok());
    errors.extend(fleet.stop_and_collect(Duration::from_secs(15)).await);

    let mut streams = WorkerStats::default();
    for f in fleet.finals.iter().flatten() {
        streams.merge(f);
    }
    let hugs = streams.hugs.take().unwrap_or_default();
    let ok_seqs: HashSet<u64> = lock(&shared.ok).iter().copied().collect();
    let mut received_set = HashSet::with_capacity(hugs.received.len());
    let mut cross_dups = 0u64;
    for s in &hugs.received {
        if !received_set.insert(*s) {
            cross_dups += 1;
        }
    }
    let mut lost: Vec<u64> = ok_seqs
        .iter()
        .filter(|s| !received_set.contains(*s))
        .copied()
        .collect();
    lost.sort_unstable();
    let unconfirmed = received_set
        .iter()
        .filter(|s| !ok_seqs.contains(*s))
        .count() as u64;
    let received = ok_seqs.len() as u64 - lost.len() as u64;
    let HugRecvStats {
        frames,
        duplicates,
        foreign,
        misrouted,
        unparsable,
        latency,
        ..
    } = hugs;
    let post_errors = lock(&shared.errors).clone();
    let latency_post = lock(&shared.post_latency).summary();
    Ok(HugsReport {
        url: fmt_targets(&cfg.send_targets),
        send_targets: cfg.send_targets.iter().map(Target::url).collect(),
        stream_targets: cfg.stream_targets.iter().map(Target::url).collect(),
        recipients: cfg.recipients,
        recipients_connected: shared.recipients.len(),
        senders: n_senders,
        processes: fleet.workers(),
        target_rate: cfg.rate,
        duration_s: cfg.duration.as_secs_f64(),
        send_s,
        drain_s,
        concurrency: cfg.concurrency,
        attempted: shared.attempted.load(Relaxed),
        sent,
        post_errors,
        achieved_rate: if send_s > 0.0 {
            sent as f64 / send_s
        } else {
            0.0
        },
        late_sends: shared.late.load(Relaxed),
        not_sent,
        post_connects: shared.connects.load(Relaxed),
        frames,
        received,
        lost: lost.len() as u64,
        lost_sample: lost.into_iter().take(20).collect(),
        duplicates: duplicates + cross_dups,
        unconfirmed,
        foreign,
        misrouted,
        unparsable,
        out_of_order: streams.out_of_order,
        latency_e2e: latency.summary(),
        latency_post,
        streams,
        hub_before,
        hub_after,
        warnings,
        errors,
    })
}

/// Targets that round-robin leaves without traffic: fewer sender connections
/// than send targets, or fewer recipients than stream targets.
fn idle_target_warnings(cfg: &HugsConfig) -> Vec<String> {
    let mut warnings = Vec::new();
    if cfg.concurrency < cfg.send_targets.len() {
        warnings.push(format!(
            "--concurrency {} is below the {} send targets: {} of them get no POSTs",
            cfg.concurrency,
            cfg.send_targets.len(),
            cfg.send_targets.len() - cfg.concurrency
        ));
    }
    if cfg.recipients < cfg.stream_targets.len() {
        warnings.push(format!(
            "--recipients {} is below the {} stream targets: {} of them get no streams",
            cfg.recipients,
            cfg.stream_targets.len(),
            cfg.stream_targets.len() - cfg.recipients
        ));
    }
    warnings
}

impl std::fmt::Display for HugsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        let _ = writeln!(s, "== hugmood-loadgen hugs: {} ==", self.url);
        let _ = writeln!(s, "send targets   {}", self.send_targets.join(", "));
        let _ = writeln!(s, "stream targets {}", self.stream_targets.join(", "));
        let _ = writeln!(
            s,
            "plan        {} hugs/s for {} s, {} recipients ({} connected) in {} process(es), {} senders, {} in flight",
            self.target_rate,
            self.duration_s,
            self.recipients,
            self.recipients_connected,
            self.processes,
            self.senders,
            self.concurrency
        );
        let _ = writeln!(
            s,
            "sent        {} POSTs, {} × 201 in {:.1} s = {:.1}/s; errors: {}; {} late starts; {} not sent (hub behind); {} connections",
            self.attempted,
            self.sent,
            self.send_s,
            self.achieved_rate,
            fmt_map(&self.post_errors),
            self.late_sends,
            self.not_sent,
            self.post_connects
        );
        let _ = writeln!(
            s,
            "received    {} frames: {} of the 201s, LOST {}, {} duplicates, {} without a 201, {} foreign, {} misrouted, {} unreadable",
            self.frames,
            self.received,
            self.lost,
            self.duplicates,
            self.unconfirmed,
            self.foreign,
            self.misrouted,
            self.unparsable
        );
        if !self.lost_sample.is_empty() {
            let _ = writeln!(
                s,
                "            lost seqs (first {}): {:?}",
                self.lost_sample.len(),
                self.lost_sample
            );
        }
        let _ = writeln!(s, "POST→frame  {}", self.latency_e2e);
        let _ = writeln!(s, "POST        {}", self.latency_post);
        let st = &self.streams;
        let _ = writeln!(
            s,
            "streams     {} out of order, {} dropped early ({}), {} reconnects, connect failures: {}, drain {:.1} s",
            self.out_of_order,
            st.dropped_early,
            fmt_map(&st.drop_reasons),
            st.reconnects,
            fmt_map(&st.connect_failures),
            self.drain_s
        );
        if let (Some(b), Some(a)) = (self.hub_before, self.hub_after) {
            let _ = writeln!(s, "hub         RSS {} KB → {} KB", b.rss_kb, a.rss_kb);
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
