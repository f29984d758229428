//! Handing a connection to hyper's HTTP/1 server, with the bytes already read replayed
//! first, and hyper's graceful shutdown when the hub stops.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::replay::Replay;
use super::MAX_HEAD_BYTES;

/// Serves requests on `socket` until the client closes it or, after `shutdown`, the
/// request in flight is answered.
pub(super) async fn serve(
    socket: TcpStream,
    buffered: Bytes,
    router: Router,
    shutdown: CancellationToken,
) {
    let io = TokioIo::new(Replay::new(buffered, socket));
    let service = TowerToHyperService::new(
        router.map_request(|request: Request<Incoming>| request.map(Body::new)),
    );
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The same bound on later request heads of the connection as on its first.
    builder.max_buf_size(MAX_HEAD_BYTES);
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(err) = result {
        tracing::trace!(error = %err, "connection ended with an error");
    }
}
