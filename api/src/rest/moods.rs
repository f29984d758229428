//! `/moods`: record, read, change and delete entries; list them; analytics; streaks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::domain::analytics::TimeRange;
use hugmood_actors::domain::mood::{
    Mood, MoodDraft, INTENSITY_MAX, INTENSITY_MIN, NOTE_MAX, TAGS_MAX, TAG_MAX,
};
use hugmood_actors::domain::time::parse_bound;
use hugmood_actors::domain::validation::FieldErrors;
use hugmood_actors::mood::MoodQuery;
use serde::Deserialize;
use utoipa::openapi::schema::{Array, Object, ObjectBuilder, Schema};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{nullable, whole_number, PageQuery};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, IdempotencyKeyHeader, JsonBody, PathId, QueryParams};
use crate::openapi::fields::{self, Null, ANY_CONTROL};
use crate::openapi::responses::RateLimited;
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

/// The fields of an entry; all optional here (a PATCH changes those sent; null is
/// "not sent", but clears `note`). `MoodEntryBody` is the same with `mood` and
/// `intensity` required, as a create or a replace needs them.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoodBody {
    #[schema(schema_with = mood_or_null)]
    mood: Option<String>,
    #[serde(default, deserialize_with = "whole_number::whole_number")]
    #[schema(schema_with = intensity_or_null)]
    intensity: Option<i64>,
    #[schema(schema_with = affect)]
    valence: Option<f64>,
    #[schema(schema_with = affect)]
    arousal: Option<f64>,
    #[serde(default, deserialize_with = "nullable::nullable")]
    #[schema(schema_with = note)]
    note: Option<Option<String>>,
    is_public: Option<bool>,
    #[schema(schema_with = tags)]
    tags: Option<Vec<String>>,
}

fn mood(null: Null) -> ObjectBuilder {
    fields::one_of(null, &Mood::ALL.map(Mood::as_str))
        .description(Some("One of the ten moods (case-insensitive)"))
}

fn mood_or_null() -> Object {
    mood(Null::Allowed).build()
}

fn intensity(null: Null) -> ObjectBuilder {
    fields::integer(null, INTENSITY_MIN, INTENSITY_MAX).description(Some("1–10"))
}

fn intensity_or_null() -> Object {
    intensity(Null::Allowed).build()
}

fn affect() -> Object {
    fields::unit_interval(Null::Allowed)
        .description(Some("0–1; derived from the mood when absent"))
        .build()
}

fn note() -> Object {
    fields::plain_text(Null::Allowed, NOTE_MAX)
        .description(Some("Up to 1,000 characters; null clears it"))
        .build()
}

/// `normalize_tags`: each trimmed to 1–32 characters, none a control character.
fn tags() -> Array {
    let tag = fields::trimmed_text(Null::Refused, TAG_MAX, ANY_CONTROL);
    fields::array_of(Null::Allowed, tag, TAGS_MAX)
        .description(Some(
            "Up to 10 tags of 1–32 characters (whitespace around each is trimmed; \
             repeats, ignoring case, are dropped)",
        ))
        .build()
}

/// `MoodBody` with `mood` and `intensity` required (POST and PUT).
pub struct MoodEntryBody;

impl PartialSchema for MoodEntryBody {
    fn schema() -> RefOr<Schema> {
        let mut schema = MoodBody::schema();
        if let RefOr::T(Schema::Object(body)) = &mut schema {
            body.properties
                .insert("mood".into(), mood(Null::Refused).into());
            body.properties
                .insert("intensity".into(), intensity(Null::Refused).into());
            body.required = vec!["mood".into(), "intensity".into()];
        }
        schema
    }
}

impl ToSchema for MoodEntryBody {}

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
#[utoipa::path(post, path = "/moods", tag = "moods", security(("bearer" = [])), request_body = MoodEntryBody,
    params(IdempotencyKeyHeader),
    responses((status = 201, body = MoodEntryView),
              (status = 409, description = "idempotency_key_reused", body = ErrorBody),
              (status = 429, response = RateLimited)))]
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
    #[param(schema_with = start_date)]
    start_date: Option<String>,
    #[param(schema_with = end_date)]
    end_date: Option<String>,
    #[param(schema_with = mood_type)]
    mood_type: Option<String>,
    #[param(schema_with = fields::page)]
    page: Option<i64>,
    #[param(schema_with = fields::per_page)]
    per_page: Option<i64>,
}

fn start_date() -> Schema {
    fields::date_or_time("From this date (inclusive) or time")
}

fn end_date() -> Schema {
    fields::date_or_time("Up to this date (inclusive) or time, not before `start_date`")
}

fn mood_type() -> Object {
    mood(Null::Refused)
        .description(Some("Only entries of this mood (case-insensitive)"))
        .build()
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

/// Entries, newest first, at most 100 per page; another user's only as their privacy
/// allows.
#[utoipa::path(get, path = "/moods", tag = "moods", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = PageView<MoodEntryView>), (status = 404, body = ErrorBody)))]
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
#[utoipa::path(put, path = "/moods/{id}", tag = "moods", security(("bearer" = [])), request_body = MoodEntryBody,
    params(("id" = Uuid, Path, description = "Mood entry id")),
    responses((status = 200, body = MoodEntryView),
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
    responses((status = 200, body = MoodEntryView),
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
    #[param(schema_with = time_range)]
    time_range: Option<String>,
    /// Whose entries (default: the caller's); only what their privacy shares.
    user_id: Option<Uuid>,
}

fn time_range() -> Object {
    fields::one_of(Null::Refused, &TimeRange::ALL.map(TimeRange::as_str))
        .description(Some(
            "How far back from now (default month; case-insensitive)",
        ))
        .build()
}

/// Mood analytics over the time range back from now.
#[utoipa::path(get, path = "/moods/analytics", tag = "moods", security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, body = AnalyticsView), (status = 404, body = ErrorBody)))]
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
