//! Just enough HTTP/1.1 over raw tokio sockets: bind to a chosen source
//! address, connect, write a request by hand, parse the response head, and
//! decode the body (chunked, Content-Length, or until close) in place.

use crate::chunked::{ChunkError, ChunkedDecoder};
use crate::target::Target;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Per-connection read buffer (also the limit for a response head).
pub const READ_BUF: usize = 4096;

/// Why a request did not produce a usable response.
#[derive(Debug)]
pub enum HttpError {
    /// The server answered with a status we did not want.
    Status { code: u16 },
    /// Connect or response did not come in time.
    Timeout,
    /// A socket error.
    Io(io::Error),
    /// The bytes were not HTTP as we know it.
    Bad(String),
}

impl HttpError {
    /// A short, stable label for counting failures by reason.
    pub fn reason(&self) -> String {
        match self {
            HttpError::Status { code } => format!("http_{code}"),
            HttpError::Timeout => "timeout".into(),
            HttpError::Bad(_) => "bad_response".into(),
            HttpError::Io(e) => io_reason(e),
        }
    }
}

/// Labels an I/O error the way the reports count it.
pub fn io_reason(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(24) => return "too_many_open_files".into(), // EMFILE
        Some(23) => return "too_many_open_files_system".into(), // ENFILE
        Some(99) => return "addr_not_available".into(),  // EADDRNOTAVAIL: out of ports
        Some(98) => return "addr_in_use".into(),         // EADDRINUSE
        _ => {}
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "refused".into(),
        io::ErrorKind::ConnectionReset => "reset".into(),
        io::ErrorKind::ConnectionAborted => "aborted".into(),
        io::ErrorKind::TimedOut => "timeout".into(),
        io::ErrorKind::UnexpectedEof => "closed".into(),
        io::ErrorKind::BrokenPipe => "broken_pipe".into(),
        kind => format!("io_{kind:?}").to_lowercase(),
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Status { code } => write!(f, "HTTP status {code}"),
            HttpError::Timeout => write!(f, "timed out"),
            HttpError::Io(e) => write!(f, "{e}"),
            HttpError::Bad(m) => write!(f, "bad response: {m}"),
        }
    }
}

impl std::error::Error for HttpError {}

impl From<io::Error> for HttpError {
    fn from(e: io::Error) -> Self {
        HttpError::Io(e)
    }
}

impl From<ChunkError> for HttpError {
    fn from(e: ChunkError) -> Self {
        HttpError::Bad(e.to_string())
    }
}

/// Opens a TCP connection to `target`, first binding to `source` (port 0: the
/// kernel picks a free ephemeral port of that address) when given.
pub async fn connect(target: &Target, source: Option<IpAddr>) -> io::Result<TcpStream> {
    let socket = if target.addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(target.addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// The parts of a response head the tool cares about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseHead {
    pub status: u16,
    pub chunked: bool,
    pub content_length: Option<u64>,
    pub content_type: Option<String>,
    pub connection_close: bool,
}

/// Position just past the blank line that ends a response head, if complete.
pub fn find_head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Parses a status line and headers (`head` includes the final blank line).
pub fn parse_head(head: &[u8]) -> Result<ResponseHead, HttpError> {
    let text = std::str::from_utf8(head).map_err(|_| HttpError::Bad("head is not UTF-8".into()))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Bad(format!("status line {status_line:?}")));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| HttpError::Bad(format!("status line {status_line:?}")))?;
    let mut h = ResponseHead {
        status,
        connection_close: version == "HTTP/1.0",
        ..ResponseHead::default()
    };
    for line in lines {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(HttpError::Bad(format!("header line {line:?}")));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            h.chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("content-length") {
            h.content_length = Some(
                value
                    .parse()
                    .map_err(|_| HttpError::Bad(format!("content-length {value:?}")))?,
            );
        } else if name.eq_ignore_ascii_case("content-type") {
            h.content_type = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("connection") {
            if value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("close"))
            {
                h.connection_close = true;
            } else if value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("keep-alive"))
            {
                h.connection_close = false;
            }
        }
    }
    Ok(h)
}

/// How the body of a response ends.
#[derive(Debug, Clone)]
pub enum BodyDecoder {
    Chunked(ChunkedDecoder),
    Length(u64),
    UntilClose,
}

impl BodyDecoder {
    pub fn for_head(head: &ResponseHead) -> Self {
        if head.chunked {
            BodyDecoder::Chunked(ChunkedDecoder::new())
        } else if let Some(n) = head.content_length {
            BodyDecoder::Length(n)
        } else if head.status == 204 || head.status == 304 || head.status < 200 {
            BodyDecoder::Length(0)
        } else {
            BodyDecoder::UntilClose
        }
    }

    /// Decodes the raw bytes in `buf` in place; returns the payload length.
    pub fn decode(&mut self, buf: &mut [u8]) -> Result<usize, ChunkError> {
        match self {
            BodyDecoder::Chunked(d) => d.decode(buf),
            BodyDecoder::Length(rem) => {
                let n = usize::try_from(*rem).map_or(buf.len(), |r| r.min(buf.len()));
                *rem -= n as u64;
                Ok(n)
            }
            BodyDecoder::UntilClose => Ok(buf.len()),
        }
    }

    pub fn is_done(&self) -> bool {
        match self {
            BodyDecoder::Chunked(d) => d.is_done(),
            BodyDecoder::Length(rem) => *rem == 0,
            BodyDecoder::UntilClose => false,
        }
    }
}

/// Reads until a full response head is in `buf`. Returns the head and the
/// number of body bytes that followed it, which are moved to `buf[..n]`.
pub async fn read_head(
    stream: &mut TcpStream,
    buf: &mut [u8],
) -> Result<(ResponseHead, usize), HttpError> {
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            return Err(HttpError::Bad("response head too large".into()));
        }
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Err(HttpError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before a response",
            )));
        }
        filled += n;
        if let Some(end) = find_head_end(&buf[..filled]) {
            let head = parse_head(&buf[..end])?;
            buf.copy_within(end..filled, 0);
            return Ok((head, filled - end));
        }
    }
}

/// An open SSE response: the socket, its body decoder, and how many raw body
/// bytes already sit at the front of the caller's buffer.
#[derive(Debug)]
pub struct SseResponse {
    pub stream: TcpStream,
    pub body: BodyDecoder,
    pub leftover: usize,
}

/// The GET request for the stream.
pub fn sse_request(target: &Target, token: &str, last_event_id: Option<u64>) -> String {
    let mut req = String::with_capacity(256 + token.len());
    req.push_str("GET ");
    req.push_str(&target.path("/api/v1/sse/stream"));
    req.push_str(" HTTP/1.1\r\nHost: ");
    req.push_str(&target.host_header);
    req.push_str("\r\nAuthorization: Bearer ");
    req.push_str(token);
    req.push_str("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
    if let Some(id) = last_event_id {
        req.push_str("Last-Event-ID: ");
        req.push_str(&id.to_string());
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    req
}

/// Connects and sends the stream request; succeeds on a 200 `text/event-stream`.
/// The caller applies its own timeout around this.
pub async fn open_sse(
    target: &Target,
    source: Option<IpAddr>,
    token: &str,
    last_event_id: Option<u64>,
    buf: &mut [u8],
) -> Result<SseResponse, HttpError> {
    let mut stream = connect(target, source).await?;
    stream
        .write_all(sse_request(target, token, last_event_id).as_bytes())
        .await?;
    let (head, leftover) = read_head(&mut stream, buf).await?;
    if head.status != 200 {
        return Err(HttpError::Status { code: head.status });
    }
    let is_sse = head
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/event-stream"));
    if !is_sse {
        return Err(HttpError::Bad(format!(
            "content-type {:?} is not text/event-stream",
            head.content_type
        )));
    }
    Ok(SseResponse {
        stream,
        body: BodyDecoder::for_head(&head),
        leftover,
    })
}

/// One request of a [`PostConn`].
struct Request<'a> {
    method: &'static str,
    path: &'a str,
    token: &'a str,
    key: Option<&'a str>,
    body: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    fn get(path: &'a str, token: &'a str) -> Self {
        Self {
            method: "GET",
            path,
            token,
            key: None,
            body: None,
        }
    }
}

/// A keep-alive connection for POSTs and GETs (reconnects as needed).
#[derive(Debug)]
pub struct PostConn {
    target: Target,
    source: Option<IpAddr>,
    stream: Option<TcpStream>,
    buf: Box<[u8]>,
    req: Vec<u8>,
    /// Connections opened so far (1 when keep-alive works).
    pub connects: u64,
}

impl PostConn {
    pub fn new(target: Target, source: Option<IpAddr>) -> Self {
        PostConn {
            target,
            source,
            stream: None,
            buf: vec![0; READ_BUF].into_boxed_slice(),
            req: Vec::with_capacity(1024),
            connects: 0,
        }
    }

    /// POSTs a JSON body and returns the status, reading and discarding the
    /// response body. On any error the connection is dropped (not retried:
    /// POST /hugs is not idempotent without a key).
    pub async fn post_json(
        &mut self,
        path: &str,
        token: &str,
        body: &[u8],
        timeout: Duration,
    ) -> Result<u16, HttpError> {
        self.post_with(path, token, None, body, timeout, None).await
    }

    /// Like [`PostConn::post_json`], with an optional `Idempotency-Key` (so a POST
    /// whose answer was lost can be sent again), returning the decoded response body
    /// too (for an id the server made up); a body over `max_body` bytes is an error.
    pub async fn post_json_body(
        &mut self,
        path: &str,
        token: &str,
        idempotency_key: Option<&str>,
        body: &[u8],
        timeout: Duration,
        max_body: usize,
    ) -> Result<(u16, Vec<u8>), HttpError> {
        let mut answer = Vec::new();
        let status = self
            .post_with(
                path,
                token,
                idempotency_key,
                body,
                timeout,
                Some((&mut answer, max_body)),
            )
            .await?;
        Ok((status, answer))
    }

    /// GETs `path` on the kept-alive connection and returns the status and the decoded
    /// body (at most `max_body` bytes).
    pub async fn get_json_body(
        &mut self,
        path: &str,
        token: &str,
        timeout: Duration,
        max_body: usize,
    ) -> Result<(u16, Vec<u8>), HttpError> {
        let mut answer = Vec::new();
        let status = self
            .send_with(
                Request::get(path, token),
                timeout,
                Some((&mut answer, max_body)),
            )
            .await?;
        Ok((status, answer))
    }

    async fn post_with(
        &mut self,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: &[u8],
        timeout: Duration,
        sink: Option<(&mut Vec<u8>, usize)>,
    ) -> Result<u16, HttpError> {
        let request = Request {
            method: "POST",
            path,
            token,
            key,
            body: Some(body),
        };
        self.send_with(request, timeout, sink).await
    }

    async fn send_with(
        &mut self,
        request: Request<'_>,
        timeout: Duration,
        sink: Option<(&mut Vec<u8>, usize)>,
    ) -> Result<u16, HttpError> {
        match tokio::time::timeout(timeout, self.send_inner(request, sink)).await {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(e)) => {
                self.stream = None;
                Err(e)
            }
            Err(_) => {
                self.stream = None;
                Err(HttpError::Timeout)
            }
        }
    }

    async fn send_inner(
        &mut self,
        request: Request<'_>,
        mut sink: Option<(&mut Vec<u8>, usize)>,
    ) -> Result<u16, HttpError> {
        self.req.clear();
        let Request {
            method,
            path,
            token,
            key,
            body,
        } = request;
        let full_path = self.target.path(path);
        let key_header = key.map_or(String::new(), |k| format!("Idempotency-Key: {k}\r\n"));
        let body_headers = body.map_or(String::new(), |b| {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            )
        });
        let head = format!(
            "{method} {full_path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Accept: application/json\r\n{key_header}{body_headers}\r\n",
            self.target.host_header,
        );
        self.req.extend_from_slice(head.as_bytes());
        self.req.extend_from_slice(body.unwrap_or_default());
        if self.stream.is_none() {
            self.stream = Some(connect(&self.target, self.source).await?);
            self.connects += 1;
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| HttpError::Bad("no connection".into()))?;
        stream.write_all(&self.req).await?;
        let (head, mut filled) = read_head(stream, &mut self.buf).await?;
        let mut body_dec = BodyDecoder::for_head(&head);
        loop {
            let n = body_dec.decode(&mut self.buf[..filled])?;
            if let Some((out, max)) = sink.as_mut() {
                if out.len() + n > *max {
                    return Err(HttpError::Bad(format!("response body over {max} bytes")));
                }
                out.extend_from_slice(&self.buf[..n]);
            }
            if body_dec.is_done() {
                break;
            }
            filled = stream.read(&mut self.buf).await?;
            if filled == 0 {
                if matches!(body_dec, BodyDecoder::UntilClose) {
                    self.stream = None;
                    return Ok(head.status);
                }
                return Err(HttpError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a response body",
                )));
            }
        }
        if head.connection_close {
            self.stream = None;
        }
        Ok(head.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_parsing() {
        let raw =
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
transfer-encoding: chunked\r\n\r\nbody";
        let end = find_head_end(raw).expect("end");
        assert_eq!(&raw[end..], b"body");
        let h = parse_head(&raw[..end]).expect("head");
        assert_eq!(h.status, 200);
        assert!(h.chunked);
        assert_eq!(h.content_type.as_deref(), Some("text/event-stream"));
        assert!(!h.connection_close);

        let raw = b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 12\r\nConnection: close\r\nretry-after: 1\r\n\r\n";
        let h = parse_head(raw).expect("head");
        assert_eq!(h.status, 429);
        assert_eq!(h.content_length, Some(12));
        assert!(h.connection_close && !h.chunked);

        assert!(find_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n").is_none());
        assert_eq!(find_head_end(b"HTTP/1.1 200 OK\nA: b\n\nx"), Some(22));
        assert!(parse_head(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n").is_err());
        let h = parse_head(b"HTTP/1.0 200 OK\r\n\r\n").expect("head");
        assert!(h.connection_close);
    }

    #[test]
    fn body_decoders() {
        let mut d = BodyDecoder::Length(5);
        let mut buf = *b"abcdefg";
        assert_eq!(d.decode(&mut buf), Ok(5));
        assert!(d.is_done());
        let head = ResponseHead {
            status: 204,
            ..Default::default()
        };
        assert!(BodyDecoder::for_head(&head).is_done());
        let head = ResponseHead {
            status: 200,
            ..Default::default()
        };
        assert!(matches!(
            BodyDecoder::for_head(&head),
            BodyDecoder::UntilClose
        ));
    }

    #[test]
    fn request_has_auth_accept_and_resume() {
        let t = crate::target::parse_target_url("http://127.0.0.1:8080").expect("url");
        let r = sse_request(&t, "tok", Some(17));
        assert!(r.starts_with("GET /api/v1/sse/stream HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
        assert!(r.contains("\r\nAuthorization: Bearer tok\r\n"));
        assert!(r.contains("\r\nAccept: text/event-stream\r\n"));
        assert!(r.contains("\r\nLast-Event-ID: 17\r\n"));
        assert!(r.ends_with("\r\n\r\n"));
        assert!(!sse_request(&t, "tok", None).contains("Last-Event-ID"));
    }

    #[test]
    fn reasons() {
        assert_eq!(HttpError::Status { code: 429 }.reason(), "http_429");
        assert_eq!(HttpError::Timeout.reason(), "timeout");
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(HttpError::Io(refused).reason(), "refused");
        assert_eq!(
            io_reason(&io::Error::from_raw_os_error(24)),
            "too_many_open_files"
        );
        assert_eq!(
            io_reason(&io::Error::from_raw_os_error(99)),
            "addr_not_available"
        );
    }
}
