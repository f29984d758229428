//! The hub's own connection layer over raw TCP: held streams on the lean path with
//! every way to authenticate, refusals in the spec's error JSON, ordinary requests on
//! the same listener (bodies, keep-alive, pipelining), bad request heads answered 4xx,
//! a client that leaves freeing its stream at once, and `reconnect` on shutdown.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STREAM: &str = "/api/v1/sse/stream";
const WAIT: Duration = Duration::from_secs(5);

/// A raw HTTP/1.1 connection: sends bytes as given, reads answers one at a time.
struct Raw {
    socket: TcpStream,
    buf: Vec<u8>,
}

/// One answer read off a raw connection.
#[derive(Debug)]
struct RawAnswer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl Raw {
    async fn connect(hub: &TestHub) -> Self {
        let addr = hub.hub.as_ref().expect("running hub").local_addr();
        let socket = TcpStream::connect(addr).await.expect("connect");
        Self {
            socket,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.socket.write_all(bytes).await.expect("write");
    }

    /// Reads more bytes; `false` at the end of the connection.
    async fn read_more(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(WAIT, self.socket.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => panic!(
                "nothing more within {WAIT:?}; so far: {}",
                String::from_utf8_lossy(&self.buf)
            ),
        }
    }

    /// Reads a response head.
    async fn head(&mut self) -> (u16, Vec<(String, String)>) {
        let end = loop {
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            assert!(self.read_more().await, "closed before a response head");
        };
        let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        self.buf.drain(..end + 4);
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        (status, headers)
    }

    /// Reads a whole response whose body has a `Content-Length`.
    async fn answer(&mut self) -> RawAnswer {
        let (status, headers) = self.head().await;
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_else(|| panic!("no content-length: {headers:?}"));
        while self.buf.len() < length {
            assert!(self.read_more().await, "closed inside a body");
        }
        let body = self.buf.drain(..length).collect();
        RawAnswer {
            status,
            headers,
            body,
        }
    }

    /// Reads until `needle` has arrived (after the head).
    async fn until(&mut self, needle: &str) {
        while !String::from_utf8_lossy(&self.buf).contains(needle) {
            assert!(
                self.read_more().await,
                "closed before {needle:?}; got {}",
                String::from_utf8_lossy(&self.buf)
            );
        }
    }

    /// Reads until the server closes; everything read.
    async fn read_to_close(&mut self) -> String {
        while self.read_more().await {}
        String::from_utf8_lossy(&self.buf).into_owned()
    }
}

fn stream_request(extra: &str) -> String {
    format!("GET {STREAM} HTTP/1.1\r\nHost: hub\r\nAccept: text/event-stream\r\n{extra}\r\n")
}

#[tokio::test]
async fn a_stream_is_served_for_a_bearer_token_a_ticket_and_the_cookie() {
    let hub = TestHub::start().await;
    let (alice, bob) = (hub.register("alice").await, hub.register("bob").await);

    let mut raw = Raw::connect(&hub).await;
    raw.send(stream_request(&format!("Authorization: Bearer {}\r\n", bob.access)).as_bytes())
        .await;
    let (status, headers) = raw.head().await;
    assert_eq!(status, 200, "{headers:?}");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("content-type").as_deref(), Some("text/event-stream"));
    assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(header("x-accel-buffering").as_deref(), Some("no"));
    assert_eq!(header("transfer-encoding").as_deref(), Some("chunked"));
    assert_eq!(header("content-encoding"), None);
    raw.until("retry: ").await;
    send_hug(&hub, &alice, &bob).await;
    raw.until("event: hug_received").await;

    let ticket = hub
        .client
        .post(hub.url("/api/v1/sse/ticket"))
        .bearer_auth(&bob.access)
        .send()
        .await
        .expect("ticket request");
    assert_eq!(ticket.status(), StatusCode::OK);
    let cookie = ticket
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the stream cookie")
        .to_owned();
    let ticket: Value = ticket.json().await.expect("ticket JSON");
    let by_ticket = format!("{STREAM}?ticket={}", str_field(&ticket, "ticket"));
    let mut stream = SseClient::open(&hub, &by_ticket, None, &[])
        .await
        .unwrap_or_else(|r| panic!("ticket refused: {} {}", r.status, r.text));
    let mut by_cookie = SseClient::open(&hub, STREAM, None, &[("Cookie", cookie)])
        .await
        .unwrap_or_else(|r| panic!("cookie refused: {} {}", r.status, r.text));
    send_hug(&hub, &alice, &bob).await;
    for client in [&mut stream, &mut by_cookie] {
        let hug = client.next_of_type("hug_received", WAIT).await;
        assert!(hug.is_some(), "the hug reaches every stream");
    }
    hub.stop().await;
}

#[tokio::test]
async fn refusals_are_the_spec_error_json_and_close_the_connection() {
    let hub = TestHub::start_with(|c| c.max_streams_per_user = 1).await;
    let bob = hub.register("bob").await;

    let mut raw = Raw::connect(&hub).await;
    raw.send(stream_request("").as_bytes()).await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(
        answer.json()["error"]["code"].is_string(),
        "{:?}",
        answer.json()
    );
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(raw.read_to_close().await, "", "nothing after the answer");

    let _held = SseClient::connect(&hub, &bob.access, None).await;
    let mut raw = Raw::connect(&hub).await;
    raw.send(stream_request(&format!("Authorization: Bearer {}\r\n", bob.access)).as_bytes())
        .await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 429);
    assert_error(&answer.json(), "too_many_streams");

    let bad_token = stream_request("Authorization: Bearer not-a-jwt\r\n");
    let mut raw = Raw::connect(&hub).await;
    raw.send(bad_token.as_bytes()).await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 401);
    assert_error(&answer.json(), "invalid_token");
    hub.stop().await;
}

#[tokio::test]
async fn ordinary_requests_share_the_listener_with_bodies_and_keep_alive() {
    let hub = TestHub::start().await;
    let mut raw = Raw::connect(&hub).await;

    raw.send(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("connection"), None, "kept alive");

    // A POST whose body comes in a later write than its head.
    let username = unique_name("raw");
    let body = json!({"username": username, "email": format!("{username}@example.test"), "password": PASSWORD}).to_string();
    let head = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    raw.send(head.as_bytes()).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    raw.send(body.as_bytes()).await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 201, "{:?}", answer.json());
    let token = str_field(&answer.json(), "accessToken");

    // Two requests in one write, on the same connection still.
    let pipelined = format!(
        "GET /api/v1/users/me HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n\r\nGET /api/v1/nowhere HTTP/1.1\r\nHost: hub\r\n\r\n"
    );
    raw.send(pipelined.as_bytes()).await;
    let me = raw.answer().await;
    assert_eq!(me.status, 200, "{:?}", me.json());
    assert_eq!(str_field(&me.json(), "username"), username);
    let missing = raw.answer().await;
    assert_eq!(missing.status, 404);
    assert_error(&missing.json(), "not_found");
    hub.stop().await;
}

#[tokio::test]
async fn a_first_request_that_is_not_a_stream_may_be_a_large_post() {
    let hub = TestHub::start().await;
    let mut raw = Raw::connect(&hub).await;
    let body = json!({"username": "x", "padding": "p".repeat(200_000)}).to_string();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    raw.send(format!("{head}{body}").as_bytes()).await;
    let answer = raw.answer().await;
    assert!(
        (400..500).contains(&answer.status),
        "a 4xx for a bad login body, got {} {:?}",
        answer.status,
        answer.json()
    );
    assert!(answer.json()["error"]["code"].is_string());
    hub.stop().await;
}

#[tokio::test]
async fn bad_request_heads_get_a_4xx_and_the_hub_serves_on() {
    let hub = TestHub::start().await;

    let mut raw = Raw::connect(&hub).await;
    raw.send(b"HELLO\r\n\r\n").await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 400);
    assert_error(&answer.json(), "malformed_request");

    // Larger than the head limit: the answer comes while the client is still writing.
    let raw = Raw::connect(&hub).await;
    let huge = stream_request(&format!("X-Padding: {}\r\n", "a".repeat(100_000)));
    let (mut reader, mut writer) = raw.socket.into_split();
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(huge.as_bytes()).await;
        writer
    });
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(WAIT, reader.read_to_end(&mut reply)).await;
    let _ = writing.await;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    assert!(reply.starts_with("HTTP/1.1 431 "), "{reply}");
    assert!(reply.contains("\"headers_too_large\""), "{reply}");

    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: hub\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-Field-{i}: {i}\r\n"));
    }
    many.push_str("\r\n");
    let mut raw = Raw::connect(&hub).await;
    raw.send(many.as_bytes()).await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 431);
    assert_error(&answer.json(), "headers_too_large");

    // Half a head and then silence: answered 408 when the head time is up.
    let mut raw = Raw::connect(&hub).await;
    raw.send(b"GET /api/v1/sse/stream HTTP/1.1\r\nHost:").await;
    let started = Instant::now();
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), raw.socket.read_to_end(&mut reply)).await;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    assert!(reply.starts_with("HTTP/1.1 408 "), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(14));

    let (status, _) = hub.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    hub.stop().await;
}

#[tokio::test]
async fn a_client_that_leaves_frees_its_stream_at_once() {
    // One stream per user and the default 15 s heartbeat: a stream slot held by a gone
    // client would refuse the next one until a heartbeat write failed.
    let hub = TestHub::start_with(|c| c.max_streams_per_user = 1).await;
    let bob = hub.register("bob").await;
    let mut raw = Raw::connect(&hub).await;
    raw.send(stream_request(&format!("Authorization: Bearer {}\r\n", bob.access)).as_bytes())
        .await;
    assert_eq!(raw.head().await.0, 200);
    raw.until("retry: ").await;
    drop(raw);
    let started = Instant::now();
    loop {
        match SseClient::open(&hub, STREAM, bob.token(), &[]).await {
            Ok(_) => break,
            Err(reply) => {
                assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
                assert!(
                    started.elapsed() < Duration::from_secs(3),
                    "the slot of the gone client was not freed"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_held_stream_gets_reconnect_and_a_clean_end_on_shutdown() {
    let hub = TestHub::start().await;
    let bob = hub.register("bob").await;
    let mut raw = Raw::connect(&hub).await;
    raw.send(stream_request(&format!("Authorization: Bearer {}\r\n", bob.access)).as_bytes())
        .await;
    assert_eq!(raw.head().await.0, 200);
    raw.until("retry: ").await;
    let started = Instant::now();
    let stopping = tokio::spawn(hub.stop());
    let rest = raw.read_to_close().await;
    assert!(
        rest.contains("event: reconnect\r\n") || rest.contains("event: reconnect\n"),
        "{rest}"
    );
    assert!(rest.contains("\"reason\":\"shutdown\""), "{rest}");
    assert!(
        rest.ends_with("0\r\n\r\n"),
        "the chunked body is ended: {rest:?}"
    );
    tokio::time::timeout(WAIT, stopping)
        .await
        .expect("the hub stops promptly")
        .expect("stop task");
    assert!(started.elapsed() < WAIT);
}

/// A hub with short connection deadlines, so the tests of them wait seconds, not minutes.
async fn hub_with_short_deadlines() -> TestHub {
    TestHub::start_with(|c| {
        c.head_timeout_secs = 1;
        c.idle_timeout_secs = 2;
        c.write_timeout_secs = 1;
    })
    .await
}

#[tokio::test]
async fn a_later_head_sent_a_byte_at_a_time_is_cut_off_at_the_head_deadline() {
    let hub = hub_with_short_deadlines().await;
    let mut raw = Raw::connect(&hub).await;
    raw.send(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await;
    assert_eq!(raw.answer().await.status, 200);

    // Trickle a second head, one byte every 200 ms: it never ends in time.
    let started = Instant::now();
    let head = b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut closed = false;
    for byte in head {
        if raw.socket.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut probe = [0u8; 256];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(1), raw.socket.read(&mut probe)).await
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "a trickled head must not keep the connection");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed near the 1 s head deadline, took {:?}",
        started.elapsed()
    );
    hub.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let hub = hub_with_short_deadlines().await;
    let mut raw = Raw::connect(&hub).await;
    raw.send(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await;
    let answer = raw.answer().await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("connection"), None, "kept alive at first");
    // Nothing more is sent: after the 2 s idle deadline the hub closes its side.
    let rest = raw.read_to_close().await;
    assert!(rest.is_empty(), "nothing more was sent: {rest}");
    hub.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_after_the_write_deadline() {
    let hub = hub_with_short_deadlines().await;
    let mut raw = Raw::connect(&hub).await;
    // Far more answer bytes than socket buffers hold, asked for at once, never read.
    let request = b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: hub\r\n\r\n";
    let mut sent = 0;
    while sent < 2_000 {
        let write = tokio::time::timeout(Duration::from_millis(500), raw.socket.write_all(request));
        match write.await {
            Ok(Ok(())) => sent += 1,
            // Our own send buffer is full too, or the hub closed already.
            Ok(Err(_)) | Err(_) => break,
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The hub gave up on the stalled write and closed: reading now reaches the end
    // (without the deadline it would go on writing answers as long as we read).
    let mut total = 0usize;
    let mut chunk = vec![0u8; 64 * 1024];
    let reached_end = loop {
        match tokio::time::timeout(Duration::from_secs(2), raw.socket.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => total += n,
            Err(_) => break false,
        }
    };
    assert!(
        reached_end,
        "the stalled connection is still open after {total} bytes"
    );
    let answer_bytes = hub.get("/api/v1/openapi.json", None).await;
    let one_answer = answer_bytes.1.to_string().len();
    assert!(
        total < one_answer * sent,
        "not every answer was written: {total} bytes for {sent} requests"
    );
    hub.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_are_refused_at_once_and_counted() {
    let hub = TestHub::start_with(|c| c.max_connections = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut raw = Raw::connect(&hub).await;
        raw.send(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
            .await;
        assert_eq!(raw.answer().await.status, 200);
        held.push(raw);
    }
    let mut refused = Raw::connect(&hub).await;
    let answer = refused.answer().await;
    assert_eq!(answer.status, 503);
    assert_error(&answer.json(), "too_many_connections");
    assert!(refused.read_to_close().await.is_empty(), "then closed");

    // A seat frees when a connection ends.
    let mut one = held.pop().expect("held");
    one.send(b"GET /metrics HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .await;
    let (status, _) = one.head().await;
    assert_eq!(status, 200);
    let metrics = one.read_to_close().await;
    let open: f64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("hugmood_connections "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no hugmood_connections gauge in {metrics}"));
    // Other tests of this binary share the process-wide gauge: at least ours count.
    assert!(open >= 3.0, "three connections are open, gauge says {open}");
    drop(one);
    let mut again = None;
    for _ in 0..50 {
        let mut raw = Raw::connect(&hub).await;
        raw.send(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
            .await;
        if raw.answer().await.status == 200 {
            again = Some(raw);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "the freed seat is taken again");
    hub.stop().await;
}
