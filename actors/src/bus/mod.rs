//! The event bus: how a committed event reaches the nodes where its user has live
//! subscribers. Messages are only hints — a node that misses one (Redis pub/sub is
//! at-most-once) recovers the gap from the store — so a bus never needs to be reliable,
//! only fast. Publishing never waits: the in-process bus hints the node's actors
//! directly, the Redis bus also queues the event for its publisher.

mod local;
mod redis;

use std::sync::Arc;

pub(crate) use self::redis::announce_revocation;
pub use self::redis::RedisBus;
use crate::domain::event::Event;
pub use local::LocalBus;

pub trait Bus: Send + Sync + 'static {
    /// Tells every node about a committed event.
    fn publish(&self, event: Arc<Event>);
    /// Whether the bus can carry messages between nodes now.
    fn is_connected(&self) -> bool;
}
