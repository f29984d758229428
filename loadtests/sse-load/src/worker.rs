//! The worker: opens a slice of SSE streams, holds them (reconnecting as the
//! policy says), counts what arrives and, in `recv` mode, matches hug frames by
//! nonce. It runs as a child process (`hugmood-loadgen worker`, JSON lines on
//! stdout) or in-process (tests, `--in-process`); the logic is the same.

use crate::hist::Histogram;
use crate::http::{self, io_reason, HttpError, SseResponse, READ_BUF};
use crate::nonce;
use crate::sse::{SseItem, SseParser};
use crate::target::Target;
use crate::tokens::TokenEntry;
use crate::util::{unix_micros, Rng};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Largest SSE line / event data accepted.
pub const MAX_SSE_LINE: usize = 256 * 1024;
/// Distinct event type names counted separately (the rest count as `other`).
const MAX_TYPES: usize = 32;
/// Longest back-off between failed reconnects.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerMode {
    /// Hold streams, count everything.
    Hold,
    /// Hold recipients' streams and match `hug_received` frames by nonce.
    Recv,
}

/// Everything a worker needs; passed to a child as one JSON argument.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerConfig {
    pub mode: WorkerMode,
    /// Worker number (0-based), echoed in its messages.
    pub index: usize,
    /// Where the streams are opened: stream i on target `i mod targets` (the
    /// nodes of a cluster share the streams by global index).
    pub targets: Vec<Target>,
    /// Tokens file the child reads (in-process workers get the tokens directly).
    pub tokens_file: Option<PathBuf>,
    /// Global stream indices `first..first + count`; stream i uses token
    /// `i mod tokens` and source address `i mod source_ips`.
    pub first: usize,
    pub count: usize,
    pub source_ips: Vec<IpAddr>,
    /// New streams per second for this worker (0 = all at once).
    pub ramp_per_sec: f64,
    /// The worker stops by itself this long after it starts.
    pub max_runtime_ms: u64,
    pub connect_timeout_ms: u64,
    /// A stream with no bytes for this long counts as dropped and reconnects.
    pub idle_timeout_ms: u64,
    /// Base reconnect delay (the server's `retry:` hint wins), jittered ×[0.5, 1.5).
    pub reconnect_delay_ms: u64,
    /// Keep retrying a stream whose first connect failed (else it gives up).
    pub retry_connects: bool,
    /// Hug nonces older than this (minus 1 s) are from another run.
    pub run_start_micros: u64,
    /// How often to report progress.
    pub progress_ms: u64,
}

/// A line a worker prints (child) or sends (in-process).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkerMsg {
    Progress(Progress),
    /// Every stream of the slice has connected or given up.
    Ready(Ready),
    /// The last message: the worker's totals.
    Final(Box<WorkerStats>),
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    pub worker: usize,
    pub elapsed_ms: u64,
    pub connected: u64,
    pub peak: u64,
    pub attempts: u64,
    pub failed: u64,
    pub events: u64,
    pub heartbeats: u64,
    pub hugs_matched: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ready {
    pub worker: usize,
    pub elapsed_ms: u64,
    pub connected: u64,
    /// Global stream indices whose first connect failed and that gave up.
    pub gave_up: Vec<usize>,
}

/// A worker's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerStats {
    pub worker: usize,
    pub streams: u64,
    pub elapsed_ms: u64,
    pub connected_at_end: u64,
    pub peak_connected: u64,
    pub connect_attempts: u64,
    pub connects_ok: u64,
    /// Streams whose first connect succeeded.
    pub initial_ok: u64,
    /// Streams that stopped trying (first connect failed, or 401/403/404).
    pub gave_up: u64,
    /// Failed connect attempts by reason (`http_429`, `refused`, `timeout`, ...).
    pub connect_failures: BTreeMap<String, u64>,
    /// Successful re-connections (after `event: reconnect` or a drop).
    pub reconnects: u64,
    /// `event: reconnect` frames received.
    pub reconnect_requests: u64,
    /// Streams that ended before the run's end without being asked to.
    pub dropped_early: u64,
    /// Why they ended (`closed`, `idle_timeout`, `reset`, ...).
    pub drop_reasons: BTreeMap<String, u64>,
    /// Events other than heartbeat / reconnect / reset.
    pub events: u64,
    pub events_by_type: BTreeMap<String, u64>,
    pub heartbeats: u64,
    pub comments: u64,
    pub resets: u64,
    pub retry_hint_ms: Option<u64>,
    /// Events whose id was not above the stream's previous id.
    pub out_of_order: u64,
    pub parse_errors: u64,
    pub bytes: u64,
    pub hugs: Option<HugRecvStats>,
}

/// What a `recv` worker saw of the hugs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HugRecvStats {
    /// `hug_received` frames.
    pub frames: u64,
    /// Frames whose nonce was seen for the first time.
    pub matched: u64,
    pub duplicates: u64,
    /// Hugs not sent by this run (no nonce, or an older one).
    pub foreign: u64,
    /// Frames on a stream of another user than the hug's recipient.
    pub misrouted: u64,
    /// Frames whose JSON could not be read.
    pub unparsable: u64,
    /// POST sent → frame read, microseconds.
    pub latency: Histogram,
    /// Sequence numbers received (sorted).
    pub received: Vec<u64>,
}

fn merge_map(a: &mut BTreeMap<String, u64>, b: &BTreeMap<String, u64>) {
    for (k, v) in b {
        *a.entry(k.clone()).or_insert(0) += v;
    }
}

impl WorkerStats {
    /// Adds another worker's totals (peaks are summed: an upper bound).
    pub fn merge(&mut self, o: &WorkerStats) {
        self.streams += o.streams;
        self.elapsed_ms = self.elapsed_ms.max(o.elapsed_ms);
        self.connected_at_end += o.connected_at_end;
        self.peak_connected += o.peak_connected;
        self.connect_attempts += o.connect_attempts;
        self.connects_ok += o.connects_ok;
        self.initial_ok += o.initial_ok;
        self.gave_up += o.gave_up;
        merge_map(&mut self.connect_failures, &o.connect_failures);
        self.reconnects += o.reconnects;
        self.reconnect_requests += o.reconnect_requests;
        self.dropped_early += o.dropped_early;
        merge_map(&mut self.drop_reasons, &o.drop_reasons);
        self.events += o.events;
        merge_map(&mut self.events_by_type, &o.events_by_type);
        self.heartbeats += o.heartbeats;
        self.comments += o.comments;
        self.resets += o.resets;
        self.retry_hint_ms = self.retry_hint_ms.or(o.retry_hint_ms);
        self.out_of_order += o.out_of_order;
        self.parse_errors += o.parse_errors;
        self.bytes += o.bytes;
        match (&mut self.hugs, &o.hugs) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.hugs = Some(b.clone()),
            _ => {}
        }
    }
}

impl HugRecvStats {
    /// Adds another worker's hug counts; `received` is concatenated (may then
    /// hold a number twice if two workers saw it).
    pub fn merge(&mut self, o: &HugRecvStats) {
        self.frames += o.frames;
        self.matched += o.matched;
        self.duplicates += o.duplicates;
        self.foreign += o.foreign;
        self.misrouted += o.misrouted;
        self.unparsable += o.unparsable;
        self.latency.merge(&o.latency);
        self.received.extend_from_slice(&o.received);
    }
}

#[derive(Default)]
struct HugState {
    frames: u64,
    matched: u64,
    duplicates: u64,
    foreign: u64,
    misrouted: u64,
    unparsable: u64,
    latency: Histogram,
    seen: HashSet<u64>,
}

#[derive(Default)]
struct Counters {
    connected: AtomicU64,
    peak: AtomicU64,
    attempts: AtomicU64,
    ok: AtomicU64,
    initial_ok: AtomicU64,
    gave_up: AtomicU64,
    failed_attempts: AtomicU64,
    reconnects: AtomicU64,
    reconnect_requests: AtomicU64,
    dropped_early: AtomicU64,
    events: AtomicU64,
    heartbeats: AtomicU64,
    comments: AtomicU64,
    resets: AtomicU64,
    retry_hint_ms: AtomicU64,
    out_of_order: AtomicU64,
    parse_errors: AtomicU64,
    bytes: AtomicU64,
    /// Streams whose first connect has not resolved yet.
    ramp_pending: AtomicU64,
    failures: Mutex<BTreeMap<String, u64>>,
    drop_reasons: Mutex<BTreeMap<String, u64>>,
    types: Mutex<BTreeMap<String, u64>>,
    gave_up_idx: Mutex<Vec<usize>>,
    hugs: Mutex<HugState>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
    let mut m = lock(map);
    if let Some(v) = m.get_mut(key) {
        *v += 1;
    } else {
        m.insert(key.to_string(), 1);
    }
}

struct Ctx {
    cfg: WorkerConfig,
    tokens: Arc<Vec<TokenEntry>>,
    c: Counters,
    stop: CancellationToken,
    started: Instant,
}

impl Ctx {
    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn progress(&self) -> Progress {
        let c = &self.c;
        Progress {
            worker: self.cfg.index,
            elapsed_ms: self.elapsed_ms(),
            connected: c.connected.load(Relaxed),
            peak: c.peak.load(Relaxed),
            attempts: c.attempts.load(Relaxed),
            failed: c.failed_attempts.load(Relaxed),
            events: c.events.load(Relaxed),
            heartbeats: c.heartbeats.load(Relaxed),
            hugs_matched: lock(&c.hugs).matched,
        }
    }

    fn stats(&self) -> WorkerStats {
        let c = &self.c;
        let hugs = (self.cfg.mode == WorkerMode::Recv).then(|| {
            let h = lock(&c.hugs);
            let mut received: Vec<u64> = h.seen.iter().copied().collect();
            received.sort_unstable();
            HugRecvStats {
                frames: h.frames,
                matched: h.matched,
                duplicates: h.duplicates,
                foreign: h.foreign,
                misrouted: h.misrouted,
                unparsable: h.unparsable,
                latency: h.latency.clone(),
                received,
            }
        });
        let hint = c.retry_hint_ms.load(Relaxed);
        WorkerStats {
            worker: self.cfg.index,
            streams: self.cfg.count as u64,
            elapsed_ms: self.elapsed_ms(),
            connected_at_end: c.connected.load(Relaxed),
            peak_connected: c.peak.load(Relaxed),
            connect_attempts: c.attempts.load(Relaxed),
            connects_ok: c.ok.load(Relaxed),
            initial_ok: c.initial_ok.load(Relaxed),
            gave_up: c.gave_up.load(Relaxed),
            connect_failures: lock(&c.failures).clone(),
            reconnects: c.reconnects.load(Relaxed),
            reconnect_requests: c.reconnect_requests.load(Relaxed),
            dropped_early: c.dropped_early.load(Relaxed),
            drop_reasons: lock(&c.drop_reasons).clone(),
            events: c.events.load(Relaxed),
            events_by_type: lock(&c.types).clone(),
            heartbeats: c.heartbeats.load(Relaxed),
            comments: c.comments.load(Relaxed),
            resets: c.resets.load(Relaxed),
            retry_hint_ms: (hint > 0).then_some(hint),
            out_of_order: c.out_of_order.load(Relaxed),
            parse_errors: c.parse_errors.load(Relaxed),
            bytes: c.bytes.load(Relaxed),
            hugs,
        }
    }
}

/// Runs one worker until `stop` is cancelled or its max runtime passes, sending
/// progress, ready and final messages on `tx`; returns the final stats too.
pub async fn run_worker(
    cfg: WorkerConfig,
    tokens: Arc<Vec<TokenEntry>>,
    stop: CancellationToken,
    tx: UnboundedSender<WorkerMsg>,
) -> WorkerStats {
    let started = Instant::now();
    let deadline = started + Duration::from_millis(cfg.max_runtime_ms);
    let progress_every = Duration::from_millis(cfg.progress_ms.max(50));
    let ctx = Arc::new(Ctx {
        c: Counters::default(),
        cfg,
        tokens,
        stop: stop.clone(),
        started,
    });
    ctx.c.ramp_pending.store(ctx.cfg.count as u64, Relaxed);
    // Nothing to open (or nowhere to open it): stop at once.
    if ctx.tokens.is_empty() || ctx.cfg.targets.is_empty() {
        ctx.c.ramp_pending.store(0, Relaxed);
        stop.cancel();
    }

    let deadline_stop = stop.clone();
    let deadline_task = tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => deadline_stop.cancel(),
            _ = deadline_stop.cancelled() => {}
        }
    });

    let ramp_ctx = ctx.clone();
    let ramp = tokio::spawn(async move {
        let ctx = ramp_ctx;
        let mut set = JoinSet::new();
        let count = ctx.cfg.count;
        let rate = ctx.cfg.ramp_per_sec;
        for k in 0..count {
            if rate > 0.0 && k > 0 {
                let due = ctx.started + Duration::from_secs_f64(k as f64 / rate);
                tokio::select! {
                    _ = tokio::time::sleep_until(due) => {}
                    _ = ctx.stop.cancelled() => {}
                }
            }
            if ctx.stop.is_cancelled() {
                ctx.c.ramp_pending.fetch_sub((count - k) as u64, Relaxed);
                break;
            }
            set.spawn(stream_task(ctx.clone(), ctx.cfg.first + k));
        }
        set
    });

    let mut ready_sent = false;
    let mut last_progress: Option<Instant> = None;
    loop {
        let stopped = tokio::select! {
            _ = stop.cancelled() => true,
            _ = tokio::time::sleep(Duration::from_millis(50)) => false,
        };
        if !ready_sent && ctx.c.ramp_pending.load(Relaxed) == 0 {
            ready_sent = true;
            let mut gave_up = lock(&ctx.c.gave_up_idx).clone();
            gave_up.sort_unstable();
            let _ = tx.send(WorkerMsg::Ready(Ready {
                worker: ctx.cfg.index,
                elapsed_ms: ctx.elapsed_ms(),
                connected: ctx.c.connected.load(Relaxed),
                gave_up,
            }));
        }
        if stopped {
            break;
        }
        if last_progress.is_none_or(|t| t.elapsed() >= progress_every) {
            last_progress = Some(Instant::now());
            let _ = tx.send(WorkerMsg::Progress(ctx.progress()));
        }
    }

    if let Ok(mut set) = ramp.await {
        while set.join_next().await.is_some() {}
    }
    deadline_task.abort();
    let stats = ctx.stats();
    let _ = tx.send(WorkerMsg::Final(Box::new(stats.clone())));
    stats
}

/// Per-stream state that survives reconnects.
struct StreamState<'a> {
    user_id: &'a str,
    last_id: Option<u64>,
    retry_hint: Option<u64>,
}

enum StreamEnd {
    Stopped,
    ReconnectAsked,
    Dropped(String),
}

async fn stream_task(ctx: Arc<Ctx>, idx: usize) {
    let c = &ctx.c;
    let tok = &ctx.tokens[idx % ctx.tokens.len()];
    let ips = &ctx.cfg.source_ips;
    let source = (!ips.is_empty()).then(|| ips[idx % ips.len()]);
    let target = &ctx.cfg.targets[idx % ctx.cfg.targets.len()];
    let mut buf = vec![0u8; READ_BUF].into_boxed_slice();
    let mut parser = SseParser::new(MAX_SSE_LINE);
    let mut st = StreamState {
        user_id: &tok.user_id,
        last_id: None,
        retry_hint: None,
    };
    let base = Duration::from_millis(ctx.cfg.reconnect_delay_ms.max(1));
    let connect_timeout = Duration::from_millis(ctx.cfg.connect_timeout_ms.max(1));
    let mut backoff = base;
    let mut rng = Rng::new(unix_micros() ^ (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut initial = true;
    loop {
        if ctx.stop.is_cancelled() {
            break;
        }
        c.attempts.fetch_add(1, Relaxed);
        let res = tokio::select! {
            biased;
            _ = ctx.stop.cancelled() => break,
            r = tokio::time::timeout(
                connect_timeout,
                http::open_sse(target, source, &tok.token, st.last_id, &mut buf),
            ) => r.unwrap_or(Err(HttpError::Timeout)),
        };
        let delay = match res {
            Ok(resp) => {
                c.ok.fetch_add(1, Relaxed);
                if initial {
                    initial = false;
                    c.initial_ok.fetch_add(1, Relaxed);
                    c.ramp_pending.fetch_sub(1, Relaxed);
                } else {
                    c.reconnects.fetch_add(1, Relaxed);
                }
                let now = c.connected.fetch_add(1, Relaxed) + 1;
                c.peak.fetch_max(now, Relaxed);
                parser.reset();
                let end = run_stream(&ctx, resp, &mut buf, &mut parser, &mut st).await;
                c.connected.fetch_sub(1, Relaxed);
                match end {
                    StreamEnd::Stopped => break,
                    StreamEnd::ReconnectAsked => {
                        c.reconnect_requests.fetch_add(1, Relaxed);
                    }
                    StreamEnd::Dropped(reason) => {
                        if ctx.stop.is_cancelled() {
                            break;
                        }
                        c.dropped_early.fetch_add(1, Relaxed);
                        bump(&c.drop_reasons, &reason);
                    }
                }
                backoff = base;
                rng.jitter(st.retry_hint.map_or(base, Duration::from_millis))
            }
            Err(e) => {
                c.failed_attempts.fetch_add(1, Relaxed);
                bump(&c.failures, &e.reason());
                let fatal = matches!(
                    e,
                    HttpError::Status {
                        code: 401 | 403 | 404
                    }
                );
                if (initial && !ctx.cfg.retry_connects) || fatal {
                    c.gave_up.fetch_add(1, Relaxed);
                    if initial {
                        initial = false;
                        lock(&c.gave_up_idx).push(idx);
                        c.ramp_pending.fetch_sub(1, Relaxed);
                    }
                    break;
                }
                let d = rng.jitter(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
                d
            }
        };
        tokio::select! {
            _ = ctx.stop.cancelled() => break,
            _ = tokio::time::sleep(delay) => {}
        }
    }
    if initial {
        c.ramp_pending.fetch_sub(1, Relaxed);
    }
}

async fn run_stream(
    ctx: &Ctx,
    resp: SseResponse,
    buf: &mut [u8],
    parser: &mut SseParser,
    st: &mut StreamState<'_>,
) -> StreamEnd {
    let SseResponse {
        mut stream,
        mut body,
        leftover,
    } = resp;
    let mut filled = leftover;
    let idle = Duration::from_millis(ctx.cfg.idle_timeout_ms.max(1));
    let recv_mode = ctx.cfg.mode == WorkerMode::Recv;
    loop {
        if filled > 0 {
            ctx.c.bytes.fetch_add(filled as u64, Relaxed);
            let now_us = if recv_mode { unix_micros() } else { 0 };
            let n = match body.decode(&mut buf[..filled]) {
                Ok(n) => n,
                Err(_) => {
                    ctx.c.parse_errors.fetch_add(1, Relaxed);
                    return StreamEnd::Dropped("bad_chunking".into());
                }
            };
            let mut reconnect = false;
            let fed = parser.feed(&buf[..n], &mut |item| {
                handle_item(ctx, st, item, now_us, &mut reconnect);
            });
            if fed.is_err() {
                ctx.c.parse_errors.fetch_add(1, Relaxed);
                return StreamEnd::Dropped("sse_too_long".into());
            }
            if reconnect {
                return StreamEnd::ReconnectAsked;
            }
            if body.is_done() {
                return StreamEnd::Dropped("closed".into());
            }
        }
        filled = tokio::select! {
            biased;
            _ = ctx.stop.cancelled() => return StreamEnd::Stopped,
            r = tokio::time::timeout(idle, stream.read(buf)) => match r {
                Err(_) => return StreamEnd::Dropped("idle_timeout".into()),
                Ok(Ok(0)) => return StreamEnd::Dropped("closed".into()),
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return StreamEnd::Dropped(io_reason(&e)),
            },
        };
    }
}

fn handle_item(
    ctx: &Ctx,
    st: &mut StreamState<'_>,
    item: SseItem<'_>,
    now_us: u64,
    reconnect: &mut bool,
) {
    let c = &ctx.c;
    match item {
        SseItem::Comment(_) => {
            c.comments.fetch_add(1, Relaxed);
        }
        SseItem::Retry(ms) => {
            st.retry_hint = Some(ms);
            c.retry_hint_ms.store(ms, Relaxed);
        }
        SseItem::Event(ev) => match ev.event {
            b"heartbeat" | b"reconnect" => {
                if ev.event == b"heartbeat" {
                    c.heartbeats.fetch_add(1, Relaxed);
                } else {
                    *reconnect = true;
                }
                if let Some(id) = ev.id_u64() {
                    st.last_id = Some(st.last_id.map_or(id, |l| l.max(id)));
                }
            }
            b"reset" => {
                c.resets.fetch_add(1, Relaxed);
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Reset {
                    last_id: Option<u64>,
                }
                let from_data = serde_json::from_slice::<Reset>(ev.data)
                    .ok()
                    .and_then(|r| r.last_id);
                if let Some(id) = ev.id_u64().or(from_data) {
                    st.last_id = Some(id);
                }
            }
            kind => {
                c.events.fetch_add(1, Relaxed);
                count_type(c, kind);
                if let Some(id) = ev.id_u64() {
                    if st.last_id.is_some_and(|last| id <= last) {
                        c.out_of_order.fetch_add(1, Relaxed);
                    } else {
                        st.last_id = Some(id);
                    }
                }
                if kind == b"hug_received" && ctx.cfg.mode == WorkerMode::Recv {
                    on_hug(ctx, st.user_id, ev.data, now_us);
                }
            }
        },
    }
}

fn count_type(c: &Counters, kind: &[u8]) {
    let name = std::str::from_utf8(kind).unwrap_or("other");
    let mut m = lock(&c.types);
    if let Some(v) = m.get_mut(name) {
        *v += 1;
    } else if m.len() < MAX_TYPES {
        m.insert(name.to_string(), 1);
    } else {
        *m.entry("other".to_string()).or_insert(0) += 1;
    }
}

/// The event JSON of a `hug_received` frame: `{id, type, data: <hug>, createdAt}`.
/// The hug's fields are also looked for at the top level, in case a hub sends
/// the hug itself as the data.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HugFrame<'a> {
    #[serde(borrow, default)]
    data: Option<HugBody<'a>>,
    #[serde(borrow, default)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    recipient_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HugBody<'a> {
    #[serde(borrow, default)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    recipient_id: Option<Cow<'a, str>>,
}

/// A hug frame's nonce `(seq, sent micros)` and recipient id.
pub type HugFields = (Option<(u64, u64)>, Option<String>);

/// Reads a hug frame's nonce and recipient.
pub fn hug_nonce_and_recipient(data: &[u8]) -> Result<HugFields, serde_json::Error> {
    let f: HugFrame<'_> = serde_json::from_slice(data)?;
    let (message, recipient) = match f.data {
        Some(HugBody {
            message: Some(m),
            recipient_id,
        }) => (Some(m), recipient_id),
        _ => (f.message, f.recipient_id),
    };
    Ok((
        message.as_deref().and_then(nonce::parse),
        recipient.map(Cow::into_owned),
    ))
}

fn on_hug(ctx: &Ctx, user_id: &str, data: &[u8], now_us: u64) {
    let parsed = hug_nonce_and_recipient(data);
    let mut h = lock(&ctx.c.hugs);
    h.frames += 1;
    let (nonce, recipient) = match parsed {
        Ok(p) => p,
        Err(_) => {
            h.unparsable += 1;
            return;
        }
    };
    let Some((seq, sent_us)) = nonce else {
        h.foreign += 1;
        return;
    };
    if sent_us.saturating_add(1_000_000) < ctx.cfg.run_start_micros {
        h.foreign += 1;
        return;
    }
    if recipient.is_some_and(|r| r != user_id) {
        h.misrouted += 1;
    }
    if h.seen.insert(seq) {
        h.matched += 1;
        h.latency.record(now_us.saturating_sub(sent_us));
    } else {
        h.duplicates += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hug_frames_are_read_from_the_envelope_or_the_top() {
        let env = br#"{"id":7,"type":"hug_received","data":{"id":"h1","senderId":"s","recipientId":"r1","hugType":"warm","message":"lg:5:1700000000000000","sentAt":"x","status":"delivered"},"createdAt":"x"}"#;
        let (nonce, recipient) = hug_nonce_and_recipient(env).expect("json");
        assert_eq!(nonce, Some((5, 1_700_000_000_000_000)));
        assert_eq!(recipient.as_deref(), Some("r1"));

        let flat = br#"{"id":"h1","recipientId":"r2","message":"lg:6:1\u0030"}"#;
        let (nonce, recipient) = hug_nonce_and_recipient(flat).expect("json");
        assert_eq!(nonce, Some((6, 10)));
        assert_eq!(recipient.as_deref(), Some("r2"));

        let other = br#"{"id":1,"type":"hug_received","data":{"message":null}}"#;
        assert_eq!(hug_nonce_and_recipient(other).expect("json").0, None);
        assert!(hug_nonce_and_recipient(b"not json").is_err());
    }

    #[test]
    fn messages_round_trip_as_json_lines() {
        let msg = WorkerMsg::Final(Box::new(WorkerStats {
            worker: 3,
            hugs: Some(HugRecvStats {
                received: vec![1, 2, 3],
                ..Default::default()
            }),
            ..Default::default()
        }));
        let line = serde_json::to_string(&msg).expect("ser");
        assert!(line.starts_with(r#"{"kind":"final""#), "{line}");
        assert!(!line.contains('\n'));
        match serde_json::from_str::<WorkerMsg>(&line).expect("de") {
            WorkerMsg::Final(s) => assert_eq!(s.hugs.map(|h| h.received), Some(vec![1, 2, 3])),
            other => panic!("unexpected {other:?}"),
        }
        let ready = serde_json::to_string(&WorkerMsg::Ready(Ready::default())).expect("ser");
        assert!(matches!(
            serde_json::from_str::<WorkerMsg>(&ready).expect("de"),
            WorkerMsg::Ready(_)
        ));
    }
}
