//! The hub's HTTP/1.1 server. Requests for `GET /api/v1/sse/stream` take a lean path
//! that keeps no read buffer for the life of the connection; every other request is
//! handed to hyper. Both paths call the same axum `Router`, so authentication,
//! metrics, tracing and error bodies are the same whichever path a request takes.
//!
//! Why: hyper keeps its connection read buffer (about 16 KB) for as long as a
//! connection lives. A held SSE stream reads nothing after its request head, so for
//! thousands of streams that buffer was the largest part of the hub's memory.

mod activity;
mod conn;
mod head;
mod http1;
mod limits;
mod replay;
mod stream;
mod wire;
mod write_deadline;

pub use limits::{ConnectionLimits, CONNECTIONS};

use axum::Router;
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Largest request head (request line and header fields) accepted on either path;
/// a larger one is answered 431.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most header fields in one request head (hyper's own default); more is a 431.
const MAX_HEADERS: usize = 100;
/// Pause after an accept error that is not about one connection (such as running out
/// of file descriptors), so the loop does not spin while the condition lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `router` on `listener`, each connection under `limits`, until `shutdown` is
/// cancelled. Then it stops
/// accepting, tells hyper's connections to finish their in-flight requests and
/// close, and returns once every connection has ended; held streams end on their
/// own when the realtime engine sends them `reconnect` (same token).
pub(crate) async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let connections = TaskTracker::new();
    let seats = limits::Seats::new(limits.max_connections);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => break,
        };
        match accepted {
            Ok((socket, peer)) => {
                let Some(seat) = seats.take() else {
                    // Refused at once: a best-effort answer, then the socket closes.
                    let _ = socket.try_write(limits::REFUSED);
                    continue;
                };
                // Whole frames are written at once; waiting to merge them only adds
                // latency to event delivery.
                let _ = socket.set_nodelay(true);
                let handle =
                    conn::handle(socket, peer, router.clone(), limits, shutdown.clone(), seat);
                connections.spawn(handle);
            }
            Err(err) if is_connection_error(&err) => {}
            Err(err) => {
                tracing::error!(error = %err, "accept failed; pausing");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    drop(listener);
    connections.close();
    connections.wait().await;
    Ok(())
}

/// Errors that concern one connection only (the peer gave up before it was
/// accepted); the listener itself is fine.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
