//! The lean path: one stream request per connection. The router answers it like any
//! other request; its response head is written here and its body frames go straight
//! to the socket, so the connection keeps no buffer of its own while the stream is
//! held. The socket is also watched for the client going away, which ends the stream
//! (and so its subscription) at once instead of at the next failed write.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tower::ServiceExt;

use super::wire::{self, Framing};
use super::write_deadline;

/// Bytes read and thrown away per wake-up when a client sends more after its stream
/// request; its next wake-up reads on, so a chatty client cannot hold the task.
const DISCARD_BYTES: usize = 256;

/// Answers `request` with `router` and writes the response; closes the connection
/// when the response ends.
pub(super) async fn serve(
    mut socket: TcpStream,
    request: Box<Request<Body>>,
    router: Router,
    write_timeout: Duration,
) {
    // Boxed, so the handler's state (auth, subscribing) is freed once it has answered
    // instead of sizing the task that holds the stream.
    let response = match Box::pin(router.oneshot(*request)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    match write_response(&socket, response, write_timeout).await {
        Ok(()) => {
            let _ = socket.shutdown().await;
        }
        Err(err) => tracing::trace!(error = %err, "stream connection ended early"),
    }
}

/// Writes `response`: its head, then its body as it comes; a write that makes no
/// progress for `write_timeout` fails it.
pub(super) async fn write_response(
    socket: &TcpStream,
    response: Response,
    write_timeout: Duration,
) -> io::Result<()> {
    let (parts, body) = response.into_parts();
    let framing = match body.size_hint().exact() {
        Some(length) => Framing::Length(length),
        None => Framing::Chunked,
    };
    let head = wire::response_head(&parts, framing);
    drop(parts);
    write_deadline::write_all(socket, head.as_slice(), write_timeout).await?;
    drop(head);
    pump(socket, body, framing, write_timeout).await
}

/// What woke the pump.
enum Wake {
    Frame(Option<Result<axum::body::Bytes, axum::Error>>),
    Peer,
}

/// Copies the body to the socket until it ends, it fails, or the client leaves.
async fn pump(
    socket: &TcpStream,
    mut body: Body,
    framing: Framing,
    write_timeout: Duration,
) -> io::Result<()> {
    loop {
        let wake = poll_fn(|cx| {
            loop {
                match Pin::new(&mut body).poll_frame(cx) {
                    // Trailers have no place in this response; skip them.
                    Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                        Ok(data) => return Poll::Ready(Wake::Frame(Some(Ok(data)))),
                        Err(_) => continue,
                    },
                    Poll::Ready(Some(Err(err))) => return Poll::Ready(Wake::Frame(Some(Err(err)))),
                    Poll::Ready(None) => return Poll::Ready(Wake::Frame(None)),
                    Poll::Pending => break,
                }
            }
            socket.poll_read_ready(cx).map(|_| Wake::Peer)
        })
        .await;
        match wake {
            Wake::Frame(Some(Ok(data))) => match framing {
                Framing::Chunked if data.is_empty() => {}
                Framing::Chunked => {
                    write_deadline::write_all(socket, wire::chunk(data), write_timeout).await?;
                }
                Framing::Length(_) => {
                    write_deadline::write_all(socket, data, write_timeout).await?
                }
            },
            Wake::Frame(Some(Err(err))) => return Err(io::Error::other(err)),
            Wake::Frame(None) => break,
            Wake::Peer => {
                if peer_left(socket) {
                    return Err(io::ErrorKind::ConnectionAborted.into());
                }
            }
        }
    }
    if framing == Framing::Chunked {
        write_deadline::write_all(socket, wire::LAST_CHUNK, write_timeout).await?;
    }
    Ok(())
}

/// Whether the client closed its side (or the connection failed). Bytes it sent after
/// its request are read and dropped: a stream takes no further requests.
fn peer_left(socket: &TcpStream) -> bool {
    let mut scratch = [0u8; DISCARD_BYTES];
    match socket.try_read(&mut scratch) {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => false,
        Err(_) => true,
    }
}
