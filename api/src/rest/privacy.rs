//! `/users/me/privacy`: who sees one's moods, who may hug, whether presence shows.

use axum::extract::State;
use axum::Json;
use hugmood_actors::domain::user::{AllowHugsFrom, MoodVisibility, Privacy};
use serde::Deserialize;
use utoipa::openapi::Object;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult};
use crate::extract::{AuthUser, JsonBody};
use crate::openapi::fields::{self, Null};
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
    responses((status = 200, body = PrivacyView)))]
async fn get_privacy(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<PrivacyView>> {
    Ok(Json(current(&state, user).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyBody {
    #[schema(schema_with = mood_visibility)]
    mood_visibility: Option<MoodVisibility>,
    #[schema(schema_with = allow_hugs_from)]
    allow_hugs_from: Option<AllowHugsFrom>,
    show_online: Option<bool>,
}

fn mood_visibility() -> Object {
    fields::one_of(Null::Allowed, &["public", "friends", "private"])
        .description(Some("Who sees entries that are not public"))
        .build()
}

fn allow_hugs_from() -> Object {
    fields::one_of(Null::Allowed, &["everyone", "friends", "nobody"])
        .description(Some("Who may send hugs"))
        .build()
}

/// Replace one's privacy settings; fields left out keep their value.
#[utoipa::path(put, path = "/users/me/privacy", tag = "users", security(("bearer" = [])), request_body = PrivacyBody,
    responses((status = 200, body = PrivacyView)))]
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
