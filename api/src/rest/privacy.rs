//! `/users/me/privacy`: who sees one's moods, who may hug, whether presence shows.

use axum::extract::State;
use axum::Json;
use hugmood_actors::domain::user::{AllowHugsFrom, MoodVisibility, Privacy};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, JsonBody};
use crate::state::AppState;
use crate::views::PrivacyView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_privacy, put_privacy))
}

async fn current(state: &AppState, user: AuthUser) -> ApiResult<Privacy> {
    let me = state.store.user_by_id(user.id).await?;
    me.map(|u| u.privacy)
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the account no longer exists"))
}

/// One's privacy settings.
#[utoipa::path(get, path = "/users/me/privacy", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = PrivacyView), (status = 401, body = ErrorBody)))]
async fn get_privacy(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<PrivacyView>> {
    Ok(Json(current(&state, user).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyBody {
    #[schema(value_type = Option<String>, example = "friends")]
    mood_visibility: Option<MoodVisibility>,
    #[schema(value_type = Option<String>, example = "everyone")]
    allow_hugs_from: Option<AllowHugsFrom>,
    show_online: Option<bool>,
}

/// Replace one's privacy settings; fields left out keep their value.
#[utoipa::path(put, path = "/users/me/privacy", tag = "users", security(("bearer" = [])), request_body = PrivacyBody,
    responses((status = 200, body = PrivacyView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn put_privacy(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<PrivacyBody>,
) -> ApiResult<Json<PrivacyView>> {
    let old = current(&state, user).await?;
    let new = Privacy {
        mood_visibility: body.mood_visibility.unwrap_or(old.mood_visibility),
        allow_hugs_from: body.allow_hugs_from.unwrap_or(old.allow_hugs_from),
        show_online: body.show_online.unwrap_or(old.show_online),
    };
    state.store.set_privacy(user.id, &new).await?;
    Ok(Json(new.into()))
}
