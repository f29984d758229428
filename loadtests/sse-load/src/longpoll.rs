//! `longpoll`: wake latency of waiting long-polls. R receivers (tokens 2…R+1 of the
//! file, friends of the first token's user, as `hugmood seed --star-friends` makes
//! them) each catch up on their log and then long-poll `GET /api/v1/events` in a
//! loop, following `lastId`, on a keep-alive connection of their own. Once every one
//! is waiting, the first user sends hugs at a fixed rate to the receivers in turn, each
//! message a nonce `lp:<seq>:<send unix micros>`. Each answer is timed twice: from the
//! POST being sent, and from the event's `createdAt` (stamped just before its commit),
//! which is the hub's own wake-up time. Same machine, so the clocks agree.

use serde::Serialize;
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::hist::{Histogram, LatencySummary};
use crate::http::PostConn;
use crate::target::Target;
use crate::tokens::TokenEntry;
use crate::util::unix_micros;

/// Largest answer read (50 events of a few hundred bytes).
const MAX_ANSWER: usize = 1 << 20;
/// Hug-sending connections.
const SENDERS: usize = 16;
const NONCE: &str = "lp:";

#[derive(Debug, Clone)]
pub struct LongPollConfig {
    pub target: Target,
    pub tokens: Vec<TokenEntry>,
    pub receivers: usize,
    /// Hugs per second, all sending connections together.
    pub rate: f64,
    pub duration: Duration,
    /// Seconds each long-poll waits at most (the hub caps it at 60).
    pub wait_secs: u64,
    pub source_ips: Vec<IpAddr>,
    /// How long to wait for every receiver to be waiting.
    pub ready_timeout: Duration,
}

#[derive(Debug, Serialize)]
pub struct LongPollReport {
    pub mode: &'static str,
    pub receivers: usize,
    /// Receivers whose long-poll was waiting when the hugs started.
    pub waiting: u64,
    pub sent: u64,
    pub send_failures: u64,
    pub received: u64,
    pub missing: u64,
    pub duplicates: u64,
    /// Polls that failed (status or connection).
    pub poll_failures: u64,
    /// Event `createdAt` → answer read, ms.
    pub wake_from_commit: LatencySummary,
    /// POST sent → answer read, ms.
    pub from_post: LatencySummary,
}

impl std::fmt::Display for LongPollReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "long-poll: {} receivers ({} waiting), {} hugs sent ({} failed), {} received, {} missing, {} duplicates, {} failed polls",
            self.receivers, self.waiting, self.sent, self.send_failures, self.received,
            self.missing, self.duplicates, self.poll_failures
        )?;
        writeln!(f, "wake (createdAt -> answer): {}", self.wake_from_commit)?;
        write!(f, "POST sent -> answer: {}", self.from_post)
    }
}

#[derive(Default)]
struct Tally {
    waiting: AtomicU64,
    poll_failures: AtomicU64,
    hugs: Mutex<Hugs>,
}

/// The run's hugs as the receivers read them.
#[derive(Default)]
struct Hugs {
    seen: HashSet<u64>,
    duplicates: u64,
    from_commit: Histogram,
    from_post: Histogram,
}

/// One answer's hugs: `(seq, sent unix micros, createdAt unix micros)`.
fn hugs_in(answer: &serde_json::Value) -> Vec<(u64, u64, u64)> {
    let events = answer["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    events
        .iter()
        .filter(|e| e["type"] == "hug_received")
        .filter_map(|e| {
            let message = e["data"]["message"].as_str()?.strip_prefix(NONCE)?;
            let (seq, sent) = message.split_once(':')?;
            let created = u64::try_from(unix_micros_of(e["createdAt"].as_str()?)?).ok()?;
            Some((seq.parse().ok()?, sent.parse().ok()?, created))
        })
        .collect()
}

/// Unix micros of an RFC 3339 UTC time as the hub writes it
/// (`YYYY-MM-DDTHH:MM:SS[.ffffff]Z`), from the civil date.
fn unix_micros_of(text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next()??);
    let micros: i64 = format!("{frac:0<6}")[..6].parse().ok()?;
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3_600 + min * 60 + s) * 1_000_000) + micros)
}

async fn receive(cfg: Arc<LongPollConfig>, i: usize, tally: Arc<Tally>, stop: CancellationToken) {
    let token = cfg.tokens[1 + i].token.clone();
    let source = (!cfg.source_ips.is_empty()).then(|| cfg.source_ips[i % cfg.source_ips.len()]);
    let mut conn = PostConn::new(cfg.target.clone(), source);
    let timeout = Duration::from_secs(cfg.wait_secs + 10);
    let mut last = 0i64;
    let mut counted = false;
    loop {
        // Catch up first (no wait), then wait.
        let wait = if counted {
            format!("&long_poll=true&timeout={}", cfg.wait_secs)
        } else {
            String::new()
        };
        let path = format!("/api/v1/events?last_id={last}{wait}");
        let polled = tokio::select! {
            polled = conn.get_json_body(&path, &token, timeout, MAX_ANSWER) => polled,
            () = stop.cancelled() => return,
        };
        let now = unix_micros();
        let answer = match polled {
            Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body).ok(),
            _ => None,
        };
        let Some(answer) = answer else {
            tally.poll_failures.fetch_add(1, Relaxed);
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let hugs = hugs_in(&answer);
        if !hugs.is_empty() {
            let mut tallied = tally.hugs.lock().expect("tally");
            for (seq, sent, created) in hugs {
                if tallied.seen.insert(seq) {
                    tallied.from_commit.record(now.saturating_sub(created));
                    tallied.from_post.record(now.saturating_sub(sent));
                } else {
                    tallied.duplicates += 1;
                }
            }
        }
        last = answer["lastId"].as_i64().unwrap_or(last);
        let page_full = answer["events"].as_array().is_some_and(|e| e.len() >= 50);
        if !counted && !page_full {
            counted = true;
            tally.waiting.fetch_add(1, Relaxed);
        }
    }
}

pub async fn run_long_poll(cfg: LongPollConfig) -> anyhow::Result<LongPollReport> {
    anyhow::ensure!(cfg.receivers >= 1, "--receivers must be at least 1");
    anyhow::ensure!(
        cfg.tokens.len() > cfg.receivers,
        "the tokens file has {} tokens: the sender and {} receivers need {}",
        cfg.tokens.len(),
        cfg.receivers,
        cfg.receivers + 1
    );
    let cfg = Arc::new(cfg);
    let tally = Arc::new(Tally::default());
    let stop = CancellationToken::new();
    let receivers: Vec<_> = (0..cfg.receivers)
        .map(|i| tokio::spawn(receive(cfg.clone(), i, tally.clone(), stop.clone())))
        .collect();
    let ready_by = Instant::now() + cfg.ready_timeout;
    while tally.waiting.load(Relaxed) < cfg.receivers as u64 && Instant::now() < ready_by {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The last long-polls were sent; give them time to reach the hub and subscribe.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = tally.waiting.load(Relaxed);
    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let total = (cfg.rate * cfg.duration.as_secs_f64()).round() as u64;
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|k| {
            let (cfg, sent, failed) = (cfg.clone(), sent.clone(), failed.clone());
            tokio::spawn(async move {
                let mut conn = PostConn::new(cfg.target.clone(), None);
                let token = cfg.tokens[0].token.clone();
                let mut seq = k as u64;
                while seq < total {
                    let due = started + Duration::from_secs_f64(seq as f64 / cfg.rate);
                    tokio::time::sleep_until(due).await;
                    let recipient = &cfg.tokens[1 + (seq as usize % cfg.receivers)].user_id;
                    let body = serde_json::json!({
                        "recipientId": recipient, "hugType": "warm",
                        "message": format!("{NONCE}{seq}:{}", unix_micros()),
                    });
                    let body = serde_json::to_vec(&body).expect("JSON");
                    match conn
                        .post_json("/api/v1/hugs", &token, &body, Duration::from_secs(10))
                        .await
                    {
                        Ok(201) => sent.fetch_add(1, Relaxed),
                        _ => failed.fetch_add(1, Relaxed),
                    };
                    seq += SENDERS as u64;
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await?;
    }
    let sent = sent.load(Relaxed);
    let drain_by = Instant::now() + Duration::from_secs(5);
    while (tally.hugs.lock().expect("tally").seen.len() as u64) < sent && Instant::now() < drain_by
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    for receiver in receivers {
        receiver.await?;
    }
    let hugs = tally.hugs.lock().expect("tally");
    let received = hugs.seen.len() as u64;
    Ok(LongPollReport {
        mode: "longpoll",
        receivers: cfg.receivers,
        waiting,
        sent,
        send_failures: failed.load(Relaxed),
        received,
        missing: sent.saturating_sub(received),
        duplicates: hugs.duplicates,
        poll_failures: tally.poll_failures.load(Relaxed),
        wake_from_commit: hugs.from_commit.summary(),
        from_post: hugs.from_post.summary(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_times_read_back_as_unix_micros() {
        assert_eq!(unix_micros_of("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            unix_micros_of("1970-01-02T00:00:01.5Z"),
            Some(86_401_500_000)
        );
        assert_eq!(
            unix_micros_of("2026-12-03T15:00:00.000123Z"),
            Some(1_796_310_000_000_123)
        );
        assert_eq!(unix_micros_of("2026-12-03T15:00:00+01:00"), None);
    }

    #[test]
    fn only_this_runs_hugs_are_counted() {
        let answer = serde_json::json!({"events": [
            {"type": "hug_received", "createdAt": "1970-01-01T00:00:01Z", "data": {"message": "lp:7:900"}},
            {"type": "notification", "createdAt": "1970-01-01T00:00:01Z", "data": {}},
            {"type": "hug_received", "createdAt": "1970-01-01T00:00:01Z", "data": {"message": "hello"}},
        ]});
        assert_eq!(hugs_in(&answer), vec![(7, 900, 1_000_000)]);
    }
}
