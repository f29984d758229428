//! Engine failures as GraphQL errors: a message for people, `extensions.code` (the
//! engine's snake_case code, the same as REST's) for programs, and for validation
//! failures `extensions.details` naming each bad field (rate limits:
//! `extensions.retryAfter`, in seconds). Server-side failures are logged here and
//! reach the client only as "internal error", or as `unavailable` (with `retryAfter`)
//! while the database cannot be reached.

use async_graphql::indexmap::IndexMap;
use async_graphql::{Context, Error, ErrorExtensions, Name, Result, Value};
use hugmood_actors::domain::validation::FieldErrors;
use hugmood_actors::EngineError;
use std::future::Future;

/// The one conversion from an engine failure to a GraphQL error.
pub(crate) fn engine_error(err: &EngineError) -> Error {
    match err {
        EngineError::Invalid(fields) => invalid_fields(fields),
        EngineError::NotFound(what) => coded("not_found", format!("{what} not found")),
        EngineError::Unauthorized { code, message }
        | EngineError::Forbidden { code, message }
        | EngineError::Conflict { code, message } => coded(code, message.clone()),
        EngineError::RateLimited { retry_after_secs } => {
            crate::metrics::count_graphql_rate_limited();
            let seconds = *retry_after_secs;
            Error::new(format!("too many requests; retry in {seconds} s")).extend_with(|_, ext| {
                ext.set("code", "rate_limited");
                ext.set("retryAfter", seconds);
            })
        }
        EngineError::Unavailable(detail) => {
            tracing::warn!(error = %detail, "GraphQL resolver: database unavailable");
            let seconds = crate::error::UNAVAILABLE_RETRY_AFTER_SECS;
            Error::new("the database is unavailable; try again shortly").extend_with(|_, ext| {
                ext.set("code", "unavailable");
                ext.set("retryAfter", seconds);
            })
        }
        EngineError::Busy(detail) => {
            tracing::warn!(error = %detail, "GraphQL resolver: busy");
            let seconds = crate::error::BUSY_RETRY_AFTER_SECS;
            Error::new("the hub is busy; try again shortly").extend_with(|_, ext| {
                ext.set("code", "unavailable");
                ext.set("retryAfter", seconds);
            })
        }
        EngineError::Storage(detail) | EngineError::Internal(detail) => {
            tracing::error!(error = %detail, "GraphQL resolver failed");
            coded("internal_error", "internal error".to_owned())
        }
    }
}

/// `validation_failed` with `details: {field: message}`.
pub(crate) fn invalid_fields(fields: &FieldErrors) -> Error {
    let details: IndexMap<Name, Value> = fields
        .fields()
        .map(|(field, message)| (Name::new(field), Value::from(message)))
        .collect();
    Error::new("some fields are invalid").extend_with(|_, ext| {
        ext.set("code", "validation_failed");
        ext.set("details", Value::Object(details));
    })
}

/// `validation_failed` for one bad argument.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    invalid_fields(&errors)
}

/// A field that needs a signed-in caller, asked without a token.
pub(crate) fn unauthorized() -> Error {
    coded(
        "unauthorized",
        "this field needs an Authorization: Bearer token".to_owned(),
    )
}

/// An HTTP-layer failure (say `too_many_streams`) as a GraphQL error with its code.
pub(crate) fn api_error(err: &crate::error::ApiError) -> Error {
    coded(err.code(), err.message().to_owned())
}

pub(crate) fn coded(code: &str, message: String) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

/// Engine results into GraphQL results.
pub(crate) trait OrGraphqlError<T> {
    fn gql(self) -> Result<T>;
}

impl<T> OrGraphqlError<T> for Result<T, EngineError> {
    fn gql(self) -> Result<T> {
        self.map_err(|err| engine_error(&err))
    }
}

/// The value of `resolve`, or null with its error recorded against the current field.
///
/// GraphQL wants a failed nullable field present as `null` next to its error;
/// async-graphql would instead leave the field out of `data` (and make `data` itself
/// null when every field failed), so fallible fields resolve through this.
pub(crate) async fn or_null<T>(
    ctx: &Context<'_>,
    resolve: impl Future<Output = Result<T>>,
) -> Option<T> {
    match resolve.await {
        Ok(value) => Some(value),
        Err(err) => {
            report(ctx, err);
            None
        }
    }
}

/// Records `err` as an error of the field being resolved, with its path and position.
pub(crate) fn report(ctx: &Context<'_>, err: Error) {
    ctx.add_error(ctx.set_error_path(err.into_server_error(ctx.item.pos)));
}
