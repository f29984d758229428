//! `JsonBody<T>`: a JSON request body. Wrong content type is 415, a body over the limit
//! 413, malformed JSON 400 `invalid_json`, and a value of the wrong type 400
//! `validation_failed` naming the field by its path.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct JsonBody<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_json(content_type) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the request body is too large",
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    "the request body could not be read",
                )
            }
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// An optional JSON body: a request without a body (and without a content type) is
/// `None`; anything else is read as [`JsonBody`] would.
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T, S> FromRequest<S> for OptionalJsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let headers = req.headers();
        let declared_length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let has_body = declared_length.is_some_and(|n| n > 0)
            || headers.contains_key(header::TRANSFER_ENCODING);
        if !has_body && !headers.contains_key(header::CONTENT_TYPE) {
            return Ok(Self(None));
        }
        JsonBody::from_request(req, state)
            .await
            .map(|JsonBody(v)| Self(Some(v)))
    }
}

/// Deserializes `bytes`, classifying failures as the spec's 400s. The body is read as
/// JSON first (syntax errors are `invalid_json`), must be an object, and is then
/// converted to `T` (type errors are `validation_failed` naming the field).
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| invalid_json(&e))?;
    if !value.is_object() {
        return Err(ApiError::invalid_field("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::invalid_field(&field, err.inner().to_string())
    })
}

fn invalid_json(err: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        format!("the body is not valid JSON: {err}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        count: Option<i64>,
    }

    #[test]
    fn content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }

    #[test]
    fn classifies_errors() {
        let syntax = parse::<Body>(b"{").expect_err("syntax");
        assert_eq!(syntax.code(), "invalid_json");
        let trailing = parse::<Body>(b"{} x").expect_err("trailing");
        assert_eq!(trailing.code(), "invalid_json");
        let data = parse::<Body>(br#"{"count": "five"}"#).expect_err("data");
        assert_eq!(data.code(), "validation_failed");
        let root = parse::<Body>(b"[]").expect_err("root");
        assert_eq!(root.code(), "validation_failed");
        assert!(parse::<Body>(br#"{"count": 5}"#).is_ok());
        let array = parse::<Body>(b"[5]").expect_err("arrays are not objects");
        assert_eq!(array.code(), "validation_failed");
    }
}
