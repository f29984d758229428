//! Which users have a UserActor on this node, as the Redis bus needs to know it to
//! subscribe to their channels. The directory and the actors report every user whose
//! entry appeared or went; the bus reads the directory itself for the current answer,
//! so changes reported out of order cannot leave it subscribed wrongly. The queue is
//! bounded: if it overflows, the bus is told to compare everything instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Changes queued at most before the reader is told to compare everything.
const QUEUE: usize = 65_536;

/// The reporting end; cheap to clone. The default reports to nobody (embedded mode).
#[derive(Clone, Default)]
pub struct RosterChanges {
    tx: Option<mpsc::Sender<Uuid>>,
    overflowed: Arc<AtomicBool>,
}

/// The reading end, held by the bus.
pub struct RosterFeed {
    rx: mpsc::Receiver<Uuid>,
    overflowed: Arc<AtomicBool>,
}

impl RosterChanges {
    pub fn channel() -> (Self, RosterFeed) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let overflowed = Arc::new(AtomicBool::new(false));
        (
            Self {
                tx: Some(tx),
                overflowed: overflowed.clone(),
            },
            RosterFeed { rx, overflowed },
        )
    }

    /// The UserActor of `user` on this node started or stopped.
    pub(crate) fn changed(&self, user: Uuid) {
        if let Some(tx) = &self.tx {
            if tx.try_send(user).is_err() {
                self.overflowed.store(true, Ordering::Release);
            }
        }
    }
}

impl RosterFeed {
    /// Waits for changes and appends up to `limit` of them to `users`; 0 once every
    /// reporting end is gone.
    pub async fn recv_many(&mut self, users: &mut Vec<Uuid>, limit: usize) -> usize {
        self.rx.recv_many(users, limit).await
    }

    /// Whether changes were lost since the last call (then compare everything).
    pub fn take_overflow(&self) -> bool {
        self.overflowed.swap(false, Ordering::AcqRel)
    }

    /// Forgets every queued change (the reader is about to compare everything).
    pub fn clear(&mut self) {
        while self.rx.try_recv().is_ok() {}
        self.overflowed.store(false, Ordering::Release);
    }
}
