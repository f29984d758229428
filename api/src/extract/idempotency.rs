//! `IdempotencyKeyHeader`: the optional `Idempotency-Key` header of a create; a
//! malformed one is a 400. It documents itself as a parameter of the routes it reads.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hugmood_actors::domain::idempotency::IdempotencyKey;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::Required;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::openapi::fields;

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

impl IntoParams for IdempotencyKeyHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes retries safe: the same key from the same user within 24 h answers \
                 the first result and creates nothing new",
            ))
            .schema(Some(fields::idempotency_key()))
            .build()]
    }
}
