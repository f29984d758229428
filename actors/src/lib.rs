//! The HugMood engine: domain rules, durable storage, and the actors and bus that
//! carry realtime events. Knows nothing of HTTP.

pub mod auth;
pub mod backoff;
pub mod bus;
pub mod collections;
pub mod domain;
pub mod error;
pub mod hug;
pub mod inbox;
pub mod limits;
pub mod mood;
pub mod observe;
pub mod presence;
pub mod realtime;
pub mod redis_link;
pub mod shard;
pub mod social;
pub mod store;
pub mod user;

pub use error::{EngineError, EngineResult};
