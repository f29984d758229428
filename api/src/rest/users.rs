//! `/users`: one's own profile (read, update, delete), public profiles and search.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::domain::user::ProfileUpdate;
use hugmood_actors::domain::validation::{
    BIO_MAX, DISPLAY_NAME_MAX, PROFILE_IMAGE_MAX, STATUS_MAX,
};
use serde::Deserialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{Object, Required};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{nullable, PageQuery};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, JsonBody, PathId, QueryParams};
use crate::openapi::fields::{self, Null, CONTROL};
use crate::state::AppState;
use crate::views::{PageView, UserView};

/// Largest `per_page` of the user search.
const SEARCH_PER_PAGE_CAP: u32 = 100;
/// Longest search text accepted.
const QUERY_MAX: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me, delete_me))
        .routes(routes!(profile))
        .routes(routes!(search))
}

/// One's own profile, email included.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UserView>> {
    let me = state.store.user_by_id(user.id).await?.ok_or_else(gone)?;
    let connected = state.is_connected(me.id).await;
    Ok(Json(UserView::own(me, connected)))
}

/// The account disappeared between authentication and the read.
fn gone() -> ApiError {
    ApiError::unauthorized(
        "invalid_token",
        "the account of this token no longer exists",
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(schema_with = display_name)]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(schema_with = bio)]
    bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(schema_with = profile_image)]
    profile_image: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(schema_with = status)]
    status: Option<Option<String>>,
}

fn display_name() -> Object {
    fields::non_blank_text(Null::Refused, DISPLAY_NAME_MAX)
        .description(Some("Up to 50 characters, not blank; cannot be null"))
        .build()
}

fn bio() -> Object {
    fields::plain_text(Null::Allowed, BIO_MAX)
        .description(Some("Up to 500 characters; null clears it"))
        .build()
}

/// `validation::profile_image`.
fn profile_image() -> Object {
    fields::string(Null::Allowed, 0, Some(PROFILE_IMAGE_MAX))
        .pattern(Some(format!(r"^https?://[^\s{CONTROL}]+$")))
        .description(Some(
            "An http(s) URL of up to 2,048 characters; null clears it",
        ))
        .build()
}

fn status() -> Object {
    fields::plain_text(Null::Allowed, STATUS_MAX)
        .description(Some("Up to 100 characters; null clears it"))
        .build()
}

/// Update some of `displayName`, `bio`, `profileImage`, `status`.
#[utoipa::path(patch, path = "/users/me", tag = "users", security(("bearer" = [])), request_body = ProfileBody,
    responses((status = 200, body = UserView)))]
async fn update_me(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<ProfileBody>,
) -> ApiResult<Json<UserView>> {
    let display_name = match body.display_name {
        Some(None) => return Err(ApiError::invalid_field("displayName", "must not be null")),
        other => other.flatten(),
    };
    let update = ProfileUpdate {
        display_name,
        bio: body.bio,
        profile_image: body.profile_image,
        status: body.status,
    };
    update.validate().map_err(|e| ApiError::validation(&e))?;
    let updated = state
        .store
        .update_profile(user.id, &update)
        .await?
        .ok_or_else(gone)?;
    let connected = state.is_connected(updated.id).await;
    Ok(Json(UserView::own(updated, connected)))
}

/// Delete one's account and everything it owns.
#[utoipa::path(delete, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 204)))]
async fn delete_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    state.accounts.delete_account(user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's public profile; 404 if they blocked the caller.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
async fn profile(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<UserView>> {
    let found = state.social.visible_user(user.id, id).await?;
    let connected = state.is_connected(found.id).await;
    Ok(Json(UserView::for_viewer(found, user.id, connected)))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// Written out: a derived `IntoParams` cannot mark a `schema_with` parameter required.
impl IntoParams for SearchQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let text = fields::trimmed_text(Null::Refused, QUERY_MAX, "").description(Some(
            "Text to find in usernames and display names: 1–100 characters besides the \
             whitespace around them",
        ));
        let mut params = vec![fields::query_param("q", Required::True, text.into())];
        params.extend(PageQuery::into_params(|| Some(ParameterIn::Query)));
        params
    }
}

/// Search users by username or display name, at most 100 per page.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = PageView<UserView>)))]
async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<SearchQuery>,
) -> ApiResult<Json<PageView<UserView>>> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(SEARCH_PER_PAGE_CAP)?;
    let text = query.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() || text.chars().count() > QUERY_MAX {
        return Err(ApiError::invalid_field(
            "q",
            format!("must be 1 to {QUERY_MAX} characters"),
        ));
    }
    let found = state.store.search_users(user.id, text, page).await?;
    let connected = state.connected_among(&found.items).await;
    Ok(Json(PageView::from_paged(found, |u| {
        let live = connected.contains(&u.id);
        UserView::for_viewer(u, user.id, live)
    })))
}
