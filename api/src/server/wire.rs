//! HTTP/1.1 framing for the lean path: the response head, and the chunks of a body
//! whose length is not known in advance.

use axum::http::header::{CONNECTION, CONTENT_LENGTH, DATE, TRANSFER_ENCODING};
use axum::http::response::Parts;
use bytes::{Buf, Bytes};
use std::io::Write;

/// How a response body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    /// `Content-Length`: the body's exact size is known (error answers).
    Length(u64),
    /// `Transfer-Encoding: chunked`: an open-ended body (an event stream).
    Chunked,
}

/// The response head: status line, the handler's header fields, then the framing,
/// `Date` (as hyper adds it) and `Connection: close`, since the lean path serves one
/// request per connection.
pub(super) fn response_head(parts: &Parts, framing: Framing) -> Vec<u8> {
    let mut head = Vec::with_capacity(256);
    let status = parts.status;
    // Writing into a Vec cannot fail.
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &parts.headers {
        if [CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING].contains(name) {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    match framing {
        Framing::Length(length) => {
            let _ = write!(head, "content-length: {length}\r\n");
        }
        Framing::Chunked => head.extend_from_slice(b"transfer-encoding: chunked\r\n"),
    }
    if !parts.headers.contains_key(DATE) {
        let now = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
        let _ = write!(head, "date: {now}\r\n");
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head
}

/// One chunk of a chunked body: its size line, the data and the closing CRLF, as one
/// buffer that is written with a single vectored write and copies nothing.
pub(super) fn chunk(data: Bytes) -> impl Buf {
    let mut size = [0u8; 18];
    let len = {
        let mut cursor = &mut size[..];
        let _ = write!(cursor, "{:x}\r\n", data.len());
        18 - cursor.len()
    };
    Bytes::copy_from_slice(&size[..len])
        .chain(data)
        .chain(&b"\r\n"[..])
}

/// The end of a chunked body.
pub(super) const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, Response, StatusCode};

    fn parts(status: StatusCode) -> Parts {
        let mut response = Response::new(());
        *response.status_mut() = status;
        response.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("text/event-stream"),
        );
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("999"));
        response.into_parts().0
    }

    #[test]
    fn head_has_status_fields_and_framing() {
        let head = response_head(&parts(StatusCode::OK), Framing::Chunked);
        let text = String::from_utf8(head).expect("ascii");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("content-type: text/event-stream\r\n"));
        assert!(text.contains("transfer-encoding: chunked\r\n"));
        assert!(text.contains("\r\ndate: "));
        assert!(!text.contains("999"));
        assert!(text.ends_with("connection: close\r\n\r\n"));
    }

    #[test]
    fn head_of_a_sized_answer() {
        let head = response_head(&parts(StatusCode::TOO_MANY_REQUESTS), Framing::Length(42));
        let text = String::from_utf8(head).expect("ascii");
        assert!(text.starts_with("HTTP/1.1 429 Too Many Requests\r\n"));
        assert!(text.contains("content-length: 42\r\n"));
    }

    #[test]
    fn chunk_is_size_data_crlf() {
        let mut buf = chunk(Bytes::from_static(b"data: x\n\n"));
        let bytes = buf.copy_to_bytes(buf.remaining());
        assert_eq!(&bytes[..], b"9\r\ndata: x\n\n\r\n");
    }
}
