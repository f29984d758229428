//! The engine's one error type. It names what went wrong in domain terms; the api crate
//! maps each variant to an HTTP status and the spec's error JSON.

use crate::domain::validation::FieldErrors;

/// Result alias used across the engine.
pub type EngineResult<T> = Result<T, EngineError>;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Input that breaks a rule; `FieldErrors` names each bad field.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Credentials or tokens that do not prove who the caller is.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// The caller is known but may not do this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The request clashes with the current state (a taken name, a pending request).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Too many requests; the client may retry after this many seconds.
    #[error("rate limited; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The store failed; the text is for logs only, never for clients.
    #[error("storage: {0}")]
    Storage(String),
    /// A bug or an unexpected failure inside the engine; logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl EngineError {
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn username_taken() -> Self {
        Self::conflict("username_taken", "that username is taken")
    }

    pub fn email_taken() -> Self {
        Self::conflict("email_taken", "that email is already registered")
    }

    /// A single bad field, for rules checked one at a time.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Self::Invalid(errors)
    }
}

impl From<sqlx::Error> for EngineError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::conflict("conflict", "the request conflicts with existing data")
            }
            sqlx::Error::PoolTimedOut => Self::Storage("database pool timed out".into()),
            _ => Self::Storage(err.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for EngineError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Self::Storage(format!("migration failed: {err}"))
    }
}
