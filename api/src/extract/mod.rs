//! Request extractors whose rejections are `ApiError`s, so every malformed input is
//! answered in the spec's error format.

mod auth;
mod client;
mod idempotency;
mod json;
mod path;
mod query;
mod stream_auth;

pub(crate) use auth::{account_gone, bearer_token};
pub use auth::{AuthUser, TokenUser};
pub use client::{Client, TrustedProxies};
pub use idempotency::IdempotencyKeyHeader;
pub use json::{JsonBody, OptionalJsonBody};
pub use path::{PathId, PathIds};
pub use query::QueryParams;
pub use stream_auth::{PollUser, StreamUser, STREAM_COOKIE};
