//! Per-user delivery: a `UserActor` for each user with live subscribers on this node,
//! kept by the `UserDirectory`, and the subscriber handles streams read from.

mod actor;
mod directory;
mod messages;
mod roster;
mod subscriber;

pub use directory::{Directory, SubscribeError};
pub use roster::{RosterChanges, RosterFeed};
pub use subscriber::{Live, LiveEvent, Subscription, Transport};
