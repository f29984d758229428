//! Messages of the UserActor, and the handle its mailbox is reached by.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use super::subscriber::Subscriber;
use crate::domain::event::Event;

/// Every message is two words at most (the large one is boxed): the mailbox's
/// channel preallocates a block of 32 slots per actor, one actor per user.
pub(crate) enum UserMsg {
    /// Reads where the user's log stands; the first message of every actor.
    Init,
    /// A hint that this event exists (from the bus). Out-of-order or missing ids are
    /// filled from the store.
    Event(Arc<Event>),
    /// Adds a subscriber; answers the id after which every event reaches it.
    Subscribe(Box<SubscribeRequest>),
    Unsubscribe(u64),
    /// Re-reads the store after the last delivered id (after a bus reconnect or a
    /// failed read).
    Resync,
    /// Ends the actor (the node is stopping).
    Stop,
    /// Makes the actor panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    Crash,
}

pub(crate) struct SubscribeRequest {
    pub subscriber: Subscriber,
    /// The last event id the subscriber's client has, if it resumes.
    pub seen: Option<i64>,
    pub reply: oneshot::Sender<i64>,
}

/// The address of one UserActor: its mailbox and an id that tells a restarted or
/// newer actor of the same user apart. Cheap to clone.
#[derive(Clone)]
pub(crate) struct UserRef {
    mailbox: mpsc::UnboundedSender<UserMsg>,
    id: u64,
}

static NEXT_ACTOR: AtomicU64 = AtomicU64::new(1);

impl UserRef {
    pub(crate) fn new(mailbox: mpsc::UnboundedSender<UserMsg>) -> Self {
        Self {
            mailbox,
            id: NEXT_ACTOR.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Queues `msg`; `false` when the actor has stopped.
    pub(crate) fn send(&self, msg: UserMsg) -> bool {
        self.mailbox.send(msg).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_two_words_so_the_mailbox_block_stays_small() {
        assert!(std::mem::size_of::<UserMsg>() <= 2 * std::mem::size_of::<usize>());
    }
}
