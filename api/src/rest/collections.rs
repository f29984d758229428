//! `/collections`: saved hugs ("hug jar") — create, list, read with its hugs, save a
//! received hug, take one out, delete. Someone else's collection is not found.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use hugmood_actors::collections::Saved;
use hugmood_actors::domain::collection::{Collection, NAME_MAX};
use hugmood_actors::domain::hug::Hug;
use serde::{Deserialize, Serialize};
use utoipa::openapi::Object;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::PageQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, JsonBody, PathId, PathIds, QueryParams};
use crate::openapi::fields::{self, Null, CONTROL};
use crate::state::AppState;
use crate::views::PageView;

/// Largest `per_page` of collection lists and of a collection's hugs.
const PER_PAGE_CAP: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_one, delete))
        .routes(routes!(add_hug))
        .routes(routes!(remove_hug))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectionView {
    id: Uuid,
    name: String,
    hug_count: u64,
    created_at: DateTime<Utc>,
}

impl From<Collection> for CollectionView {
    fn from(c: Collection) -> Self {
        Self {
            id: c.id,
            name: c.name,
            hug_count: c.hug_count,
            created_at: c.created_at,
        }
    }
}

/// A collection with one page of its hugs, most recently saved first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectionDetailView {
    #[serde(flatten)]
    collection: CollectionView,
    hugs: PageView<Hug>,
}

#[derive(Deserialize, ToSchema)]
pub struct CollectionBody {
    #[schema(required = true, schema_with = name)]
    name: Option<String>,
}

fn name() -> Object {
    fields::trimmed_text(Null::Refused, NAME_MAX, CONTROL)
        .description(Some(
            "1 to 100 characters besides the whitespace around them (which is trimmed)",
        ))
        .build()
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaveHugBody {
    /// A hug the caller received.
    #[schema(required = true, schema_with = fields::required_uuid)]
    hug_id: Option<Uuid>,
}

/// Create a collection.
#[utoipa::path(post, path = "/collections", tag = "collections", security(("bearer" = [])),
    request_body = CollectionBody,
    responses((status = 201, body = CollectionView)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<CollectionBody>,
) -> ApiResult<(StatusCode, Json<CollectionView>)> {
    let created = state
        .collections
        .create(user.id, body.name.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// The caller's collections, newest first, at most 100 per page.
#[utoipa::path(get, path = "/collections", tag = "collections", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = PageView<CollectionView>)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<PageView<CollectionView>>> {
    let page = query.request(PER_PAGE_CAP)?;
    let listed = state.collections.list(user.id, page).await?;
    Ok(Json(PageView::from_paged(listed, CollectionView::from)))
}

/// One of the caller's collections with a page of its hugs (at most 100 per page).
#[utoipa::path(get, path = "/collections/{id}", tag = "collections", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Collection id"), PageQuery),
    responses((status = 200, body = CollectionDetailView), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<CollectionDetailView>> {
    let page = query.request(PER_PAGE_CAP)?;
    let (collection, hugs) = state.collections.get(user.id, id, page).await?;
    Ok(Json(CollectionDetailView {
        collection: collection.into(),
        hugs: PageView::from_paged(hugs, |h| h),
    }))
}

/// Delete a collection (the hugs in it stay).
#[utoipa::path(delete, path = "/collections/{id}", tag = "collections", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Collection id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.collections.delete(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Save a hug the caller received: 201 when added, 200 when it was there already.
/// A hug the caller sent is 403 `not_recipient`; any other is 404.
#[utoipa::path(post, path = "/collections/{id}/hugs", tag = "collections", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Collection id")), request_body = SaveHugBody,
    responses((status = 201, body = CollectionView), (status = 200, body = CollectionView),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_hug(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<SaveHugBody>,
) -> ApiResult<(StatusCode, Json<CollectionView>)> {
    let hug_id = body
        .hug_id
        .ok_or_else(|| ApiError::invalid_field("hugId", "is required"))?;
    let status = match state.collections.add_hug(user.id, id, hug_id).await? {
        Saved::Added => StatusCode::CREATED,
        Saved::AlreadyThere => StatusCode::OK,
    };
    let page = PageQuery::default().request(PER_PAGE_CAP)?;
    let (collection, _) = state.collections.get(user.id, id, page).await?;
    Ok((status, Json(collection.into())))
}

/// Take a hug out of a collection.
#[utoipa::path(delete, path = "/collections/{id}/hugs/{hugId}", tag = "collections", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Collection id"), ("hugId" = Uuid, Path, description = "Hug id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn remove_hug(
    State(state): State<AppState>,
    user: AuthUser,
    PathIds(id, hug_id): PathIds,
) -> ApiResult<StatusCode> {
    state.collections.remove_hug(user.id, id, hug_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
