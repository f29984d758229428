//! One accepted connection: read its first request head, then serve a stream on the
//! lean path, hand everything else to hyper, or answer a bad head and close.

use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use axum::Router;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::head::{self, Head};
use super::limits::{ConnectionLimits, Seat};
use super::{http1, stream};

/// How long, and how many bytes, a connection answered for a bad head is read and
/// dropped before it is closed.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1024 * 1024;

/// Serves one connection from `peer`; its `seat` is given back when it ends. Each
/// request carries the peer address as `ConnectInfo`, for the client-address rules.
pub(super) async fn handle(
    mut socket: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
    seat: Seat,
) {
    let _seat = seat;
    let head = tokio::select! {
        head = head::read(&mut socket, limits.head_timeout) => head,
        // Nothing was asked yet: there is nothing to finish.
        () = shutdown.cancelled() => return,
    };
    match head {
        Ok(Head::Stream(mut request)) => {
            request.extensions_mut().insert(ConnectInfo(peer));
            stream::serve(socket, request, router, limits.write_timeout).await;
        }
        // Boxed: hyper's connection state is large, and the task of every held stream
        // would otherwise be sized for it too.
        Ok(Head::Other(buffered)) => {
            Box::pin(http1::serve(
                socket, peer, buffered, router, limits, shutdown,
            ))
            .await;
        }
        Err(err) => {
            if let Some(answer) = err.into_api_error() {
                let answer = answer.into_response();
                if stream::write_response(&socket, answer, limits.write_timeout)
                    .await
                    .is_ok()
                {
                    linger(socket).await;
                }
            }
        }
    }
}

/// Ends our side, then reads and drops what the client still sends for a moment
/// before closing. A client may still be writing (a head over the limit), and closing
/// a socket with unread data resets the connection, which can destroy the answer
/// before the client has read it.
async fn linger(mut socket: TcpStream) {
    if socket.shutdown().await.is_err() {
        return;
    }
    // On the heap: this rare state must not enlarge every connection's task.
    let mut scratch = vec![0u8; 4096];
    let drain = async {
        let mut total = 0;
        while total < LINGER_BYTES {
            match socket.read(&mut scratch).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}
