//! The cluster bus over Redis pub/sub. Each user has a channel; a node subscribes to
//! the channels of the users it has a UserActor for (and to one control channel), so
//! it hears only what its live users need. A publish hints this node's own actors at
//! once and queues the event for Redis; the publisher sends whatever is queued in one
//! pipeline. Pub/sub is at-most-once, so nothing here is the record: after every
//! (re)subscription the actors concerned re-read the store, and a node that could not
//! publish some hints asks every node to re-read (see `wire::RESYNC`).
//!
//! Why per-user channels rather than a fixed set of shard channels: with shards every
//! node receives every event of the cluster and drops those of users it does not hold,
//! so each node's inbound traffic grows with the cluster's whole event rate; with
//! per-user channels a node's traffic is its own users' events, and a subscription is
//! one SUBSCRIBE per user, batched. Measured in `docs/benchmarks.md`.

mod publisher;
mod subscriber;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Bus;
use crate::auth::revocations::{Revocation, Revocations};
use crate::domain::event::Event;
use crate::redis_link::RedisLink;
use crate::user::{Directory, RosterFeed};

/// Events waiting for the publisher at most; past it, hints are dropped and every node
/// is asked to re-read the store instead.
const PUBLISH_QUEUE: usize = 65_536;

pub struct RedisBus {
    directory: Directory,
    queue: mpsc::Sender<Arc<Event>>,
    /// Set when a hint could not be queued or sent.
    lost: Arc<AtomicBool>,
    /// Whether the subscriber connection is up and subscribed.
    connected: Arc<AtomicBool>,
}

impl RedisBus {
    /// Starts the subscriber and the publisher; they run until `shutdown`.
    pub fn start(
        link: RedisLink,
        directory: Directory,
        roster: RosterFeed,
        revocations: Revocations,
        shutdown: CancellationToken,
    ) -> Self {
        let (queue, pending) = mpsc::channel(PUBLISH_QUEUE);
        let lost = Arc::new(AtomicBool::new(false));
        let connected = Arc::new(AtomicBool::new(false));
        tokio::spawn(subscriber::run(
            link.clone(),
            directory.clone(),
            roster,
            revocations,
            connected.clone(),
            shutdown.clone(),
        ));
        tokio::spawn(publisher::run(link, pending, lost.clone(), shutdown));
        Self {
            directory,
            queue,
            lost,
            connected,
        }
    }
}

impl Bus for RedisBus {
    fn publish(&self, event: Arc<Event>) {
        // This node's own actors need no round trip through Redis (and keep receiving
        // while Redis is away); other nodes skip the echo of this one's messages.
        self.directory.hint(event.clone());
        if self.queue.try_send(event).is_err() {
            self.lost.store(true, Ordering::Release);
        }
    }

    fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }
}

/// Tells every node that a session (or an account) ended. Best effort: a node that
/// misses it reads the end from the store within a second.
pub(crate) async fn announce_revocation(link: &RedisLink, revocation: Revocation) {
    let mut conn = link.commands();
    let sent = link
        .run(
            redis::cmd("PUBLISH")
                .arg(wire::control_channel())
                .arg(wire::encode_revocation(revocation))
                .query_async::<()>(&mut conn),
        )
        .await;
    match sent {
        Ok(()) => {
            metrics::counter!(crate::observe::BUS_MESSAGES, "direction" => "out").increment(1)
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot announce an ended session; nodes will read it from the store")
        }
    }
}
