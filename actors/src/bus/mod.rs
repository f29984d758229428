//! The event bus: how a committed event reaches the nodes where its user has live
//! subscribers. Messages are only hints — a node that misses one (Redis pub/sub is
//! at-most-once) recovers the gap from the store — so a bus never needs to be reliable,
//! only fast.

mod local;

use async_trait::async_trait;
use std::sync::Arc;

use crate::domain::event::Event;
pub use local::LocalBus;

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Tells every node about a committed event.
    async fn publish(&self, event: Arc<Event>);
    /// Whether the bus can carry messages now.
    fn is_connected(&self) -> bool;
}
