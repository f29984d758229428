//! `/moods`: record, read, change and delete entries; list them; analytics; streaks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::domain::analytics::TimeRange;
use hugmood_actors::domain::mood::{Mood, MoodDraft};
use hugmood_actors::domain::time::parse_bound;
use hugmood_actors::domain::validation::FieldErrors;
use hugmood_actors::moods::MoodQuery;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{nullable, PageQuery};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, IdempotencyKeyHeader, JsonBody, PathId, QueryParams};
use crate::state::AppState;
use crate::views::{AnalyticsView, MoodEntryView, PageView, StreakView};

/// Largest `per_page` of mood listings.
const PER_PAGE_CAP: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(analytics))
        .routes(routes!(streak))
        .routes(routes!(get_one, replace, patch, delete))
}

/// The fields of an entry; all optional here, the rules say which are required.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoodBody {
    /// One of the ten moods, case-insensitive.
    mood: Option<String>,
    /// 1–10.
    intensity: Option<i64>,
    /// 0–1; derived from the mood when absent.
    valence: Option<f64>,
    /// 0–1; derived from the mood when absent.
    arousal: Option<f64>,
    /// Up to 1,000 characters; null clears it.
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(value_type = Option<String>)]
    note: Option<Option<String>>,
    is_public: Option<bool>,
    /// Up to 10 tags of 1–32 characters.
    tags: Option<Vec<String>>,
}

impl From<MoodBody> for MoodDraft {
    fn from(b: MoodBody) -> Self {
        Self {
            mood: b.mood,
            intensity: b.intensity,
            valence: b.valence,
            arousal: b.arousal,
            note: b.note,
            is_public: b.is_public,
            tags: b.tags,
        }
    }
}

/// Record a mood; friends allowed to see it get a `mood_update`. With an
/// `Idempotency-Key`, a retry within 24 h answers the first entry.
#[utoipa::path(post, path = "/moods", tag = "moods", security(("bearer" = [])), request_body = MoodBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 h")),
    responses((status = 201, body = MoodEntryView), (status = 400, body = ErrorBody),
              (status = 409, description = "idempotency_key_reused", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    JsonBody(body): JsonBody<MoodBody>,
) -> ApiResult<(StatusCode, Json<MoodEntryView>)> {
    let created = state.moods.create(user.id, body.into(), key).await?;
    Ok((StatusCode::CREATED, Json(created.into_inner().into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Whose entries (default: the caller's).
    user_id: Option<Uuid>,
    /// From this date (YYYY-MM-DD, inclusive) or RFC 3339 time.
    start_date: Option<String>,
    /// Up to this date (YYYY-MM-DD, inclusive) or RFC 3339 time.
    end_date: Option<String>,
    /// Only this mood.
    mood_type: Option<String>,
    page: Option<i64>,
    /// Up to 100.
    per_page: Option<i64>,
}

impl ListQuery {
    fn into_query(self) -> ApiResult<MoodQuery> {
        let mut errors = FieldErrors::default();
        let mut bound = |field: &str, value: Option<String>, end: bool| {
            value.and_then(|v| parse_bound(&v, end).map_err(|e| errors.add(field, e)).ok())
        };
        let start = bound("start_date", self.start_date, false);
        let end = bound("end_date", self.end_date, true);
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                errors.add("end_date", "must not be before start_date");
            }
        }
        let mood = self.mood_type.and_then(|m| {
            m.parse::<Mood>()
                .map_err(|e| errors.add("mood_type", e))
                .ok()
        });
        let page = PageQuery {
            page: self.page,
            per_page: self.per_page,
        }
        .request(PER_PAGE_CAP);
        errors
            .into_result(())
            .map_err(|e| ApiError::validation(&e))?;
        Ok(MoodQuery {
            user_id: self.user_id,
            start,
            end,
            mood,
            page: page?,
        })
    }
}

/// Entries, newest first; another user's only as their privacy allows.
#[utoipa::path(get, path = "/moods", tag = "moods", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = PageView<MoodEntryView>), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<PageView<MoodEntryView>>> {
    let entries = state.moods.list(user.id, query.into_query()?).await?;
    Ok(Json(PageView::from_paged(entries, Into::into)))
}

/// One entry: the owner's, a public one, or one the owner's privacy shares.
#[utoipa::path(get, path = "/moods/{id}", tag = "moods", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Mood entry id")),
    responses((status = 200, body = MoodEntryView), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<MoodEntryView>> {
    Ok(Json(state.moods.get(user.id, id).await?.into()))
}

/// Replace an entry (owner only); `mood` and `intensity` are required.
#[utoipa::path(put, path = "/moods/{id}", tag = "moods", security(("bearer" = [])), request_body = MoodBody,
    params(("id" = Uuid, Path, description = "Mood entry id")),
    responses((status = 200, body = MoodEntryView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn replace(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<MoodBody>,
) -> ApiResult<Json<MoodEntryView>> {
    Ok(Json(
        state
            .moods
            .update(user.id, id, body.into(), true)
            .await?
            .into(),
    ))
}

/// Change some fields of an entry (owner only).
#[utoipa::path(patch, path = "/moods/{id}", tag = "moods", security(("bearer" = [])), request_body = MoodBody,
    params(("id" = Uuid, Path, description = "Mood entry id")),
    responses((status = 200, body = MoodEntryView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn patch(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    JsonBody(body): JsonBody<MoodBody>,
) -> ApiResult<Json<MoodEntryView>> {
    Ok(Json(
        state
            .moods
            .update(user.id, id, body.into(), false)
            .await?
            .into(),
    ))
}

/// Delete an entry (owner only).
#[utoipa::path(delete, path = "/moods/{id}", tag = "moods", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Mood entry id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.moods.delete(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// week, month (default), three_months, six_months or year.
    time_range: Option<String>,
    /// Whose entries (default: the caller's); only what their privacy shares.
    user_id: Option<Uuid>,
}

/// Mood analytics over the time range back from now.
#[utoipa::path(get, path = "/moods/analytics", tag = "moods", security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, body = AnalyticsView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn analytics(
    State(state): State<AppState>,
    user: AuthUser,
    QueryParams(query): QueryParams<AnalyticsQuery>,
) -> ApiResult<Json<AnalyticsView>> {
    let range = match query.time_range.as_deref() {
        None => TimeRange::default(),
        Some(text) => text
            .parse()
            .map_err(|e: String| ApiError::invalid_field("time_range", e))?,
    };
    Ok(Json(
        state.moods.analytics(user.id, query.user_id, range).await?,
    ))
}

/// The caller's current and longest streak.
#[utoipa::path(get, path = "/moods/streak", tag = "moods", security(("bearer" = [])),
    responses((status = 200, body = StreakView)))]
async fn streak(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<StreakView>> {
    Ok(Json(state.moods.streak(user.id).await?.into()))
}
