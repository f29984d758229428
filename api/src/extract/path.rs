//! `PathId`: the one UUID in a route's path; anything else is a 400, not a 404.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

use crate::error::ApiError;

pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid_field("id", "missing id in path"))?;
        Uuid::parse_str(&raw)
            .map(PathId)
            .map_err(|_| ApiError::invalid_field("id", "must be a UUID"))
    }
}
