//! `/friends`: requests (send, list, accept, decline), the friend list, unfriending.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::domain::social::Direction;
use serde::Deserialize;
use utoipa::openapi::Object;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::PageQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, JsonBody, PathId, QueryParams};
use crate::openapi::fields::{self, Null};
use crate::openapi::responses::RateLimited;
use crate::state::AppState;
use crate::views::{FriendRequestView, PageView, UserView};

/// Largest `per_page` of friend and request lists.
const PER_PAGE_CAP: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_request, list_requests))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(list_friends))
        .routes(routes!(unfriend))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequestBody {
    #[schema(required = true, schema_with = fields::required_uuid)]
    user_id: Option<Uuid>,
}

/// Ask a user to be friends; they get a `friend_request` notification.
#[utoipa::path(post, path = "/friends/requests", tag = "friends", security(("bearer" = [])),
    request_body = FriendRequestBody,
    responses((status = 201, body = FriendRequestView),
              (status = 403, description = "user_blocked: you blocked them", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "already_friends or request_pending", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn send_request(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<FriendRequestBody>,
) -> ApiResult<(StatusCode, Json<FriendRequestView>)> {
    let target = body
        .user_id
        .ok_or_else(|| ApiError::invalid_field("userId", "is required"))?;
    let request = state.social.send_request(user.id, target).await?;
    Ok((StatusCode::CREATED, Json(request.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestListQuery {
    #[param(schema_with = direction)]
    direction: Option<String>,
    #[param(schema_with = fields::page)]
    page: Option<i64>,
    #[param(schema_with = fields::per_page)]
    per_page: Option<i64>,
}

fn direction() -> Object {
    fields::one_of(Null::Refused, &["incoming", "outgoing"])
        .description(Some("Requests to the caller (default) or from the caller"))
        .build()
}

/// Pending friend requests to or from the caller, newest first, at most 100 per page.
#[utoipa::path(get, path = "/friends/requests", tag = "friends", security(("bearer" = [])), params(RequestListQuery),
    responses((status = 200, body = PageView<FriendRequestView>)))]
async fn list_requests(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<RequestListQuery>,
) -> ApiResult<Json<PageView<FriendRequestView>>> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(PER_PAGE_CAP)?;
    let direction = match query.direction.as_deref() {
        None => Direction::Incoming,
        Some(text) => text
            .parse()
            .map_err(|e: String| ApiError::invalid_field("direction", e))?,
    };
    let requests = state.social.list_requests(user.id, direction, page).await?;
    Ok(Json(PageView::from_paged(requests, Into::into)))
}

/// Accept a request addressed to the caller; the requester gets `friend_accepted`.
#[utoipa::path(post, path = "/friends/requests/{id}/accept", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Friend request id")),
    responses((status = 200, body = FriendRequestView),
              (status = 403, description = "not_recipient: the caller sent it", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "request_not_pending", body = ErrorBody)))]
async fn accept(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<FriendRequestView>> {
    Ok(Json(state.social.respond(user.id, id, true).await?.into()))
}

/// Decline a request addressed to the caller.
#[utoipa::path(post, path = "/friends/requests/{id}/decline", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Friend request id")),
    responses((status = 200, body = FriendRequestView),
              (status = 403, description = "not_recipient: the caller sent it", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "request_not_pending", body = ErrorBody)))]
async fn decline(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<FriendRequestView>> {
    Ok(Json(state.social.respond(user.id, id, false).await?.into()))
}

/// The caller's friends, at most 100 per page.
#[utoipa::path(get, path = "/friends", tag = "friends", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = PageView<UserView>)))]
async fn list_friends(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<PageView<UserView>>> {
    let friends = state
        .social
        .friends(user.id, query.request(PER_PAGE_CAP)?)
        .await?;
    let connected = state.connected_among(&friends.items).await;
    Ok(Json(PageView::from_paged(friends, |u| {
        let live = connected.contains(&u.id);
        UserView::public(u, live)
    })))
}

/// End a friendship.
#[utoipa::path(delete, path = "/friends/{userId}", tag = "friends", security(("bearer" = [])),
    params(("userId" = Uuid, Path, description = "The friend's user id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unfriend(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.social.unfriend(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
