//! The limits every connection lives under: how long a request head may take, how
//! long a keep-alive connection may sit idle, how long a write may make no progress,
//! and how many connections a node holds at once. Counted in `hugmood_connections`.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Open TCP connections on this node (gauge).
pub const CONNECTIONS: &str = "hugmood_connections";

/// Deadlines and the connection cap of one node.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A request head must arrive within this time of its first byte (of the
    /// connection's start, for the first request).
    pub head_timeout: Duration,
    /// A keep-alive connection with no request in flight is closed after this long
    /// without a byte either way.
    pub idle_timeout: Duration,
    /// A socket write that makes no progress for this long ends the connection.
    pub write_timeout: Duration,
    /// Connections held at once; one more is refused at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            max_connections: 50_000,
        }
    }
}

/// Hands out one seat per open connection, up to the cap.
pub(super) struct Seats {
    free: Arc<Semaphore>,
}

/// A connection's seat: frees it, and counts it out of the gauge, when dropped.
pub(super) struct Seat {
    _permit: OwnedSemaphorePermit,
}

impl Seats {
    pub(super) fn new(max_connections: usize) -> Self {
        metrics::describe_gauge!(CONNECTIONS, "Open TCP connections on this node");
        metrics::gauge!(CONNECTIONS).set(0.0);
        Self {
            free: Arc::new(Semaphore::new(max_connections.min(Semaphore::MAX_PERMITS))),
        }
    }

    /// A seat, or `None` when every seat is taken.
    pub(super) fn take(&self) -> Option<Seat> {
        let permit = self.free.clone().try_acquire_owned().ok()?;
        metrics::gauge!(CONNECTIONS).increment(1.0);
        Some(Seat { _permit: permit })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        metrics::gauge!(CONNECTIONS).decrement(1.0);
    }
}

/// The whole answer written to a connection refused for the cap, before it is closed.
pub(super) const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 80\r\n\r\n\
{\"error\":{\"code\":\"too_many_connections\",\"message\":\"this node holds all it can\"}}";

#[cfg(test)]
mod tests {
    #[test]
    fn the_refusal_is_one_whole_answer() {
        let text = std::str::from_utf8(super::REFUSED).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["error"]["code"], "too_many_connections");
    }
}
