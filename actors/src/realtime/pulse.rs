//! One timer for all streams: a watch channel carrying the latest heartbeat time, or the
//! shutdown notice. Each stream holds only a receiver, not a timer of its own.

use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::domain::time::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulse {
    /// Time to send a heartbeat carrying this server time.
    Beat(DateTime<Utc>),
    /// The node is going away: tell clients to reconnect and end.
    Shutdown,
}

pub(super) fn start(every: Duration, shutdown: CancellationToken) -> watch::Receiver<Pulse> {
    let (tx, rx) = watch::channel(Pulse::Beat(now()));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    let _ = tx.send(Pulse::Beat(now()));
                }
                () = shutdown.cancelled() => {
                    let _ = tx.send(Pulse::Shutdown);
                    return;
                }
            }
        }
    });
    rx
}
