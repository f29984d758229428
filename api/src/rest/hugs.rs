//! `/hugs`: send, list, read, mark seen, hug back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::domain::hug::{Hug, HugRequest, HugType, MESSAGE_MAX};
use hugmood_actors::store::HugDirection;
use serde::Deserialize;
use utoipa::openapi::schema::{Object, ObjectBuilder};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::PageQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{
    AuthUser, IdempotencyKeyHeader, JsonBody, OptionalJsonBody, PathId, QueryParams, TokenUser,
};
use crate::openapi::fields::{self, Null};
use crate::openapi::responses::RateLimited;
use crate::state::AppState;
use crate::views::PageView;

/// Largest `per_page` of hug lists.
const PER_PAGE_CAP: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(received))
        .routes(routes!(sent))
        .routes(routes!(get_one))
        .routes(routes!(seen))
        .routes(routes!(reciprocate))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HugBody {
    #[schema(required = true, schema_with = recipient)]
    recipient_id: Option<Uuid>,
    #[schema(required = true, schema_with = hug_type)]
    hug_type: Option<String>,
    #[schema(schema_with = message)]
    message: Option<String>,
}

fn recipient() -> Object {
    fields::uuid(Null::Refused)
        .description(Some("Anyone but the caller (400: you cannot hug yourself)"))
        .build()
}

fn hug_types(null: Null) -> ObjectBuilder {
    fields::one_of(null, &HugType::ALL.map(HugType::as_str))
}

fn hug_type() -> Object {
    hug_types(Null::Refused)
        .description(Some("The kind of hug (case-insensitive)"))
        .build()
}

fn hug_type_or_null() -> Object {
    hug_types(Null::Allowed)
        .description(Some("The kind of hug; by default that of the hug received"))
        .build()
}

fn message() -> Object {
    fields::plain_text(Null::Allowed, MESSAGE_MAX)
        .description(Some("Up to 280 characters"))
        .build()
}

/// Send a hug; the recipient gets `hug_received` on their streams. With an
/// `Idempotency-Key`, a retry within 24 h answers the first hug.
#[utoipa::path(post, path = "/hugs", tag = "hugs", security(("bearer" = [])), request_body = HugBody,
    params(IdempotencyKeyHeader),
    responses((status = 201, body = Hug),
              (status = 403, description = "hugs_not_allowed", body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "idempotency_key_reused", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn send(
    State(state): State<AppState>,
    // Not `AuthUser`: the send reads the caller's account with its other checks (one
    // query) and answers 401 when it is gone.
    TokenUser(user): TokenUser,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    JsonBody(body): JsonBody<HugBody>,
) -> ApiResult<(StatusCode, Json<Hug>)> {
    let request = HugRequest::parse(
        user.id,
        body.recipient_id,
        body.hug_type.as_deref(),
        body.message,
    )
    .map_err(|e| ApiError::validation(&e))?;
    let hug = state.hugs.send(user.id, request, key).await?;
    Ok((StatusCode::CREATED, Json(hug.into_inner())))
}

async fn list(
    state: &AppState,
    user: AuthUser,
    direction: HugDirection,
    query: &PageQuery,
) -> ApiResult<Json<PageView<Hug>>> {
    let hugs = state
        .hugs
        .list(user.id, direction, query.request(PER_PAGE_CAP)?)
        .await?;
    Ok(Json(PageView::from_paged(hugs, |h| h)))
}

/// Hugs the caller received, newest first, at most 100 per page.
#[utoipa::path(get, path = "/hugs/received", tag = "hugs", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = PageView<Hug>)))]
async fn received(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<PageView<Hug>>> {
    list(&state, user, HugDirection::Received, &query).await
}

/// Hugs the caller sent, newest first, at most 100 per page.
#[utoipa::path(get, path = "/hugs/sent", tag = "hugs", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = PageView<Hug>)))]
async fn sent(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<PageView<Hug>>> {
    list(&state, user, HugDirection::Sent, &query).await
}

/// One hug, for its sender or recipient.
#[utoipa::path(get, path = "/hugs/{id}", tag = "hugs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Hug id")),
    responses((status = 200, body = Hug), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Hug>> {
    Ok(Json(state.hugs.get(user.id, id).await?))
}

/// The recipient saw the hug: status `seen`; the sender gets `hug_seen`.
#[utoipa::path(post, path = "/hugs/{id}/seen", tag = "hugs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Hug id")),
    responses((status = 200, body = Hug), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn seen(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Hug>> {
    Ok(Json(state.hugs.mark_seen(user.id, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReciprocateBody {
    #[schema(schema_with = hug_type_or_null)]
    hug_type: Option<String>,
    #[schema(schema_with = message)]
    message: Option<String>,
}

/// Hug the sender back.
#[utoipa::path(post, path = "/hugs/{id}/reciprocate", tag = "hugs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The hug received"), IdempotencyKeyHeader),
    request_body = Option<ReciprocateBody>,
    responses((status = 201, body = Hug), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "idempotency_key_reused", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn reciprocate(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    OptionalJsonBody(body): OptionalJsonBody<ReciprocateBody>,
) -> ApiResult<(StatusCode, Json<Hug>)> {
    let body = body.unwrap_or_default();
    let hug = state
        .hugs
        .reciprocate(user.id, id, body.hug_type.as_deref(), body.message, key)
        .await?;
    Ok((StatusCode::CREATED, Json(hug.into_inner())))
}
