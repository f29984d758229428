//! The two ends of a subscription: the `Subscriber` a UserActor offers events to, and
//! the `Subscription` a stream or long-poll reads them from. The channel between them
//! is bounded: when it is full, the subscriber is marked overflowed and dropped, and the
//! stream tells its client to reconnect (nothing is lost: the client resumes by id).

use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::messages::{UserMsg, UserRef};
use crate::domain::event::Event;
use crate::presence::Seat;

/// How a subscriber reaches its client (the label of the delivery metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Sse,
    LongPoll,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Sse => "sse",
            Transport::LongPoll => "longpoll",
        }
    }
}

/// An event ready for the wire: its SSE frame is rendered once and shared.
#[derive(Debug)]
pub struct Live {
    pub event: Event,
    pub frame: Bytes,
}

pub type LiveEvent = Arc<Live>;

impl Live {
    pub fn new(event: Event) -> LiveEvent {
        let frame = Bytes::from(event.sse_frame());
        Arc::new(Live { event, frame })
    }
}

/// What happened to one offered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offer {
    Queued,
    /// The buffer was full: the subscriber is now overflowed and must be dropped.
    Overflowed,
    /// The reading side is gone.
    Gone,
}

/// The UserActor's end.
pub(crate) struct Subscriber {
    pub id: u64,
    tx: mpsc::Sender<LiveEvent>,
    overflowed: Arc<AtomicBool>,
}

impl Subscriber {
    /// Events it can take now without overflowing.
    pub fn room(&self) -> usize {
        self.tx.capacity()
    }

    pub fn offer(&self, event: &LiveEvent) -> Offer {
        match self.tx.try_send(event.clone()) {
            Ok(()) => Offer::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflowed.store(true, Ordering::Release);
                Offer::Overflowed
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Offer::Gone,
        }
    }
}

/// The reading end, held by a stream or a long-poll request. Dropping it unsubscribes.
pub struct Subscription {
    pub user_id: Uuid,
    /// The last event id the UserActor had delivered when this subscription joined:
    /// everything after it arrives here; everything up to it is in the store.
    pub joined_after: i64,
    id: u64,
    rx: mpsc::Receiver<LiveEvent>,
    overflowed: Arc<AtomicBool>,
    actor: UserRef,
    /// The connection's seat (presence, stream cap), given back with the subscription.
    _seat: Option<Seat>,
}

impl Subscription {
    /// The next live event; `None` when the subscriber was dropped (overflow, actor
    /// restart or shutdown).
    pub async fn recv(&mut self) -> Option<LiveEvent> {
        self.rx.recv().await
    }

    /// The next live event if one is already queued.
    pub fn try_recv(&mut self) -> Option<LiveEvent> {
        self.rx.try_recv().ok()
    }

    /// Whether the subscription ended because its buffer overflowed.
    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Acquire)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.actor.send(UserMsg::Unsubscribe(self.id));
    }
}

/// Makes both ends of a new subscription with a buffer of `capacity` events.
pub(crate) fn pair(
    user_id: Uuid,
    id: u64,
    capacity: usize,
    actor: UserRef,
) -> (Subscriber, impl FnOnce(i64, Option<Seat>) -> Subscription) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let overflowed = Arc::new(AtomicBool::new(false));
    let subscriber = Subscriber {
        id,
        tx,
        overflowed: overflowed.clone(),
    };
    let finish = move |joined_after, seat| Subscription {
        user_id,
        joined_after,
        id,
        rx,
        overflowed,
        actor,
        _seat: seat,
    };
    (subscriber, finish)
}
