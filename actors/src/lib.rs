//! The HugMood engine: domain rules, durable storage and (later) the actors and bus
//! that carry realtime events. Knows nothing of HTTP.

pub mod auth;
pub mod domain;
pub mod error;
pub mod social;
pub mod store;

pub use error::{EngineError, EngineResult};
