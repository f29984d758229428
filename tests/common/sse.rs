//! A small Server-Sent Events client for the black-box tests: an incremental parser
//! (lines split on `\n`, `\r\n` accepted, `:` comments, `retry:`, `id:`, `event:`,
//! multi-line `data:`, dispatch on a blank line), a client over reqwest's byte stream,
//! and a raw TCP client that reads only when asked (a really slow reader).

use futures::{Stream, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::VecDeque;
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::{read_reply, Reply, TestHub};

/// Bytes of the raw stream kept for assertions on the wire format.
const RAW_KEPT: usize = 64 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// The `id:` of this frame, if it had one (as a number).
    pub id: Option<i64>,
    /// The `event:` name (`message` when the frame had none).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

impl SseEvent {
    /// `data` parsed as JSON; panics with the frame when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("data of {self:?} is not JSON: {e}"))
    }

    /// The id, which must be there.
    pub fn id(&self) -> i64 {
        self.id
            .unwrap_or_else(|| panic!("frame without an id: {self:?}"))
    }
}

/// The incremental parser: feed it bytes, take the events it completed.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
    /// The last `retry:` hint seen.
    pub retry: Option<u64>,
    /// Comment lines seen.
    pub comments: usize,
}

impl SseParser {
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.buf[start..].iter().position(|b| *b == b'\n') {
            let end = start + offset;
            let mut line = &self.buf[start..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let line = String::from_utf8_lossy(line).into_owned();
            start = end + 1;
            if let Some(event) = self.line(&line) {
                out.push(event);
            }
        }
        self.buf.drain(..start);
        out
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            self.comments += 1;
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "id" => self.id = Some(value.to_owned()),
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "retry" => self.retry = value.parse().ok(),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let id = self.id.take();
        let event = self.event.take();
        let data = self.data.take();
        if id.is_none() && event.is_none() && data.is_none() {
            return None;
        }
        Some(SseEvent {
            id: id.map(|id| {
                id.parse()
                    .unwrap_or_else(|_| panic!("non-numeric event id {id:?}"))
            }),
            event: event.unwrap_or_else(|| "message".to_owned()),
            data: data.unwrap_or_default(),
        })
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// An open SSE stream over reqwest.
pub struct SseClient {
    pub status: StatusCode,
    pub headers: HeaderMap,
    stream: ByteStream,
    parser: SseParser,
    queue: VecDeque<SseEvent>,
    /// The first bytes received (up to 64 KiB), to check the wire format.
    pub raw: Vec<u8>,
    ended: bool,
}

/// A client for streams: reqwest's total timeout would cut a long stream.
fn stream_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("stream client")
}

impl SseClient {
    /// Opens the stream of `token`'s user (resuming after `last_event_id` through the
    /// `Last-Event-ID` header); panics unless the answer is 200.
    pub async fn connect(hub: &TestHub, token: &str, last_event_id: Option<i64>) -> Self {
        let headers: Vec<(&str, String)> = last_event_id
            .map(|id| vec![("Last-Event-ID", id.to_string())])
            .unwrap_or_default();
        Self::open(hub, "/api/v1/sse/stream", Some(token), &headers)
            .await
            .unwrap_or_else(|reply| panic!("stream refused: {} {}", reply.status, reply.text))
    }

    /// Opens `path` with `token` and extra headers; a non-200 answer is read whole and
    /// handed back.
    pub async fn open(
        hub: &TestHub,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, String)],
    ) -> Result<Self, Reply> {
        Self::open_url(&hub.url(path), token, headers).await
    }

    /// Opens the stream at a full `url` (e.g. of a hub in another process).
    pub async fn open_url(
        url: &str,
        token: Option<&str>,
        headers: &[(&str, String)],
    ) -> Result<Self, Reply> {
        let mut request = stream_client().get(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        Self::send(request, token).await
    }

    /// POSTs `body` as JSON to `path` and reads the answer as a stream (GraphQL over SSE).
    pub async fn post(
        hub: &TestHub,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Result<Self, Reply> {
        Self::send(stream_client().post(hub.url(path)).json(body), token).await
    }

    async fn send(request: reqwest::RequestBuilder, token: Option<&str>) -> Result<Self, Reply> {
        let mut request = request.header("Accept", "text/event-stream");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("open the stream");
        if response.status() != StatusCode::OK {
            return Err(read_reply(response).await);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let stream = response
            .bytes_stream()
            .map(|chunk| chunk.map(|b| b.to_vec()));
        Ok(Self {
            status,
            headers,
            stream: Box::pin(stream),
            parser: SseParser::default(),
            queue: VecDeque::new(),
            raw: Vec::new(),
            ended: false,
        })
    }

    /// The `retry:` hint received so far.
    pub fn retry(&self) -> Option<u64> {
        self.parser.retry
    }

    /// The kept raw bytes as text.
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    /// Whether the server ended the stream (or the connection failed).
    pub fn ended(&self) -> bool {
        self.ended && self.queue.is_empty()
    }

    /// The next event within `timeout`; `None` on timeout or at the end of the stream.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => self.ended = true,
                Ok(Some(Ok(bytes))) => {
                    if self.raw.len() < RAW_KEPT {
                        let room = RAW_KEPT - self.raw.len();
                        self.raw.extend_from_slice(&bytes[..bytes.len().min(room)]);
                    }
                    let events = self.parser.feed(&bytes);
                    self.queue.extend(events);
                }
            }
        }
    }

    /// The next event named `kind` within `timeout`, skipping others (heartbeats...).
    pub async fn next_of_type(&mut self, kind: &str, timeout: Duration) -> Option<SseEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next_event(left).await?;
            if event.event == kind {
                return Some(event);
            }
        }
    }

    /// Every event until one satisfies `stop` (included) or `timeout` passes or the
    /// stream ends.
    pub async fn collect_until(
        &mut self,
        mut stop: impl FnMut(&SseEvent) -> bool,
        timeout: Duration,
    ) -> Vec<SseEvent> {
        let deadline = Instant::now() + timeout;
        let mut events = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = self.next_event(left).await else {
                return events;
            };
            let done = stop(&event);
            events.push(event);
            if done {
                return events;
            }
        }
    }

    /// The events (heartbeats excluded) that arrive within `window`: for "nothing more".
    pub async fn quiet_for(&mut self, window: Duration) -> Vec<SseEvent> {
        self.collect_until(|_| false, window)
            .await
            .into_iter()
            .filter(|e| e.event != "heartbeat")
            .collect()
    }

    /// Reads until the server ends the stream (within `timeout`); the events on the
    /// way, and whether it did end.
    pub async fn read_to_end(&mut self, timeout: Duration) -> (Vec<SseEvent>, bool) {
        let events = self.collect_until(|_| false, timeout).await;
        let ended = self.ended();
        (events, ended)
    }
}

/// Parses the SSE data of a hug event: `{"id", "type", "data", "createdAt"}`.
pub fn event_json(event: &SseEvent) -> Value {
    let json = event.json();
    assert_eq!(
        json["id"].as_i64(),
        event.id,
        "the frame id and the event JSON id agree: {event:?}"
    );
    assert_eq!(
        json["type"].as_str(),
        Some(event.event.as_str()),
        "the frame name and the event type agree: {event:?}"
    );
    json
}

/// A stream read over a bare TCP socket with a tiny receive buffer, which reads only
/// when asked: a client that really stops reading (reqwest would keep buffering).
pub struct RawSseClient {
    socket: TcpStream,
    /// Undecoded bytes of the chunked body.
    body: Vec<u8>,
    parser: SseParser,
    queue: VecDeque<SseEvent>,
    ended: bool,
    pub status_line: String,
    pub head: String,
}

impl RawSseClient {
    /// Sends `GET /api/v1/sse/stream` by hand and reads the response head.
    pub async fn connect(hub: &TestHub, token: &str, last_event_id: Option<i64>) -> Self {
        let addr: std::net::SocketAddr = hub
            .base
            .trim_start_matches("http://")
            .parse()
            .expect("hub address");
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .set_recv_buffer_size(4096)
            .expect("small receive buffer");
        let mut socket = socket.connect(addr).await.expect("connect to the hub");
        let mut request = format!(
            "GET /api/v1/sse/stream HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n"
        );
        if let Some(id) = last_event_id {
            request.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        request.push_str("\r\n");
        socket
            .write_all(request.as_bytes())
            .await
            .expect("send the request");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut byte))
                .await
                .expect("response head within 10 s")
                .expect("read the response head");
            assert!(n == 1, "connection closed in the response head");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let status_line = head.lines().next().unwrap_or_default().to_owned();
        assert!(
            status_line.starts_with("HTTP/1.1 200"),
            "stream refused: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "a chunked stream: {head}"
        );
        Self {
            socket,
            body: Vec::new(),
            parser: SseParser::default(),
            queue: VecDeque::new(),
            ended: false,
            status_line,
            head,
        }
    }

    pub fn ended(&self) -> bool {
        self.ended && self.queue.is_empty()
    }

    /// Decodes the complete chunks in `body` and feeds them to the parser.
    fn decode(&mut self) {
        loop {
            let Some(line_end) = self.body.windows(2).position(|w| w == b"\r\n") else {
                return;
            };
            let size_text = String::from_utf8_lossy(&self.body[..line_end]).into_owned();
            let size_text = size_text.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16)
                .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
            let needed = line_end + 2 + size + 2;
            if self.body.len() < needed {
                return;
            }
            if size == 0 {
                self.ended = true;
                self.body.clear();
                return;
            }
            let events = self
                .parser
                .feed(&self.body[line_end + 2..line_end + 2 + size]);
            self.queue.extend(events);
            self.body.drain(..needed);
        }
    }

    /// The next event within `timeout`; `None` on timeout or at the end.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.socket.read(&mut buf)).await {
                Err(_) => return None,
                Ok(Ok(0)) | Ok(Err(_)) => self.ended = true,
                Ok(Ok(n)) => {
                    self.body.extend_from_slice(&buf[..n]);
                    self.decode();
                }
            }
        }
    }
}

/// Resident memory of this process in KiB (the hub runs in the test process).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// POST /hugs from `from` to `to` (type `warm`), which must answer 201; the hug.
pub async fn send_hug(hub: &TestHub, from: &super::TestUser, to: &super::TestUser) -> Value {
    let (status, hug) = hub
        .post_json(
            "/api/v1/hugs",
            from.token(),
            serde_json::json!({"recipientId": to.id, "hugType": "warm"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "send a hug: {hug}");
    hug
}

/// Polls `check` every 50 ms until it is true or `limit` passes; whether it became true.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends a hug from `from` to `to` through `hub` and asserts that `stream` (one of
/// `to`'s) receives it.
pub async fn assert_hug_reaches(
    hub: &TestHub,
    from: &super::TestUser,
    to: &super::TestUser,
    stream: &mut SseClient,
) {
    let (status, body) = hub
        .post_json(
            "/api/v1/hugs",
            from.token(),
            serde_json::json!({"recipientId": to.id, "hugType": "warm"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        stream
            .next_of_type("hug_received", Duration::from_secs(5))
            .await
            .is_some(),
        "the hug reaches the stream"
    );
}

/// A ticket and the stream cookie (`name=value`) minted with `access`.
pub async fn stream_pass(hub: &TestHub, access: &str) -> (String, String) {
    let response = hub
        .client
        .post(hub.url("/api/v1/sse/ticket"))
        .bearer_auth(access)
        .send()
        .await
        .expect("ticket request");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the stream cookie")
        .to_owned();
    let body: Value = response.json().await.expect("ticket JSON");
    (super::str_field(&body, "ticket"), cookie)
}
