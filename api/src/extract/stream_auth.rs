//! `StreamUser`: the caller of the stream and events routes, proven (in this order) by
//! a Bearer header, a one-time `?ticket=`, or the `hugmood_stream` cookie. A spent
//! ticket falls through to the cookie, so an EventSource that reconnects by itself
//! (with the spent ticket still in its URL) is carried by the cookie. Each proof names
//! the session it belongs to, so the stream ends with that session.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use uuid::Uuid;

use super::auth::{bearer_token, ensure_account, TokenUser};
use crate::error::ApiError;
use crate::state::AppState;
use hugmood_actors::auth::accounts::session_ended;

/// Name of the stream cookie.
pub const STREAM_COOKIE: &str = "hugmood_stream";

#[derive(Debug, Clone, Copy)]
pub struct StreamUser {
    pub id: Uuid,
    /// The session (refresh-token family) of the token, ticket or cookie, if any.
    pub session: Option<Uuid>,
}

fn query_ticket(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
}

fn cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == STREAM_COOKIE)
        .map(|(_, value)| value.to_owned())
}

impl StreamUser {
    /// The caller, unless their session (or account) has ended.
    fn unless_ended(state: &AppState, id: Uuid, session: Option<Uuid>) -> Result<Self, ApiError> {
        if state.accounts.revocations().is_revoked(id, session) {
            return Err(session_ended().into());
        }
        Ok(Self { id, session })
    }
}

/// A `StreamUser` whose bearer token's account has not been checked to still exist
/// (tickets and cookies are checked as for `StreamUser`): for `GET /events`, whose poll
/// reads the log version, which answers the same question, so a poll costs one read.
/// Every other use goes through `checked`.
#[derive(Debug, Clone, Copy)]
pub struct PollUser {
    pub user: StreamUser,
    account_unchecked: bool,
}

impl PollUser {
    /// The caller, their account checked if it was not yet.
    pub async fn checked(self, state: &AppState) -> Result<StreamUser, ApiError> {
        if self.account_unchecked {
            ensure_account(state, self.user.id).await?;
        }
        Ok(self.user)
    }
}

impl FromRequestParts<AppState> for StreamUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        PollUser::from_request_parts(parts, state)
            .await?
            .checked(state)
            .await
    }
}

impl FromRequestParts<AppState> for PollUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if bearer_token(parts)?.is_some() {
            let TokenUser(user) = TokenUser::from_request_parts(parts, state).await?;
            return Ok(Self {
                user: StreamUser {
                    id: user.id,
                    session: user.session,
                },
                account_unchecked: true,
            });
        }
        let user = proven_by_ticket_or_cookie(parts, state).await?;
        Ok(Self {
            user,
            account_unchecked: false,
        })
    }
}

/// The caller of a request without a bearer token.
async fn proven_by_ticket_or_cookie(
    parts: &Parts,
    state: &AppState,
) -> Result<StreamUser, ApiError> {
    let ticket = query_ticket(parts);
    if let Some(ticket) = &ticket {
        if let Some((id, session)) = state.stream_access.redeem_ticket(ticket).await? {
            return StreamUser::unless_ended(state, id, session);
        }
    }
    if let Some(cookie) = cookie(parts) {
        let (id, session) = state.stream_access.verify_cookie(&cookie).await?;
        return StreamUser::unless_ended(state, id, session);
    }
    Err(match ticket {
        Some(_) => {
            ApiError::unauthorized("invalid_ticket", "the ticket is unknown, spent or expired")
        }
        None => ApiError::unauthorized(
            "unauthorized",
            "send a bearer token, a ticket or the stream cookie",
        ),
    })
}
