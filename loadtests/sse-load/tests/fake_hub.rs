//! End-to-end tests of `hold` and `hugs` against a tiny fake hub that lives in
//! the test: a tokio listener on 127.0.0.1:0 speaking just enough of the
//! hub's contract (chunked SSE stream with ids, retry, comments, heartbeats,
//! reconnect + Last-Event-ID resume; POST /api/v1/hugs → 201 + hug_received;
//! POST /api/v1/moods → 201 + mood_update to the configured friends). Two fake
//! hubs can share their event logs and live streams, like the nodes of a cluster
//! (one database, pub/sub between them): a hug POSTed to one reaches a stream on
//! the other.

use hugmood_loadgen::fanout::{run_fanout, FanoutConfig};
use hugmood_loadgen::hold::{run_hold, HoldConfig};
use hugmood_loadgen::hugs::{run_hugs, HugsConfig};
use hugmood_loadgen::target::{parse_source_ips, parse_target_list, parse_target_url};
use hugmood_loadgen::tokens::{read_tokens, TokenEntry};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

#[derive(Clone, Default)]
struct HubOpts {
    /// On a user's first stream, send `event: reconnect` and close after this
    /// many event frames.
    reconnect_after: Option<usize>,
    /// This user's streams are refused with 429 too_many_streams.
    refuse_user: Option<String>,
    /// Each hug POST is answered only after this long (a hub slower than the plan).
    post_delay: Option<Duration>,
    /// Who gets a `mood_update` when anyone posts a mood.
    mood_friends: Vec<String>,
}

/// What the nodes of a fake cluster share: every user's event log and live streams.
#[derive(Default)]
struct Logs {
    /// Per user: (event id, frame text).
    log: HashMap<String, Vec<(u64, String)>>,
    live: HashMap<String, Vec<mpsc::UnboundedSender<String>>>,
}

#[derive(Default)]
struct Hub {
    opts: HubOpts,
    /// Shared with the other nodes of the same fake cluster, if any.
    logs: Arc<Mutex<Logs>>,
    /// (user, Last-Event-ID) of every stream request this node served.
    stream_requests: Mutex<Vec<(String, Option<u64>)>>,
    peers: Mutex<HashSet<IpAddr>>,
    /// Hug POSTs this node answered 201.
    hugs: AtomicU64,
    moods: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().expect("lock")
}

impl Hub {
    /// Appends an event to the user's log and pushes it to the user's streams.
    fn publish(&self, user: &str, kind: &str, data: Value) {
        let mut logs = lock(&self.logs);
        let id = logs.log.get(user).map_or(0, Vec::len) as u64 + 1;
        let event =
            json!({"id": id, "type": kind, "data": data, "createdAt": "2030-01-01T00:00:00Z"});
        let frame = format!("id: {id}\nevent: {kind}\ndata: {event}\n\n");
        logs.log
            .entry(user.to_string())
            .or_default()
            .push((id, frame.clone()));
        if let Some(live) = logs.live.get_mut(user) {
            live.retain(|tx| tx.send(frame.clone()).is_ok());
        }
    }

    /// Registers a live stream and returns the frames after `last` (resume).
    fn subscribe(
        &self,
        user: &str,
        last: Option<u64>,
    ) -> (Vec<String>, mpsc::UnboundedReceiver<String>) {
        let mut logs = lock(&self.logs);
        let (tx, rx) = mpsc::unbounded_channel();
        logs.live.entry(user.to_string()).or_default().push(tx);
        let backlog = match last {
            None => Vec::new(),
            Some(last) => logs
                .log
                .get(user)
                .map(|l| {
                    l.iter()
                        .filter(|(id, _)| *id > last)
                        .map(|(_, f)| f.clone())
                        .collect()
                })
                .unwrap_or_default(),
        };
        (backlog, rx)
    }
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// Reads one request; None on EOF. `buf` keeps bytes of the next request.
async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(buf[..end].to_vec()).ok()?;
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_string();
            let path = first.next()?.to_string();
            let headers: HashMap<String, String> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let len: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let mut tmp = [0u8; 4096];
                let n = sock.read(&mut tmp).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            return Some(Request {
                method,
                path,
                headers,
                body,
            });
        }
        let mut tmp = [0u8; 4096];
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}

async fn respond(sock: &mut TcpStream, status: &str, body: &Value) -> std::io::Result<()> {
    let body = body.to_string();
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(resp.as_bytes()).await
}

/// Writes `data` as two chunks (the first with a chunk extension), so frames
/// are split across chunks and, often, across the client's reads.
async fn write_chunked(sock: &mut TcpStream, data: &str) -> std::io::Result<()> {
    let bytes = data.as_bytes();
    let mid = bytes.len() / 2;
    let mut out = Vec::with_capacity(bytes.len() + 32);
    for (k, part) in [&bytes[..mid], &bytes[mid..]].into_iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if k == 0 {
            out.extend_from_slice(format!("{:x};piece=first\r\n", part.len()).as_bytes());
        } else {
            out.extend_from_slice(format!("{:X}\r\n", part.len()).as_bytes());
        }
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    sock.write_all(&out).await
}

fn user_of(hub_token: Option<&String>) -> Option<String> {
    hub_token?.strip_prefix("Bearer tok-").map(str::to_string)
}

async fn serve_stream(
    hub: Arc<Hub>,
    mut sock: TcpStream,
    user: String,
    last: Option<u64>,
) -> std::io::Result<()> {
    let first_stream = {
        let mut reqs = lock(&hub.stream_requests);
        let first = !reqs.iter().any(|(u, _)| *u == user);
        reqs.push((user.clone(), last));
        first
    };
    sock.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
x-accel-buffering: no\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await?;
    write_chunked(&mut sock, "retry: 100\n: connected\n\n").await?;
    let (backlog, mut rx) = hub.subscribe(&user, last);
    // A notification on every connect, so that every stream sees events.
    hub.publish(&user, "notification", json!({"title": "welcome back"}));
    let mut sent_frames = 0usize;
    let reconnect_after = hub.opts.reconnect_after.filter(|_| first_stream);
    for frame in backlog {
        write_chunked(&mut sock, &frame).await?;
        sent_frames += 1;
    }
    let mut heartbeat = tokio::time::interval(Duration::from_millis(200));
    loop {
        if reconnect_after.is_some_and(|n| sent_frames >= n) {
            write_chunked(&mut sock, "event: reconnect\ndata: {}\n\n").await?;
            sock.write_all(b"0\r\n\r\n").await?;
            return Ok(());
        }
        tokio::select! {
            frame = rx.recv() => match frame {
                Some(f) => {
                    write_chunked(&mut sock, &f).await?;
                    sent_frames += 1;
                }
                None => return Ok(()),
            },
            _ = heartbeat.tick() => {
                write_chunked(&mut sock, "event: heartbeat\r\ndata: {\"time\":\"now\"}\r\n\r\n").await?;
            }
        }
    }
}

async fn serve_conn(hub: Arc<Hub>, mut sock: TcpStream, peer: SocketAddr) {
    lock(&hub.peers).insert(peer.ip());
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut sock, &mut buf).await {
        let Some(user) = user_of(req.headers.get("authorization")) else {
            let _ = respond(
                &mut sock,
                "401 Unauthorized",
                &json!({"error": {"code": "unauthorized"}}),
            )
            .await;
            continue;
        };
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/api/v1/sse/stream") => {
                if hub.opts.refuse_user.as_deref() == Some(user.as_str()) {
                    let _ = respond(
                        &mut sock,
                        "429 Too Many Requests",
                        &json!({"error": {"code": "too_many_streams"}}),
                    )
                    .await;
                    return;
                }
                let last = req
                    .headers
                    .get("last-event-id")
                    .and_then(|v| v.parse().ok());
                let _ = serve_stream(hub, sock, user, last).await;
                return;
            }
            ("POST", "/api/v1/hugs") => {
                if let Some(delay) = hub.opts.post_delay {
                    tokio::time::sleep(delay).await;
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let recipient = body["recipientId"].as_str().unwrap_or_default().to_string();
                if recipient.is_empty() || recipient == user {
                    let _ = respond(
                        &mut sock,
                        "400 Bad Request",
                        &json!({"error": {"code": "invalid"}}),
                    )
                    .await;
                    continue;
                }
                let n = hub.hugs.fetch_add(1, Ordering::Relaxed);
                let hug = json!({
                    "id": format!("hug-{n}"),
                    "senderId": user,
                    "recipientId": recipient,
                    "hugType": body["hugType"],
                    "message": body["message"],
                    "sentAt": "2030-01-01T00:00:00Z",
                    "status": "delivered",
                });
                hub.publish(&recipient, "hug_received", hug.clone());
                if respond(&mut sock, "201 Created", &hug).await.is_err() {
                    return;
                }
            }
            ("POST", "/api/v1/moods") => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let n = hub.moods.fetch_add(1, Ordering::Relaxed);
                let entry = json!({
                    "id": format!("mood-{n}"),
                    "userId": user,
                    "mood": body["mood"],
                    "intensity": body["intensity"],
                    "note": body["note"],
                });
                let mut update = entry.clone();
                update["action"] = json!("created");
                for friend in &hub.opts.mood_friends {
                    hub.publish(friend, "mood_update", update.clone());
                }
                if respond(&mut sock, "201 Created", &entry).await.is_err() {
                    return;
                }
            }
            _ => {
                let _ = respond(
                    &mut sock,
                    "404 Not Found",
                    &json!({"error": {"code": "not_found"}}),
                )
                .await;
            }
        }
    }
}

async fn start_hub(opts: HubOpts) -> (Arc<Hub>, SocketAddr) {
    start_node(opts, Arc::default()).await
}

/// Starts a fake hub on `logs`: give two hubs the same logs and they deliver
/// each other's hugs, as the nodes of a cluster do.
async fn start_node(opts: HubOpts, logs: Arc<Mutex<Logs>>) -> (Arc<Hub>, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hub = Arc::new(Hub {
        opts,
        logs,
        ..Hub::default()
    });
    let h = hub.clone();
    tokio::spawn(async move {
        while let Ok((sock, peer)) = listener.accept().await {
            tokio::spawn(serve_conn(h.clone(), sock, peer));
        }
    });
    (hub, addr)
}

/// A tokens file for users u1..=n, with the blank lines and trailing spaces
/// that real files may have.
fn tokens_file(dir: &tempfile::TempDir, n: usize) -> (std::path::PathBuf, Arc<Vec<TokenEntry>>) {
    let path = dir.path().join("tokens.txt");
    let mut text = String::from("\n");
    for i in 1..=n {
        text.push_str(&format!("u{i} tok-u{i}  \n\n"));
    }
    std::fs::write(&path, text).expect("write tokens");
    let tokens = Arc::new(read_tokens(&path).expect("read tokens"));
    assert_eq!(tokens.len(), n);
    (path, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_counts_streams_refusals_reconnects_and_hub_memory() {
    let (hub, addr) = start_hub(HubOpts {
        reconnect_after: Some(1),
        refuse_user: Some("u5".into()),
        ..HubOpts::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, tokens) = tokens_file(&dir, 5);
    let cfg = HoldConfig {
        target: parse_target_url(&format!("http://{addr}")).expect("url"),
        tokens_file: Some(path),
        streams: 5,
        processes: 2,
        in_process: true,
        source_ips: parse_source_ips("127.0.0.2-127.0.0.3").expect("ips"),
        ramp_per_sec: 50.0,
        duration: Duration::from_secs(2),
        hub_pid: Some(std::process::id()),
        connect_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(5),
        reconnect_delay: Duration::from_millis(50),
        retry_connects: false,
        quiet: true,
    };
    let report = run_hold(cfg, tokens).await.expect("hold");
    println!("{report}");
    let t = &report.totals;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.peak_connected, 4, "{report:#?}");
    assert_eq!(report.failed_streams, 1);
    assert_eq!(t.connect_failures.get("http_429"), Some(&1));
    assert_eq!(t.connect_failures.len(), 1);
    assert_eq!(t.reconnect_requests, 4);
    assert_eq!(t.reconnects, 4);
    assert_eq!(t.dropped_early, 0, "{:?}", t.drop_reasons);
    assert!(t.heartbeats >= 4, "heartbeats {}", t.heartbeats);
    assert!(
        t.events_by_type
            .get("notification")
            .is_some_and(|n| *n >= 8),
        "{:?}",
        t.events_by_type
    );
    assert_eq!(t.out_of_order, 0);
    assert_eq!(t.parse_errors, 0);
    assert!(t.comments >= 8);
    assert_eq!(t.retry_hint_ms, Some(100));
    assert!(report.ramp_done_s.is_some());
    let h = report.hub.as_ref().expect("hub report");
    assert!(h.before.is_some_and(|s| s.rss_kb > 0));
    assert!(h.at_peak.is_some() && h.kb_per_stream.is_some() && h.max_fds.is_some());

    // Every reconnect resumed from the last id seen (the welcome notification, id 1).
    let requests = lock(&hub.stream_requests).clone();
    for user in ["u1", "u2", "u3", "u4"] {
        let ids: Vec<Option<u64>> = requests
            .iter()
            .filter(|(u, _)| u == user)
            .map(|(_, l)| *l)
            .collect();
        assert_eq!(ids, vec![None, Some(1)], "{user}");
    }
    let peers = lock(&hub.peers).clone();
    let want: HashSet<IpAddr> = ["127.0.0.2", "127.0.0.3"]
        .iter()
        .map(|s| s.parse().expect("ip"))
        .collect();
    assert_eq!(peers, want);
}

fn hugs_config(addr: SocketAddr, path: std::path::PathBuf) -> HugsConfig {
    let target = parse_target_url(&format!("http://localhost:{}", addr.port())).expect("url");
    HugsConfig {
        send_targets: vec![target.clone()],
        stream_targets: vec![target],
        tokens_file: Some(path),
        recipients: 3,
        senders: None,
        processes: 2,
        in_process: true,
        source_ips: Vec::new(),
        ramp_per_sec: 0.0,
        rate: 40.0,
        duration: Duration::from_secs(2),
        concurrency: 4,
        drain: Duration::from_secs(3),
        ready_timeout: Duration::from_secs(5),
        post_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(5),
        reconnect_delay: Duration::from_millis(50),
        hug_type: "warm".into(),
        hub_pid: None,
        quiet: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hugs_are_all_delivered_even_across_a_reconnect() {
    // Each recipient's first stream is closed with `event: reconnect` after 5
    // frames, while hugs keep coming: the resume must lose nothing.
    let (hub, addr) = start_hub(HubOpts {
        reconnect_after: Some(5),
        ..HubOpts::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, tokens) = tokens_file(&dir, 8);
    let report = run_hugs(hugs_config(addr, path), tokens)
        .await
        .expect("hugs");
    println!("{report}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.recipients_connected, 3);
    assert_eq!(report.senders, 5);
    assert!(report.sent >= 70, "sent {}", report.sent);
    assert_eq!(report.attempted, report.sent);
    assert!(report.post_errors.is_empty(), "{:?}", report.post_errors);
    assert_eq!(report.lost, 0, "lost {:?}", report.lost_sample);
    assert_eq!(report.received, report.sent);
    assert_eq!(report.frames, report.sent);
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.unconfirmed, 0);
    assert_eq!(report.misrouted, 0);
    assert_eq!(report.foreign, 0);
    assert_eq!(report.out_of_order, 0);
    assert_eq!(report.streams.reconnect_requests, 3);
    assert_eq!(report.streams.reconnects, 3);
    assert_eq!(report.latency_e2e.count, report.sent);
    assert_eq!(report.latency_post.count, report.sent);
    assert!(report.latency_e2e.p99_ms < 1000.0, "{}", report.latency_e2e);
    assert!(report.latency_e2e.max_ms >= report.latency_e2e.p50_ms);
    assert!(
        report.achieved_rate > 15.0 && report.achieved_rate < 50.0,
        "{}",
        report.achieved_rate
    );
    assert!(
        report.post_connects <= 4,
        "keep-alive: {} connections",
        report.post_connects
    );
    assert_eq!(hub.hugs.load(Ordering::Relaxed), report.sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_slower_than_the_plan_ends_the_run_on_time_and_reports_what_was_not_sent() {
    // 4 connections × one answer per 50 ms = at most 80 hugs/s, against a plan of 400/s
    // for 1 s: the run must end after about 1 s (not work off a backlog of 400 hugs for
    // 5 s) and report the achieved rate and the hugs never sent.
    let (hub, addr) = start_hub(HubOpts {
        post_delay: Some(Duration::from_millis(50)),
        ..HubOpts::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, tokens) = tokens_file(&dir, 8);
    let config = HugsConfig {
        rate: 400.0,
        duration: Duration::from_secs(1),
        ..hugs_config(addr, path)
    };
    let report = run_hugs(config, tokens).await.expect("hugs");
    println!("{report}");
    assert!(report.send_s < 1.5, "send phase took {} s", report.send_s);
    assert!(
        report.sent >= 40 && report.sent <= 100,
        "sent {}",
        report.sent
    );
    assert_eq!(report.attempted, report.sent);
    assert_eq!(report.not_sent, 400 - report.attempted);
    assert!(
        report.achieved_rate > 30.0 && report.achieved_rate < 100.0,
        "{}",
        report.achieved_rate
    );
    assert_eq!(report.lost, 0, "lost {:?}", report.lost_sample);
    assert_eq!(hub.hugs.load(Ordering::Relaxed), report.sent);
}

/// Two fake hubs sharing one event log, like two nodes of a cluster.
async fn start_two_nodes() -> ((Arc<Hub>, SocketAddr), (Arc<Hub>, SocketAddr)) {
    let logs = Arc::new(Mutex::new(Logs::default()));
    let a = start_node(HubOpts::default(), logs.clone()).await;
    let b = start_node(HubOpts::default(), logs).await;
    (a, b)
}

/// The users whose streams a node served, sorted (one entry per stream request).
fn stream_users(hub: &Hub) -> Vec<String> {
    let mut users: Vec<String> = lock(&hub.stream_requests)
        .iter()
        .map(|(u, _)| u.clone())
        .collect();
    users.sort();
    users
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hugs_cross_nodes_with_posts_on_one_hub_and_streams_on_the_other() {
    let ((posts_hub, posts_addr), (streams_hub, streams_addr)) = start_two_nodes().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, tokens) = tokens_file(&dir, 8);
    let send = parse_target_list(&format!("http://{posts_addr}"), "--url").expect("url");
    let stream = parse_target_list(&format!("http://{streams_addr}"), "--stream-url").expect("url");
    let config = HugsConfig {
        send_targets: send,
        stream_targets: stream,
        ..hugs_config(posts_addr, path)
    };
    let report = run_hugs(config, tokens).await.expect("hugs");
    println!("{report}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.recipients_connected, 3);
    assert!(report.sent >= 70, "sent {}", report.sent);
    assert!(report.post_errors.is_empty(), "{:?}", report.post_errors);
    assert_eq!(report.lost, 0, "lost {:?}", report.lost_sample);
    assert_eq!(report.received, report.sent);
    assert_eq!((report.duplicates, report.misrouted), (0, 0));

    // Every POST on the first node, every stream on the second.
    assert_eq!(posts_hub.hugs.load(Ordering::Relaxed), report.sent);
    assert!(
        stream_users(&posts_hub).is_empty(),
        "{:?}",
        stream_users(&posts_hub)
    );
    assert_eq!(streams_hub.hugs.load(Ordering::Relaxed), 0);
    assert_eq!(stream_users(&streams_hub), ["u1", "u2", "u3"]);

    assert_eq!(report.url, format!("http://{posts_addr}"));
    assert_eq!(report.send_targets, [format!("http://{posts_addr}")]);
    assert_eq!(report.stream_targets, [format!("http://{streams_addr}")]);
    let text = report.to_string();
    assert!(
        text.contains(&format!("send targets   http://{posts_addr}\n"))
            && text.contains(&format!("stream targets http://{streams_addr}\n")),
        "{text}"
    );
}

/// The binary with `--url A,B`: worker processes open recipient i's stream on
/// node i mod 2 and the sender connections alternate between the nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_hugs_loads_both_nodes_of_a_cluster() {
    let ((hub_a, addr_a), (hub_b, addr_b)) = start_two_nodes().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = tokens_file(&dir, 8);
    let both = format!("http://{addr_a},http://{addr_b}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_hugmood-loadgen"))
        .args(["hugs", "--url", &both, "--tokens"])
        .arg(&path)
        .args([
            "--recipients",
            "4",
            "--processes",
            "2",
            "--concurrency",
            "2",
        ])
        .args([
            "--rate",
            "20",
            "--duration",
            "2s",
            "--drain",
            "2s",
            "--json",
            "-q",
        ])
        .output()
        .await
        .expect("run hugs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let sent = v["sent"].as_u64().expect("sent");
    assert!(sent >= 30, "{v:#}");
    assert_eq!(v["lost"], 0, "{v:#}");
    assert_eq!(v["received"], v["sent"]);
    assert_eq!(v["url"], both.as_str());
    let listed = json!([format!("http://{addr_a}"), format!("http://{addr_b}")]);
    assert_eq!(v["send_targets"], listed, "{v:#}");
    assert_eq!(v["stream_targets"], listed, "{v:#}");
    assert!(stderr.contains("stream targets http://"), "{stderr}");

    // Recipients u1..u4 alternate between the nodes; so do the two connections' POSTs.
    assert_eq!(stream_users(&hub_a), ["u1", "u3"]);
    assert_eq!(stream_users(&hub_b), ["u2", "u4"]);
    let (on_a, on_b) = (
        hub_a.hugs.load(Ordering::Relaxed),
        hub_b.hugs.load(Ordering::Relaxed),
    );
    assert!(on_a > 0 && on_b > 0, "POSTs: {on_a} on A, {on_b} on B");
    assert_eq!(on_a + on_b, sent);
}

fn friends(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("u{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_times_every_post_on_every_friends_stream_across_a_reconnect() {
    // u1 posts; u2..u6 are friends. Each friend's first stream is closed with
    // `event: reconnect` after 3 frames: the resume must lose nothing.
    let (hub, addr) = start_hub(HubOpts {
        reconnect_after: Some(3),
        mood_friends: friends(2..=6),
        ..HubOpts::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, tokens) = tokens_file(&dir, 6);
    let cfg = FanoutConfig {
        target: parse_target_url(&format!("http://{addr}")).expect("url"),
        friends: 5,
        posts: 4,
        interval: Duration::from_millis(50),
        source_ips: parse_source_ips("127.0.0.2-3").expect("ips"),
        ramp_per_sec: 0.0,
        ready_timeout: Duration::from_secs(5),
        post_timeout: Duration::from_secs(2),
        deliver_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(5),
        reconnect_delay: Duration::from_millis(50),
        hub_pid: None,
        quiet: true,
    };
    let report = run_fanout(cfg, tokens).await.expect("fanout");
    println!("{report}");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.author, "u1");
    assert_eq!(report.streams_ready, 5);
    assert_eq!(report.posts.len(), 4);
    assert!(report
        .posts
        .iter()
        .all(|p| p.status == "http_201" && p.received == 5));
    assert_eq!(report.time_to_all.count, 4);
    assert_eq!(report.post.count, 4);
    assert_eq!(report.delivery.count, 20, "every single delivery timed");
    assert!(report.time_to_all.max_ms >= report.delivery.p50_ms);
    assert_eq!((report.lost, report.duplicates, report.foreign), (0, 0, 0));
    assert_eq!(report.unconfirmed, 0);
    assert_eq!(report.reconnects, 5, "{report}");
    assert_eq!(report.stream_drops.get("reconnect"), Some(&5));
    assert_eq!(hub.moods.load(Ordering::Relaxed), 4);
    let peers = lock(&hub.peers).clone();
    assert!(peers.contains(&"127.0.0.2".parse::<IpAddr>().expect("ip")));
}

/// The binary: JSON on a clean run, and a non-zero exit when a friend never gets the posts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_fanout_fails_when_a_friend_misses_posts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = tokens_file(&dir, 4);
    let path = path.to_str().expect("utf8 path");
    let exe = env!("CARGO_BIN_EXE_hugmood-loadgen");
    let run = |addr: SocketAddr| {
        tokio::process::Command::new(exe)
            .args([
                "fanout",
                "--url",
                &format!("http://{addr}"),
                "--tokens",
                path,
            ])
            .args([
                "--posts",
                "3",
                "--interval",
                "20ms",
                "--deliver-timeout",
                "300ms",
            ])
            .args(["--timeout", "20s", "--json", "-q"])
            .output()
    };

    let (_hub, addr) = start_hub(HubOpts {
        mood_friends: friends(2..=4),
        ..HubOpts::default()
    })
    .await;
    let out = run(addr).await.expect("run fanout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["friends"], 3, "every token after the author: {v:#}");
    assert_eq!(v["lost"], 0, "{v:#}");
    assert_eq!(v["time_to_all"]["count"], 3, "{v:#}");
    assert!(stderr.contains("== hugmood-loadgen fanout"), "{stderr}");

    // u4 is not a friend: its stream never gets the moods.
    let (_hub, addr) = start_hub(HubOpts {
        mood_friends: friends(2..=3),
        ..HubOpts::default()
    })
    .await;
    let out = run(addr).await.expect("run fanout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "must fail: {stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["lost"], 3, "{v:#}");
    assert_eq!(v["time_to_all"]["count"], 0, "{v:#}");
    assert!(stderr.contains("3 deliveries lost"), "{stderr}");
}

/// The real binary, with child worker processes and JSON output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_runs_hold_and_hugs_with_worker_processes() {
    let (_hub, addr) = start_hub(HubOpts::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = tokens_file(&dir, 6);
    let exe = env!("CARGO_BIN_EXE_hugmood-loadgen");
    let url = format!("http://{addr}");
    let path = path.to_str().expect("utf8 path");

    let out = tokio::process::Command::new(exe)
        .args([
            "hold",
            "--url",
            &url,
            "--tokens",
            path,
            "--streams",
            "6",
            "--processes",
            "2",
        ])
        .args([
            "--source-ips",
            "127.0.0.2-3",
            "--duration",
            "2s",
            "--json",
            "--quiet",
        ])
        .args(["--hub-pid", &std::process::id().to_string()])
        .output()
        .await
        .expect("run hold");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["peak_connected"], 6, "{v:#}");
    assert_eq!(v["processes"], 2);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0), "{v:#}");
    assert!(
        v["totals"]["heartbeats"].as_u64().is_some_and(|n| n >= 6),
        "{v:#}"
    );
    assert!(v["hub"]["kb_per_stream"].is_number(), "{v:#}");
    assert!(stderr.contains("== hugmood-loadgen hold"), "{stderr}");

    let out = tokio::process::Command::new(exe)
        .args([
            "hugs",
            "--url",
            &url,
            "--tokens",
            path,
            "--recipients",
            "2",
            "--processes",
            "2",
        ])
        .args([
            "--rate",
            "20",
            "--duration",
            "2s",
            "--drain",
            "2s",
            "--concurrency",
            "2",
            "--json",
            "-q",
        ])
        .output()
        .await
        .expect("run hugs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(v["sent"].as_u64().is_some_and(|n| n >= 30), "{v:#}");
    assert_eq!(v["lost"], 0, "{v:#}");
    assert_eq!(v["duplicates"], 0);
    assert_eq!(v["received"], v["sent"]);
    assert!(
        v["latency_e2e"]["p99_ms"]
            .as_f64()
            .is_some_and(|p| p < 1000.0),
        "{v:#}"
    );

    // Refused before anything is sent.
    let out = tokio::process::Command::new(exe)
        .args(["hold", "--url", "http://10.0.0.1:8080", "--tokens", path])
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
