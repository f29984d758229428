//! Request extractors whose rejections are `ApiError`s, so every malformed input is
//! answered in the spec's error format.

mod auth;
mod json;
mod path;
mod query;

pub use auth::AuthUser;
pub use json::JsonBody;
pub use path::PathId;
pub use query::QueryParams;
