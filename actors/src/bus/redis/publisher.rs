//! Sends queued hints to Redis: everything queued goes out in one pipeline of
//! PUBLISH commands. A failed pipeline is not retried — by the time Redis is back the
//! hints are stale; instead the next pipeline that goes through also tells every node
//! to re-read the store, which delivers whatever those hints would have.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::wire;
use crate::domain::event::Event;
use crate::observe;
use crate::redis_link::{Backoff, RedisLink};

/// Most events in one pipeline.
const BATCH: usize = 512;

pub(super) async fn run(
    link: RedisLink,
    mut pending: mpsc::Receiver<Arc<Event>>,
    lost: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let node = link.node();
    let control = wire::control_channel();
    let mut batch = Vec::with_capacity(BATCH);
    let mut backoff = Backoff::new();
    loop {
        tokio::select! {
            got = pending.recv_many(&mut batch, BATCH) => if got == 0 { return },
            () = shutdown.cancelled() => return,
        }
        let mut pipe = redis::pipe();
        let mut messages = 0u64;
        for event in batch.drain(..) {
            if let Some(message) = wire::encode(node, &event) {
                pipe.cmd("PUBLISH")
                    .arg(wire::user_channel(event.user_id))
                    .arg(message)
                    .ignore();
                messages += 1;
            }
        }
        let resync = lost.swap(false, Ordering::AcqRel);
        if resync {
            pipe.cmd("PUBLISH").arg(&control).arg(wire::RESYNC).ignore();
            messages += 1;
        }
        let mut conn = link.commands();
        match link.run(pipe.query_async::<()>(&mut conn)).await {
            Ok(()) => {
                backoff.reset();
                metrics::counter!(observe::BUS_MESSAGES, "direction" => "out").increment(messages);
                if resync {
                    tracing::info!("asked every node to re-read hints this one could not send");
                }
            }
            Err(err) => {
                lost.store(true, Ordering::Release);
                let delay = backoff.next_delay();
                tracing::warn!(error = %err, retry_in_ms = delay.as_millis() as u64, "cannot publish to Redis; nodes will re-read the store");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shutdown.cancelled() => return,
                }
            }
        }
    }
}
