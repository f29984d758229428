//! `/blocks`: a blocked user cannot hug, befriend or see the blocker.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AuthUser, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(block, unblock))
}

/// Block a user: ends any friendship and declines pending requests between you.
#[utoipa::path(post, path = "/blocks/{userId}", tag = "blocks", security(("bearer" = [])),
    params(("userId" = uuid::Uuid, Path, description = "User to block")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn block(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.social.block(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a block.
#[utoipa::path(delete, path = "/blocks/{userId}", tag = "blocks", security(("bearer" = [])),
    params(("userId" = uuid::Uuid, Path, description = "User to unblock")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unblock(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.social.unblock(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
