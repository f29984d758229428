//! `fanout`: how long one author's mood takes to reach every friend's open stream.
//!
//! The first token is the author, the next `friends` tokens are the friends (seed
//! them with `hugmood seed --users 1001 --star-friends 1000`). This process holds one
//! SSE stream per friend, waits until all are open, then POSTs moods as the author
//! one at a time. Each `mood_update` frame is matched to its post by the entry id
//! the POST answered; a post is done when every friend's stream has it. One process
//! and one clock (`Instant`) for the POSTs and the streams, so no clock skew.

use crate::fleet::check_limits;
use crate::hist::{Histogram, LatencySummary};
use crate::http::{self, io_reason, HttpError, PostConn, SseResponse, READ_BUF};
use crate::procfs::{sample_hub, HubSample};
use crate::sse::{SseItem, SseParser};
use crate::target::Target;
use crate::tokens::TokenEntry;
use crate::util::{fmt_map, unix_micros, Rng};
use crate::worker::MAX_SSE_LINE;
use anyhow::bail;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Most posts in one run (each is waited for in turn).
pub const MAX_POSTS: usize = 1000;
/// Largest POST answer read (an entry is well under 2 KB).
const MAX_ANSWER: usize = 64 * 1024;
/// Entry ids tracked beyond the posts (e.g. a post that timed out but was made);
/// frames of further unknown entries are only counted, so memory stays bounded.
const EXTRA_ENTRIES: usize = 16;
/// Longest back-off between failed connects of one stream.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// After the last post, how long late duplicates still get counted.
const SETTLE: Duration = Duration::from_millis(500);
const MOODS: [&str; 4] = ["happy", "calm", "content", "excited"];

#[derive(Debug, Clone)]
pub struct FanoutConfig {
    pub target: Target,
    /// Friends: the tokens after the first (the author); each gets one stream.
    pub friends: usize,
    pub posts: usize,
    /// Pause between one post being done (or given up) and the next POST.
    pub interval: Duration,
    pub source_ips: Vec<IpAddr>,
    /// New streams per second (0 = all at once).
    pub ramp_per_sec: f64,
    pub ready_timeout: Duration,
    pub post_timeout: Duration,
    /// How long one post may take to reach every stream before the next one.
    pub deliver_timeout: Duration,
    /// The whole run (connects, posts, waits) ends by this.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    pub reconnect_delay: Duration,
    pub hub_pid: Option<u32>,
    pub quiet: bool,
}

/// One post and how it spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostOutcome {
    pub seq: usize,
    /// The entry id the POST answered (None if it failed).
    pub entry_id: Option<String>,
    /// `http_201`, `http_429`, `timeout`, ...
    pub status: String,
    /// POST sent → answer read.
    pub post_ms: f64,
    /// Friends' streams that got this entry.
    pub received: usize,
    /// POST sent → the last friend's stream had it; None if some never did.
    pub time_to_all_ms: Option<f64>,
    /// POST sent → the first friend's stream had it.
    pub first_ms: Option<f64>,
}

/// Exact nearest-rank percentiles of a small set (the posts), in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        Spread {
            count: v.len(),
            p50_ms: nearest_rank(&v, 0.50),
            p99_ms: nearest_rank(&v, 0.99),
            max_ms: v.last().copied().unwrap_or(0.0),
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.count == 0 {
            return write!(f, "no samples");
        }
        write!(
            f,
            "p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (n={})",
            self.p50_ms, self.p99_ms, self.max_ms, self.count
        )
    }
}

/// The value at rank ceil(q × n) of sorted `v` (0 when empty).
fn nearest_rank(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = ((q.clamp(0.0, 1.0) * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanoutReport {
    pub url: String,
    pub author: String,
    pub friends: usize,
    /// Friends' streams open when the first POST went out.
    pub streams_ready: usize,
    /// Seconds the streams took to open.
    pub ready_s: f64,
    pub posts_planned: usize,
    pub interval_ms: f64,
    pub posts: Vec<PostOutcome>,
    /// Per post, POST sent → every friend's stream had it (complete posts only).
    pub time_to_all: Spread,
    /// POST sent → answer read, per 201 (a retried POST counts from its first try).
    pub post: Spread,
    /// POSTs sent again (same Idempotency-Key) after the connection was lost.
    pub post_retries: u64,
    /// Every single delivery: POST sent → frame read on one stream.
    pub delivery: LatencySummary,
    /// Deliveries of answered posts that never arrived (friends × 201s − received).
    pub lost: u64,
    /// The same entry a second time on the same stream.
    pub duplicates: u64,
    /// Frames of entries by the author that no 201 answered.
    pub unconfirmed: u64,
    /// `mood_update` frames of another author.
    pub foreign: u64,
    /// `mood_update` frames whose JSON could not be read.
    pub unparsable: u64,
    pub stream_drops: BTreeMap<String, u64>,
    pub reconnects: u64,
    pub connect_failures: BTreeMap<String, u64>,
    pub hub_before: Option<HubSample>,
    pub hub_after: Option<HubSample>,
    pub errors: Vec<String>,
}

impl FanoutReport {
    /// Every post answered 201 and reached every friend, once, with no error.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
            && self.lost == 0
            && self.duplicates == 0
            && self.posts.len() == self.posts_planned
            && self.posts.iter().all(|p| p.time_to_all_ms.is_some())
    }
}

/// Arrival times of one entry, per friend stream.
#[derive(Debug)]
struct EntryArrivals {
    at: Vec<Option<Instant>>,
    received: usize,
}

/// Which friend streams got which entry, and when. Bounded: at most `cap` entries.
#[derive(Debug)]
struct Arrivals {
    streams: usize,
    cap: usize,
    by_entry: HashMap<String, EntryArrivals>,
    duplicates: u64,
    /// Frames of entries past `cap`.
    untracked: u64,
}

#[derive(Debug, PartialEq, Eq)]
enum Recorded {
    First,
    /// This frame completed the entry: every stream has it now.
    Complete,
    Duplicate,
    Untracked,
}

impl Arrivals {
    fn new(streams: usize, cap: usize) -> Self {
        Arrivals {
            streams,
            cap,
            by_entry: HashMap::new(),
            duplicates: 0,
            untracked: 0,
        }
    }

    fn record(&mut self, entry: &str, stream: usize, at: Instant) -> Recorded {
        let full = self.by_entry.len() >= self.cap;
        if stream >= self.streams || (full && !self.by_entry.contains_key(entry)) {
            self.untracked += 1;
            return Recorded::Untracked;
        }
        let streams = self.streams;
        let e = self
            .by_entry
            .entry(entry.to_owned())
            .or_insert_with(|| EntryArrivals {
                at: vec![None; streams],
                received: 0,
            });
        let Some(slot) = e.at.get_mut(stream) else {
            self.untracked += 1;
            return Recorded::Untracked;
        };
        if slot.is_some() {
            self.duplicates += 1;
            return Recorded::Duplicate;
        }
        *slot = Some(at);
        e.received += 1;
        if e.received == self.streams {
            Recorded::Complete
        } else {
            Recorded::First
        }
    }

    fn received(&self, entry: &str) -> usize {
        self.by_entry.get(entry).map_or(0, |e| e.received)
    }

    /// (received, first, last) arrival after `sent`, adding each delivery to `hist`.
    fn spread_of(
        &self,
        entry: &str,
        sent: Instant,
        hist: &mut Histogram,
    ) -> (usize, Option<Duration>, Option<Duration>) {
        let Some(e) = self.by_entry.get(entry) else {
            return (0, None, None);
        };
        let (mut first, mut last) = (None::<Duration>, None::<Duration>);
        for at in e.at.iter().flatten() {
            let d = at.saturating_duration_since(sent);
            hist.record(d.as_micros() as u64);
            first = Some(first.map_or(d, |f| f.min(d)));
            last = Some(last.map_or(d, |l| l.max(d)));
        }
        (e.received, first, last)
    }
}

struct Shared {
    target: Target,
    author: String,
    friends: Vec<TokenEntry>,
    source_ips: Vec<IpAddr>,
    connect_timeout: Duration,
    idle_timeout: Duration,
    reconnect_delay: Duration,
    stop: CancellationToken,
    arrivals: Mutex<Arrivals>,
    /// Woken when an entry has reached every stream.
    complete: Notify,
    connected: AtomicUsize,
    reconnects: AtomicU64,
    foreign: AtomicU64,
    unparsable: AtomicU64,
    drops: Mutex<BTreeMap<String, u64>>,
    failures: Mutex<BTreeMap<String, u64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, key: String) {
    *lock(map).entry(key).or_insert(0) += 1;
}

/// The parts of a `mood_update` event JSON (`{id, type, data: {action, id, userId,
/// ...}, createdAt}`) the matching needs.
#[derive(Deserialize)]
struct MoodEvent<'a> {
    #[serde(borrow)]
    data: MoodData<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoodData<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
}

/// `(entry id, author)` of a `mood_update` that created an entry; None for updates
/// and deletes; an error if the JSON is not an event we know.
pub fn created_entry(data: &[u8]) -> Result<Option<(String, String)>, serde_json::Error> {
    let ev: MoodEvent<'_> = serde_json::from_slice(data)?;
    let created = ev.data.action.as_deref().is_none_or(|a| a == "created");
    Ok(created.then(|| (ev.data.id.into_owned(), ev.data.user_id.into_owned())))
}

/// One friend's stream: connect (retrying until the run stops; a stream that
/// dropped resumes with `Last-Event-ID`, which the hub replays without a gap) and
/// record every `mood_update` of the author.
async fn stream_task(sh: Arc<Shared>, idx: usize) {
    let tok = &sh.friends[idx];
    let source = (!sh.source_ips.is_empty()).then(|| sh.source_ips[idx % sh.source_ips.len()]);
    let mut buf = vec![0u8; READ_BUF].into_boxed_slice();
    let mut parser = SseParser::new(MAX_SSE_LINE);
    let mut last_id: Option<u64> = None;
    let mut backoff = sh.reconnect_delay;
    let mut rng = Rng::new(unix_micros() ^ (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut opened_before = false;
    while !sh.stop.is_cancelled() {
        let res = tokio::select! {
            biased;
            _ = sh.stop.cancelled() => break,
            r = tokio::time::timeout(
                sh.connect_timeout,
                http::open_sse(&sh.target, source, &tok.token, last_id, &mut buf),
            ) => r.unwrap_or(Err(HttpError::Timeout)),
        };
        match res {
            Ok(resp) => {
                if opened_before {
                    sh.reconnects.fetch_add(1, Relaxed);
                }
                opened_before = true;
                backoff = sh.reconnect_delay;
                sh.connected.fetch_add(1, Relaxed);
                parser.reset();
                let end = read_stream(&sh, idx, resp, &mut buf, &mut parser, &mut last_id).await;
                sh.connected.fetch_sub(1, Relaxed);
                match end {
                    None => break,
                    Some(reason) => bump(&sh.drops, reason),
                }
            }
            Err(e) => {
                bump(&sh.failures, e.reason());
                if matches!(
                    e,
                    HttpError::Status {
                        code: 401 | 403 | 404
                    }
                ) {
                    break;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
        tokio::select! {
            _ = sh.stop.cancelled() => break,
            _ = tokio::time::sleep(rng.jitter(backoff)) => {}
        }
    }
}

/// Reads one open stream until it ends: None when the run stopped, else why it
/// dropped (`closed`, `reconnect`, `idle_timeout`, ...).
async fn read_stream(
    sh: &Shared,
    idx: usize,
    resp: SseResponse,
    buf: &mut [u8],
    parser: &mut SseParser,
    last_id: &mut Option<u64>,
) -> Option<String> {
    let SseResponse {
        mut stream,
        mut body,
        leftover,
    } = resp;
    let mut filled = leftover;
    loop {
        if filled > 0 {
            // Stamped before decoding, so the parsing is not in the figure.
            let now = Instant::now();
            let Ok(n) = body.decode(&mut buf[..filled]) else {
                return Some("bad_chunking".into());
            };
            let mut reconnect = false;
            let fed = parser.feed(&buf[..n], &mut |item| {
                if let SseItem::Event(ev) = item {
                    if let Some(id) = ev.id_u64() {
                        *last_id = Some(last_id.map_or(id, |l| l.max(id)));
                    }
                    match ev.event {
                        b"reconnect" => reconnect = true,
                        b"mood_update" => on_mood_update(sh, idx, ev.data, now),
                        _ => {}
                    }
                }
            });
            if fed.is_err() {
                return Some("sse_too_long".into());
            }
            if reconnect {
                return Some("reconnect".into());
            }
            if body.is_done() {
                return Some("closed".into());
            }
        }
        filled = tokio::select! {
            biased;
            _ = sh.stop.cancelled() => return None,
            r = tokio::time::timeout(sh.idle_timeout, stream.read(buf)) => match r {
                Err(_) => return Some("idle_timeout".into()),
                Ok(Ok(0)) => return Some("closed".into()),
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Some(io_reason(&e)),
            },
        };
    }
}

fn on_mood_update(sh: &Shared, idx: usize, data: &[u8], at: Instant) {
    match created_entry(data) {
        Ok(Some((entry, author))) if author == sh.author => {
            if lock(&sh.arrivals).record(&entry, idx, at) == Recorded::Complete {
                sh.complete.notify_one();
            }
        }
        Ok(Some(_)) => {
            sh.foreign.fetch_add(1, Relaxed);
        }
        Ok(None) => {}
        Err(_) => {
            sh.unparsable.fetch_add(1, Relaxed);
        }
    }
}

/// The body of post `seq`: a different mood, intensity and note each time.
fn mood_body(seq: usize, run: u64) -> String {
    serde_json::json!({
        "mood": MOODS[seq % MOODS.len()],
        "intensity": 1 + seq % 10,
        "note": format!("fanout {run} #{seq}"),
        "tags": ["fanout"],
    })
    .to_string()
}

/// The `id` of a POST /moods answer.
fn answered_id(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Answer {
        id: String,
    }
    serde_json::from_slice::<Answer>(body).ok().map(|a| a.id)
}

/// The connection went away under a request (the request may or may not have been
/// handled): closed, reset or a broken pipe.
fn is_connection_lost(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run_fanout(
    cfg: FanoutConfig,
    tokens: Arc<Vec<TokenEntry>>,
) -> anyhow::Result<FanoutReport> {
    if cfg.friends == 0 || cfg.friends >= tokens.len() {
        bail!(
            "--friends must be 1..={} (the tokens after the author, who is the first)",
            tokens.len().saturating_sub(1)
        );
    }
    if cfg.posts == 0 || cfg.posts > MAX_POSTS {
        bail!("--posts must be 1..={MAX_POSTS}");
    }
    if !(cfg.ramp_per_sec.is_finite() && cfg.ramp_per_sec >= 0.0) {
        bail!("--ramp-per-sec must be a non-negative number");
    }
    check_limits(cfg.friends + 1, cfg.friends + 1, cfg.source_ips.len())?;

    let t_start = Instant::now();
    let deadline = t_start + cfg.timeout;
    let author = tokens[0].clone();
    let hub_before = cfg.hub_pid.and_then(|p| sample_hub(p, 0).ok());
    let sh = Arc::new(Shared {
        target: cfg.target.clone(),
        author: author.user_id.clone(),
        friends: tokens[1..=cfg.friends].to_vec(),
        source_ips: cfg.source_ips.clone(),
        connect_timeout: cfg.connect_timeout,
        idle_timeout: cfg.idle_timeout,
        reconnect_delay: cfg.reconnect_delay,
        stop: CancellationToken::new(),
        arrivals: Mutex::new(Arrivals::new(cfg.friends, cfg.posts + EXTRA_ENTRIES)),
        complete: Notify::new(),
        connected: AtomicUsize::new(0),
        reconnects: AtomicU64::new(0),
        foreign: AtomicU64::new(0),
        unparsable: AtomicU64::new(0),
        drops: Mutex::new(BTreeMap::new()),
        failures: Mutex::new(BTreeMap::new()),
    });
    let mut streams = JoinSet::new();
    let ramp = {
        let sh = sh.clone();
        let rate = cfg.ramp_per_sec;
        tokio::spawn(async move {
            for idx in 0..sh.friends.len() {
                if rate > 0.0 && idx > 0 {
                    let due = t_start + Duration::from_secs_f64(idx as f64 / rate);
                    tokio::select! {
                        _ = tokio::time::sleep_until(due) => {}
                        _ = sh.stop.cancelled() => break,
                    }
                }
                streams.spawn(stream_task(sh.clone(), idx));
            }
            streams
        })
    };

    // Every stream open (the hub subscribes before it answers the stream request).
    let ready_by = deadline.min(t_start + cfg.ready_timeout);
    let mut errors = Vec::new();
    let mut next_print = Instant::now() + Duration::from_secs(1);
    while sh.connected.load(Relaxed) < cfg.friends && Instant::now() < ready_by {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if !cfg.quiet && Instant::now() >= next_print {
            next_print = Instant::now() + Duration::from_secs(1);
            eprintln!(
                "[{:>6.1}s] streams open: {}/{}",
                t_start.elapsed().as_secs_f64(),
                sh.connected.load(Relaxed),
                cfg.friends
            );
        }
    }
    let streams_ready = sh.connected.load(Relaxed);
    let ready_s = t_start.elapsed().as_secs_f64();
    if streams_ready < cfg.friends {
        errors.push(format!(
            "only {streams_ready} of {} streams open after {ready_s:.1} s; no posts made",
            cfg.friends
        ));
    } else if !cfg.quiet {
        eprintln!(
            "[{:>6.1}s] all {} streams open; posting {} moods, {} ms apart",
            ready_s,
            cfg.friends,
            cfg.posts,
            cfg.interval.as_millis()
        );
    }

    let run = unix_micros();
    let mut posts: Vec<PostOutcome> = Vec::with_capacity(cfg.posts);
    let mut sent_at: Vec<(usize, String, Instant)> = Vec::with_capacity(cfg.posts);
    let mut conn = PostConn::new(cfg.target.clone(), cfg.source_ips.first().copied());
    let mut retries = 0u64;
    for seq in 0..cfg.posts {
        if !errors.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            errors.push(format!(
                "--timeout reached after {} of {} posts",
                posts.len(),
                cfg.posts
            ));
            break;
        }
        let body = mood_body(seq, run);
        let key = format!("fanout-{run}-{seq}");
        let sent = Instant::now();
        let mut res = conn
            .post_json_body(
                "/api/v1/moods",
                &author.token,
                Some(&key),
                body.as_bytes(),
                cfg.post_timeout,
                MAX_ANSWER,
            )
            .await;
        // A keep-alive connection the hub closed just as the POST went out: send it
        // again on a new connection; the key makes the hub answer the first entry if
        // it did make one. The time still counts from the first attempt.
        if matches!(&res, Err(HttpError::Io(e)) if is_connection_lost(e)) {
            retries += 1;
            res = conn
                .post_json_body(
                    "/api/v1/moods",
                    &author.token,
                    Some(&key),
                    body.as_bytes(),
                    cfg.post_timeout,
                    MAX_ANSWER,
                )
                .await;
        }
        let post_ms = ms(sent.elapsed());
        let (status, entry_id) = match res {
            Ok((201, answer)) => match answered_id(&answer) {
                Some(id) => ("http_201".to_string(), Some(id)),
                None => ("http_201_without_id".to_string(), None),
            },
            Ok((code, _)) => (format!("http_{code}"), None),
            Err(e) => (e.reason(), None),
        };
        if let Some(id) = &entry_id {
            let give_up = deadline.min(sent + cfg.deliver_timeout);
            loop {
                // Registered before the check, so a completion in between still wakes us.
                let woken = sh.complete.notified();
                if lock(&sh.arrivals).received(id) >= cfg.friends {
                    break;
                }
                tokio::select! {
                    _ = woken => {}
                    _ = tokio::time::sleep_until(give_up) => break,
                }
            }
            sent_at.push((seq, id.clone(), sent));
        } else {
            errors.push(format!("post #{seq}: {status}"));
        }
        let received = entry_id
            .as_deref()
            .map_or(0, |id| lock(&sh.arrivals).received(id));
        if !cfg.quiet {
            eprintln!(
                "[{:>6.1}s] post #{seq}: {status} in {post_ms:.1} ms, on {received}/{} streams after {:.1} ms",
                t_start.elapsed().as_secs_f64(),
                cfg.friends,
                ms(sent.elapsed()),
            );
        }
        posts.push(PostOutcome {
            seq,
            entry_id,
            status,
            post_ms,
            received,
            time_to_all_ms: None,
            first_ms: None,
        });
        if seq + 1 < cfg.posts {
            tokio::time::sleep_until(deadline.min(Instant::now() + cfg.interval)).await;
        }
    }
    // Late duplicates or stragglers still count.
    tokio::time::sleep_until(deadline.min(Instant::now() + SETTLE)).await;

    sh.stop.cancel();
    if let Ok(Ok(mut set)) = tokio::time::timeout(Duration::from_secs(5), ramp).await {
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while set.join_next().await.is_some() {}
        })
        .await;
    }
    let hub_after = cfg
        .hub_pid
        .and_then(|p| sample_hub(p, t_start.elapsed().as_millis() as u64).ok());

    let arrivals = lock(&sh.arrivals);
    let mut delivery = Histogram::new();
    let mut lost = 0u64;
    for (seq, id, sent) in &sent_at {
        let (received, first, last) = arrivals.spread_of(id, *sent, &mut delivery);
        lost += (cfg.friends - received.min(cfg.friends)) as u64;
        if let Some(p) = posts.get_mut(*seq) {
            p.received = received;
            p.first_ms = first.map(ms);
            p.time_to_all_ms = (received == cfg.friends).then(|| last.map(ms)).flatten();
        }
    }
    let confirmed: Vec<&String> = sent_at.iter().map(|(_, id, _)| id).collect();
    let unconfirmed: u64 = arrivals
        .by_entry
        .iter()
        .filter(|(id, _)| !confirmed.contains(id))
        .map(|(_, e)| e.received as u64)
        .sum::<u64>()
        + arrivals.untracked;
    let time_to_all: Vec<f64> = posts.iter().filter_map(|p| p.time_to_all_ms).collect();
    let post_ms: Vec<f64> = posts
        .iter()
        .filter(|p| p.entry_id.is_some())
        .map(|p| p.post_ms)
        .collect();
    let duplicates = arrivals.duplicates;
    drop(arrivals);
    let stream_drops = lock(&sh.drops).clone();
    let connect_failures = lock(&sh.failures).clone();
    if lost > 0 {
        errors.push(format!(
            "{lost} deliveries missing (is the author friends with every one of them? \
             seed with --star-friends)"
        ));
    }
    Ok(FanoutReport {
        url: cfg.target.url(),
        author: author.user_id.clone(),
        friends: cfg.friends,
        streams_ready,
        ready_s,
        posts_planned: cfg.posts,
        interval_ms: ms(cfg.interval),
        time_to_all: Spread::of(&time_to_all),
        post: Spread::of(&post_ms),
        post_retries: retries,
        delivery: delivery.summary(),
        lost,
        duplicates,
        unconfirmed,
        foreign: sh.foreign.load(Relaxed),
        unparsable: sh.unparsable.load(Relaxed),
        stream_drops,
        reconnects: sh.reconnects.load(Relaxed),
        connect_failures,
        posts,
        hub_before,
        hub_after,
        errors,
    })
}

impl std::fmt::Display for FanoutReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2} ms"));
        let _ = writeln!(s, "== hugmood-loadgen fanout: {} ==", self.url);
        let _ = writeln!(
            s,
            "plan        author {}, {} friends' streams ({} open after {:.1} s), {} posts {:.0} ms apart",
            self.author,
            self.friends,
            self.streams_ready,
            self.ready_s,
            self.posts_planned,
            self.interval_ms
        );
        for p in &self.posts {
            let _ = writeln!(
                s,
                "post #{:<3}   {} in {:.2} ms; on {}/{} streams; first {}, all {}",
                p.seq,
                p.status,
                p.post_ms,
                p.received,
                self.friends,
                opt(p.first_ms),
                opt(p.time_to_all_ms)
            );
        }
        let _ = writeln!(s, "time-to-all {}", self.time_to_all);
        let _ = writeln!(s, "delivery    {}", self.delivery);
        let _ = writeln!(
            s,
            "POST        {}; {} sent again after a lost connection",
            self.post, self.post_retries
        );
        let _ = writeln!(
            s,
            "deliveries  LOST {}, {} duplicates, {} without a 201, {} of other authors, {} unreadable",
            self.lost, self.duplicates, self.unconfirmed, self.foreign, self.unparsable
        );
        let _ = writeln!(
            s,
            "streams     drops: {}; {} reconnects; connect failures: {}",
            fmt_map(&self.stream_drops),
            self.reconnects,
            fmt_map(&self.connect_failures)
        );
        if let (Some(b), Some(a)) = (self.hub_before, self.hub_after) {
            let _ = writeln!(s, "hub         RSS {} KB → {} KB", b.rss_kb, a.rss_kb);
        }
        for e in &self.errors {
            let _ = writeln!(s, "error: {e}");
        }
        f.write_str(s.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_complete_once_and_count_duplicates() {
        let t = Instant::now();
        let mut a = Arrivals::new(2, 1);
        assert_eq!(a.record("e1", 0, t), Recorded::First);
        assert_eq!(a.record("e1", 0, t), Recorded::Duplicate);
        assert_eq!(
            a.record("e1", 1, t + Duration::from_millis(7)),
            Recorded::Complete
        );
        assert_eq!(a.record("e2", 0, t), Recorded::Untracked, "over the cap");
        assert_eq!(a.record("e1", 5, t), Recorded::Untracked, "no such stream");
        assert_eq!((a.duplicates, a.untracked), (1, 2));
        let mut h = Histogram::new();
        let (n, first, last) = a.spread_of("e1", t, &mut h);
        assert_eq!(n, 2);
        assert_eq!(first, Some(Duration::ZERO));
        assert_eq!(last, Some(Duration::from_millis(7)));
        assert_eq!(h.count(), 2);
        assert_eq!(a.spread_of("nope", t, &mut h).0, 0);
    }

    #[test]
    fn spread_is_nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).rev().collect();
        let s = Spread::of(&v);
        assert_eq!(
            (s.count, s.p50_ms, s.p99_ms, s.max_ms),
            (20, 10.0, 20.0, 20.0)
        );
        assert_eq!(Spread::of(&[]).count, 0);
        assert_eq!(Spread::of(&[3.0]).p50_ms, 3.0);
    }

    #[test]
    fn mood_update_frames_and_answers() {
        let created = br#"{"id":9,"type":"mood_update","data":{"action":"created","id":"m1","userId":"a","mood":"calm","note":"x"},"createdAt":"t"}"#;
        assert_eq!(
            created_entry(created).expect("json"),
            Some(("m1".into(), "a".into()))
        );
        let deleted =
            br#"{"id":10,"type":"mood_update","data":{"action":"deleted","id":"m1","userId":"a"}}"#;
        assert_eq!(created_entry(deleted).expect("json"), None);
        assert!(created_entry(b"{}").is_err());
        assert_eq!(
            answered_id(br#"{"id":"m2","userId":"a"}"#).as_deref(),
            Some("m2")
        );
        assert_eq!(answered_id(b"[]"), None);
        let a: serde_json::Value = serde_json::from_str(&mood_body(5, 1)).expect("json");
        let b: serde_json::Value = serde_json::from_str(&mood_body(6, 1)).expect("json");
        assert_ne!(a["note"], b["note"]);
        assert!(MOODS.contains(&a["mood"].as_str().unwrap_or_default()));
    }
}
