//! Pure types and rules of the domain. No I/O lives here, so every rule is unit-tested
//! next to its code.

pub mod account;
pub mod analytics;
pub mod collection;
pub mod event;
pub mod hug;
pub mod idempotency;
pub mod mood;
pub mod notification;
pub mod outbox;
pub mod page;
pub mod row_id;
pub mod session;
pub mod social;
pub mod streak;
pub mod time;
pub mod user;
pub mod validation;
