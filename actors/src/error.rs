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
    /// The database cannot be reached (refused, dropped, shutting down, no free
    /// connection or lock in time); a retry may succeed. The text is for logs only.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// More work is waiting for a part of the engine than it takes (a domain actor's
    /// queue is full, or its answer did not come in time); a retry may succeed. The
    /// text is for logs only.
    #[error("busy: {0}")]
    Busy(String),
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
            sqlx::Error::Database(db)
                if db.code().is_some_and(|code| is_outage_sqlstate(&code)) =>
            {
                Self::Unavailable(err.to_string())
            }
            sqlx::Error::Database(db) if is_sqlite_lock_wait(db.as_ref()) => {
                Self::Unavailable(err.to_string())
            }
            sqlx::Error::PoolTimedOut => {
                Self::Unavailable("no database connection within the acquire timeout".into())
            }
            sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(err.to_string()),
            _ => Self::Storage(err.to_string()),
        }
    }
}

/// SQLSTATEs that say the server, not the statement, is the problem: class 08
/// (connection exception) and 57P (operator intervention: admin or crash shutdown,
/// cannot connect now). SQLite's codes are plain numbers and never match.
fn is_outage_sqlstate(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("57P")
}

/// A SQLite statement that gave up waiting for a lock another connection (another
/// process, or a long backup) held past the busy timeout: `SQLITE_BUSY` or
/// `SQLITE_LOCKED`, with any extended code. The database is there, just not free in
/// time; a retry may succeed.
fn is_sqlite_lock_wait(db: &dyn sqlx::error::DatabaseError) -> bool {
    use sqlx::error::DatabaseError as _;
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, BUSY | LOCKED))
}

impl From<sqlx::migrate::MigrateError> for EngineError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Self::Storage(format!("migration failed: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// A database error with just a SQLSTATE, as PostgreSQL's would carry; `.1` marks a
    /// unique violation.
    #[derive(Debug)]
    struct Coded(&'static str, bool);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "sqlstate {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            self.0
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            if self.1 {
                sqlx::error::ErrorKind::UniqueViolation
            } else {
                sqlx::error::ErrorKind::Other
            }
        }
    }

    fn database(code: &'static str) -> EngineError {
        sqlx::Error::Database(Box::new(Coded(code, false))).into()
    }

    #[test]
    fn an_unreachable_database_is_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            sqlx::Error::Io(refused),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::WorkerCrashed,
            sqlx::Error::Tls("handshake failed".into()),
        ] {
            let text = err.to_string();
            assert!(
                matches!(EngineError::from(err), EngineError::Unavailable(_)),
                "{text}"
            );
        }
        // connection failure, admin shutdown, crash shutdown, cannot connect now
        for code in ["08006", "08001", "57P01", "57P02", "57P03"] {
            assert!(
                matches!(database(code), EngineError::Unavailable(_)),
                "{code}"
            );
        }
    }

    #[test]
    fn other_database_errors_stay_what_they_were() {
        let unique = sqlx::Error::Database(Box::new(Coded("23505", true)));
        assert!(matches!(
            EngineError::from(unique),
            EngineError::Conflict { .. }
        ));
        // syntax error, query canceled (57014: statement timeout, not an outage),
        // and SQLite's numeric codes (SQLITE_BUSY, SQLITE_IOERR)
        for code in ["42601", "57014", "5", "10"] {
            assert!(matches!(database(code), EngineError::Storage(_)), "{code}");
        }
    }
}
