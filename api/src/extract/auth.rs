//! `AuthUser`: the caller proven by `Authorization: Bearer <access JWT>`. A missing,
//! malformed, forged or expired token is a 401, and so is the token of a deleted user
//! or of an ended session (checked in memory, see `Revocations`; whether the account
//! exists is read from the store unless this node read it lately, see `KnownAccounts`).
//! `TokenUser` is the same without the database read, for the hot routes whose
//! engine call reads the caller's account anyway and answers 401 itself.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: Uuid,
    /// The session (refresh-token family) the token belongs to, if any.
    pub session: Option<Uuid>,
}

/// The token of an `Authorization: Bearer` header; `Err` when the header is present
/// but not a bearer token.
pub(crate) fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(malformed());
    }
    Ok(Some(token.trim()))
}

fn malformed() -> ApiError {
    ApiError::unauthorized(
        "invalid_token",
        "the Authorization header must be `Bearer <token>`",
    )
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let TokenUser(user) = TokenUser::from_request_parts(parts, state).await?;
        ensure_account(state, user.id).await?;
        Ok(user)
    }
}

/// 401 `invalid_token` unless the account `id` still exists (most often known
/// without a read: `Accounts::account_exists`).
pub(crate) async fn ensure_account(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    if state.accounts.account_exists(id).await? {
        Ok(())
    } else {
        Err(account_gone())
    }
}

/// The answer to a valid token whose account has been deleted.
pub(crate) fn account_gone() -> ApiError {
    ApiError::unauthorized(
        "invalid_token",
        "the account of this token no longer exists",
    )
}

/// A caller whose token is valid but whose account has NOT been checked to still
/// exist. Only for routes whose engine call reads the caller's account in the same
/// query as everything else it needs and answers 401 `invalid_token` when it is gone
/// (`POST /hugs`, the polls of `GET /notifications`), which saves a read per request
/// on the hottest routes.
#[derive(Debug, Clone, Copy)]
pub struct TokenUser(pub AuthUser);

impl FromRequestParts<AppState> for TokenUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)?.ok_or_else(|| {
            ApiError::unauthorized("unauthorized", "this route needs a bearer token")
        })?;
        let claims = state.accounts.verify_access(token)?;
        Ok(Self(AuthUser {
            id: claims.sub,
            session: claims.fam,
        }))
    }
}
