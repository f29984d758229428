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

/// The two UUIDs of a nested route's path (`/collections/{id}/hugs/{hugId}`), in order;
/// anything else is a 400 naming the bad one.
pub struct PathIds(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid_field("id", "missing ids in path"))?;
        let parse = |raw: &str, field: &str| {
            Uuid::parse_str(raw).map_err(|_| ApiError::invalid_field(field, "must be a UUID"))
        };
        Ok(PathIds(parse(&first, "id")?, parse(&second, "hugId")?))
    }
}
