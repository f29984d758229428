//! Handing a connection to hyper's HTTP/1 server, with the bytes already read replayed
//! first, the connection's deadlines watched, and hyper's graceful shutdown when the
//! hub stops.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::activity::{Activity, Answer, Watched};
use super::limits::ConnectionLimits;
use super::replay::Replay;
use super::MAX_HEAD_BYTES;

/// Serves requests on `socket` until the client closes it, a deadline of `limits`
/// passes, or, after `shutdown`, the request in flight is answered.
pub(super) async fn serve(
    socket: TcpStream,
    peer: SocketAddr,
    buffered: Bytes,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    let activity = Activity::new();
    let io = TokioIo::new(Watched::new(
        Replay::new(buffered, socket),
        activity.clone(),
    ));
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            answer(router.clone(), activity.clone(), request)
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The same bound on later request heads of the connection as on its first.
    builder.max_buf_size(MAX_HEAD_BYTES);
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        expired = activity.expired(&limits) => {
            tracing::debug!(?expired, "connection deadline passed; closing");
            return;
        }
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                result = conn.as_mut() => result,
                _ = activity.expired(&limits) => return,
            }
        }
    };
    if let Err(err) = result {
        tracing::trace!(error = %err, "connection ended with an error");
    }
}

/// Answers one request; the request stays in flight until its body has been sent.
async fn answer(
    router: Router,
    activity: Arc<Activity>,
    request: Request<Incoming>,
) -> Result<axum::response::Response<Answer>, std::convert::Infallible> {
    let in_flight = activity.begin();
    let response = router.oneshot(request.map(Body::new)).await?;
    Ok(response.map(|body| Answer {
        body,
        _in_flight: in_flight,
    }))
}
