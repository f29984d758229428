//! `IdempotencyKeyHeader`: the optional `Idempotency-Key` header of a create; a
//! malformed one is a 400.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hugmood_actors::domain::idempotency::IdempotencyKey;

use crate::error::ApiError;

pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let text = value
            .to_str()
            .map_err(|_| ApiError::invalid_field("Idempotency-Key", "must be ASCII"))?;
        IdempotencyKey::parse(text)
            .map(|k| Self(Some(k)))
            .map_err(|e| ApiError::validation(&e))
    }
}
