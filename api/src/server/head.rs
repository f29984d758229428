//! Reading a connection's first request head into a temporary buffer and deciding
//! its path. A stream request becomes an `http::Request` and the buffer is dropped;
//! any other request keeps the bytes read so far, for hyper to parse again.

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, Version};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{MAX_HEADERS, MAX_HEAD_BYTES};
use crate::error::ApiError;

/// The one route served on the lean path.
pub(super) const STREAM_PATH: &str = "/api/v1/sse/stream";
/// The buffer a head is first read into; a typical stream request (a bearer token or
/// a cookie) fits, and it grows by doubling up to `MAX_HEAD_BYTES`.
const FIRST_READ_BYTES: usize = 2 * 1024;

/// CR and LF bytes tolerated before a request line.
const MAX_LEADING_NEWLINES: usize = 8;

/// Where a connection's first request goes.
pub(super) enum Head {
    /// `GET /api/v1/sse/stream` over HTTP/1.1 without a body, ready for the router
    /// (boxed: the connection's task would otherwise keep room for it all along).
    Stream(Box<Request<Body>>),
    /// Anything else, with every byte read so far (the head and maybe more).
    Other(Bytes),
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeadError {
    /// The client closed, failed or stayed silent before a whole head; nobody to answer.
    Closed,
    /// Part of a head came, the rest not in time.
    TimedOut,
    /// The head is longer than `MAX_HEAD_BYTES` or has more than `MAX_HEADERS` fields.
    TooLarge,
    /// Not an HTTP/1.x request head.
    Malformed,
}

impl HeadError {
    /// The answer to send before closing, in the spec's error format (none when the
    /// client is gone).
    pub(super) fn into_api_error(self) -> Option<ApiError> {
        let (status, code, message) = match self {
            HeadError::Closed => return None,
            HeadError::TimedOut => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request head did not arrive in time",
            ),
            HeadError::TooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                "the request head is too large",
            ),
            HeadError::Malformed => (
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "the request is not valid HTTP/1.1",
            ),
        };
        Some(ApiError::new(status, code, message))
    }
}

/// Reads the first request head of `socket`, within `timeout` of the connection's start.
pub(super) async fn read(socket: &mut TcpStream, timeout: Duration) -> Result<Head, HeadError> {
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; FIRST_READ_BYTES];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if buf.len() >= MAX_HEAD_BYTES {
                return Err(HeadError::TooLarge);
            }
            buf.resize((buf.len() * 2).min(MAX_HEAD_BYTES), 0);
        }
        let read = tokio::time::timeout_at(deadline, socket.read(&mut buf[filled..])).await;
        let before = filled;
        match read {
            Ok(Ok(0)) | Ok(Err(_)) => return Err(HeadError::Closed),
            Ok(Ok(n)) => filled += n,
            Err(_) if filled == 0 => return Err(HeadError::Closed),
            Err(_) => return Err(HeadError::TimedOut),
        }
        if only_empty_lines(&buf[..filled]) {
            return Err(HeadError::Malformed);
        }
        if !worth_parsing(&buf[..filled], before) {
            continue;
        }
        match inspect(&buf[..filled])? {
            Some(Route::Stream(request)) => return Ok(Head::Stream(request)),
            Some(Route::Other) => {
                buf.truncate(filled);
                return Ok(Head::Other(Bytes::from(buf)));
            }
            None => {}
        }
    }
}

/// Whether what came since `scanned` is worth a parse: the first bytes (to refuse
/// what is not HTTP at once), or the end of a line. A head sent a byte at a time then
/// costs one parse per line, and a head has at most `MAX_HEADERS` + 1 lines before it
/// is refused, instead of one parse of the whole buffer per byte.
/// Whether a head opens with more empty lines than any client sends (parsers skip
/// them, so each would cost a parse of the whole buffer).
fn only_empty_lines(bytes: &[u8]) -> bool {
    bytes.len() > MAX_LEADING_NEWLINES
        && bytes[..=MAX_LEADING_NEWLINES]
            .iter()
            .all(|b| matches!(b, b'\r' | b'\n'))
}

fn worth_parsing(bytes: &[u8], scanned: usize) -> bool {
    scanned == 0 || bytes[scanned..].contains(&b'\n')
}

enum Route {
    Stream(Box<Request<Body>>),
    Other,
}

/// Parses what was read so far: `None` while the head is incomplete. Synchronous, so
/// the parser's field table lives on the stack, not in the connection's task.
fn inspect(bytes: &[u8]) -> Result<Option<Route>, HeadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut fields);
    match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    }
    if !is_stream_request(&parsed) {
        return Ok(Some(Route::Other));
    }
    build(&parsed).map(|request| Some(Route::Stream(Box::new(request))))
}

/// A plain `GET` of the stream route over HTTP/1.1 with no body and no upgrade. Any
/// other shape (HTTP/1.0, a body, `HEAD`, an absolute URI) goes to hyper, which knows
/// every corner of the protocol.
fn is_stream_request(parsed: &httparse::Request<'_, '_>) -> bool {
    let path = parsed.path.unwrap_or_default();
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    parsed.method == Some("GET")
        && parsed.version == Some(1)
        && path == STREAM_PATH
        && parsed.headers.iter().all(|field| {
            let name = field.name;
            if name.eq_ignore_ascii_case(CONTENT_LENGTH.as_str()) {
                field.value == b"0"
            } else {
                !name.eq_ignore_ascii_case(TRANSFER_ENCODING.as_str())
                    && !name.eq_ignore_ascii_case(UPGRADE.as_str())
            }
        })
}

/// The request the router sees, as hyper would have built it: same method, target,
/// version and header fields, an empty body.
fn build(parsed: &httparse::Request<'_, '_>) -> Result<Request<Body>, HeadError> {
    let target = parsed.path.ok_or(HeadError::Malformed)?;
    let uri = Uri::try_from(target).map_err(|_| HeadError::Malformed)?;
    let mut headers = HeaderMap::with_capacity(parsed.headers.len());
    for field in parsed.headers.iter() {
        let name =
            HeaderName::from_bytes(field.name.as_bytes()).map_err(|_| HeadError::Malformed)?;
        let value = HeaderValue::from_bytes(field.value).map_err(|_| HeadError::Malformed)?;
        headers.append(name, value);
    }
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.version_mut() = Version::HTTP_11;
    *request.headers_mut() = headers;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(head: &str) -> Result<Option<Route>, HeadError> {
        inspect(head.as_bytes())
    }

    fn is_stream(head: &str) -> bool {
        matches!(route(head), Ok(Some(Route::Stream(_))))
    }

    fn is_other(head: &str) -> bool {
        matches!(route(head), Ok(Some(Route::Other)))
    }

    #[test]
    fn a_stream_request_is_built_with_its_target_and_fields() {
        let head = "GET /api/v1/sse/stream?ticket=abc HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n";
        let Ok(Some(Route::Stream(request))) = route(head) else {
            panic!("not a stream request");
        };
        assert_eq!(request.uri().path(), STREAM_PATH);
        assert_eq!(request.uri().query(), Some("ticket=abc"));
        assert_eq!(request.headers().get_all("cookie").iter().count(), 2);
        assert_eq!(request.version(), Version::HTTP_11);
    }

    #[test]
    fn everything_else_goes_to_hyper() {
        assert!(is_other("GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(is_other(
            "POST /api/v1/sse/stream HTTP/1.1\r\nHost: x\r\n\r\n"
        ));
        assert!(is_other(
            "HEAD /api/v1/sse/stream HTTP/1.1\r\nHost: x\r\n\r\n"
        ));
        assert!(is_other(
            "GET /api/v1/sse/stream HTTP/1.0\r\nHost: x\r\n\r\n"
        ));
        assert!(is_other(
            "GET /api/v1/sse/streams HTTP/1.1\r\nHost: x\r\n\r\n"
        ));
        assert!(is_other(
            "GET /api/v1/sse/stream HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        ));
        assert!(is_other(
            "GET /api/v1/sse/stream HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        ));
        assert!(is_other(
            "GET /api/v1/sse/stream HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"
        ));
        assert!(is_stream(
            "GET /api/v1/sse/stream HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        ));
    }

    #[test]
    fn an_incomplete_head_asks_for_more() {
        assert!(matches!(
            route("GET /api/v1/sse/stream HTTP/1.1\r\nHost:"),
            Ok(None)
        ));
    }

    #[test]
    fn a_broken_head_is_malformed() {
        assert!(matches!(
            route("GET /\x01 HTTP/1.1\r\n\r\n"),
            Err(HeadError::Malformed)
        ));
        assert!(matches!(route("HELLO\r\n\r\n"), Err(HeadError::Malformed)));
    }

    #[test]
    fn a_parse_waits_for_the_end_of_a_line() {
        let bytes = b"GET / HTTP/1.1\r\nHost: exa";
        assert!(worth_parsing(bytes, 0), "the first read is parsed");
        assert!(!worth_parsing(bytes, 17), "part of a line");
        assert!(worth_parsing(bytes, 10), "a line ended in what came");
        assert!(!only_empty_lines(b"\r\nGET / HTTP/1.1\r\n"));
        assert!(only_empty_lines(&[b'\n'; 9]));
    }

    #[test]
    fn too_many_fields_is_too_large() {
        let mut head = String::from("GET / HTTP/1.1\r\n");
        for i in 0..=MAX_HEADERS {
            head.push_str(&format!("x-{i}: 1\r\n"));
        }
        head.push_str("\r\n");
        assert!(matches!(route(&head), Err(HeadError::TooLarge)));
    }
}
