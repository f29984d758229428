//! Messages of the UserActor.

use ractor::RpcReplyPort;

use super::directory::SubscribeError;
use super::subscriber::Subscriber;
use crate::domain::event::Event;
use std::sync::Arc;

pub(crate) enum UserMsg {
    /// Reads where the user's log stands; the first message of every actor.
    Init,
    /// A hint that this event exists (from the bus). Out-of-order or missing ids are
    /// filled from the store.
    Event(Arc<Event>),
    /// Adds a subscriber that has seen events up to the given id, if any; answers the
    /// id after which everything reaches the subscriber (see `UserState::add`).
    Subscribe(
        Subscriber,
        Option<i64>,
        RpcReplyPort<Result<i64, SubscribeError>>,
    ),
    Unsubscribe(u64),
    /// Re-reads the store after the last delivered id (after a bus reconnect or a
    /// failed read).
    Resync,
    /// Stops the actor if it has had no subscriber for the idle period.
    IdleCheck,
    /// Makes the actor panic, for supervision tests.
    #[cfg(feature = "fault-injection")]
    Crash,
}
