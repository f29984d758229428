//! `ApiError`: every failure of the HTTP layer, rendered as the spec's error JSON
//! `{"error": {"code", "message", "details"?}}` with the matching status. Server-side
//! failures are logged here once and reach the client only as a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hugmood_actors::domain::validation::FieldErrors;
use hugmood_actors::EngineError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Value>,
    /// Seconds for the `Retry-After` header (429, 503).
    retry_after: Option<u64>,
}

/// The `Retry-After` of a 503 while the database is unavailable: long enough that
/// clients do not hammer a recovering server, short enough to notice it is back.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 3;
/// `Retry-After` of a 503 while the hub is busy: queues drain within a second or so.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// 400 naming each bad field.
    pub fn validation(errors: &FieldErrors) -> Self {
        let details: serde_json::Map<String, Value> = errors
            .fields()
            .map(|(field, msg)| (field.to_owned(), Value::String(msg.to_owned())))
            .collect();
        Self::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "some fields are invalid",
        )
        .with_details(Value::Object(details))
    }

    /// 400 for one bad field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Self::validation(&errors)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 429 when the user already holds `max` streams and waiting long-polls.
    pub fn too_many_streams(max: usize) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_streams",
            format!("at most {max} open streams and waiting long-polls per user"),
        )
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 503 while the database cannot be reached. An outage is expected now and then and
    /// tells nothing about the code: a warning, no backtrace.
    pub fn unavailable(detail: &str) -> Self {
        tracing::warn!(error = %detail, "database unavailable");
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable; try again shortly",
            )
        }
    }

    /// 503 while a part of the hub has more work queued than it takes. A warning: it
    /// says the node is overloaded, not that the code is wrong.
    pub fn busy(detail: &str) -> Self {
        tracing::warn!(error = %detail, "busy");
        Self {
            retry_after: Some(BUSY_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the hub is busy; try again shortly",
            )
        }
    }

    fn internal(context: &str, detail: &str) -> Self {
        tracing::error!(error = %detail, "{context}");
        Self::internal_answer()
    }

    /// The 500 a client sees, whatever failed; the cause goes to the logs only.
    pub(crate) fn internal_answer() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side",
        )
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::Invalid(fields) => Self::validation(&fields),
            EngineError::NotFound(what) => Self::not_found(what),
            EngineError::Unauthorized { code, message } => {
                Self::new(StatusCode::UNAUTHORIZED, code, message)
            }
            EngineError::Forbidden { code, message } => {
                Self::new(StatusCode::FORBIDDEN, code, message)
            }
            EngineError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            EngineError::RateLimited { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "too many requests; slow down",
                )
            },
            EngineError::Unavailable(detail) => Self::unavailable(&detail),
            EngineError::Busy(detail) => Self::busy(&detail),
            EngineError::Storage(detail) => Self::internal("storage failure", &detail),
            EngineError::Internal(detail) => Self::internal("internal failure", &detail),
        }
    }
}

/// The error JSON, as documented in the OpenAPI schema.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code for programs.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Per-field problems, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_database_is_a_503_with_retry_after() {
        let err = ApiError::from(EngineError::Unavailable(
            "error communicating with database: Connection refused".into(),
        ));
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.code(), "unavailable");
        // The log text (addresses, SQL) never reaches the client.
        assert!(!err.message().contains("refused"), "{}", err.message());
        let response = err.into_response();
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS))
        );
    }

    #[test]
    fn other_storage_failures_stay_500() {
        let err = ApiError::from(EngineError::Storage("syntax error at or near".into()));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.code(), "internal_error");
    }
}
