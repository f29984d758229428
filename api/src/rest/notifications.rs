//! `/notifications`: the inbox — list, read one, read all.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use hugmood_actors::domain::notification::{InboxFilter, Notification};
use hugmood_actors::domain::time::parse_bound;
use hugmood_actors::inbox;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::PageQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::etag::{Etag, IfNoneMatch};
use crate::extract::{account_gone, AuthUser, PathId, QueryParams, TokenUser};
use crate::openapi::fields;
use crate::state::AppState;

/// Largest `per_page` of the inbox.
const PER_PAGE_CAP: u32 = 50;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read_one))
        .routes(routes!(read_all))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    #[param(schema_with = since)]
    since: Option<String>,
    /// Only unread notifications.
    unread_only: Option<bool>,
    #[param(schema_with = fields::page)]
    page: Option<i64>,
    #[param(schema_with = fields::per_page)]
    per_page: Option<i64>,
}

fn since() -> Schema {
    fields::date_or_time("Only notifications created at or after this time or date")
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationView {
    id: Uuid,
    /// hug_received, hug_seen, friend_request, friend_accepted or streak_milestone.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    body: String,
    #[schema(value_type = Object)]
    data: Box<RawValue>,
    is_read: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<Notification> for NotificationView {
    type Error = ApiError;

    fn try_from(n: Notification) -> Result<Self, ApiError> {
        let data = RawValue::from_string(n.data).map_err(|e| {
            ApiError::from(hugmood_actors::EngineError::Internal(format!(
                "notification data: {e}"
            )))
        })?;
        Ok(Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            data,
            is_read: n.is_read,
            created_at: n.created_at,
        })
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxView {
    notifications: Vec<NotificationView>,
    total: u64,
    pages: u64,
    has_unread: bool,
    unread_count: u64,
    /// Any notification in the last 10 minutes.
    recent_activity: bool,
    timestamp: DateTime<Utc>,
}

/// The caller's notifications, newest first, at most 50 per page. The answer's `ETag`
/// sent back in `If-None-Match` gets 304 with no body while nothing in it changed.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(InboxQuery, IfNoneMatch),
    responses((status = 200, body = InboxView, headers(("ETag" = String, description = "Tag of this answer, for If-None-Match"))),
              (status = 304, description = "Not modified: nothing changed since the tag in If-None-Match",
               headers(("ETag" = String)))))]
async fn list(
    State(state): State<AppState>,
    TokenUser(user): TokenUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<InboxQuery>,
) -> ApiResult<Response> {
    let since = match query.since.as_deref() {
        None => None,
        Some(text) => {
            Some(parse_bound(text, false).map_err(|e| ApiError::invalid_field("since", e))?)
        }
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(PER_PAGE_CAP)?;
    let filter = InboxFilter {
        user_id: user.id,
        since,
        unread_only: query.unread_only.unwrap_or(false),
    };
    // Also the check that the caller's account is still there (`TokenUser`).
    let version = state
        .store
        .log_version(user.id)
        .await?
        .ok_or_else(account_gone)?;
    // `recentActivity` turns false with time alone, so it is part of the tag.
    let recent = version
        .newest_notification
        .is_some_and(|at| at > Utc::now() - inbox::RECENT);
    let etag = Etag::new(
        &version,
        &format!(
            "inbox {:?} {} {:?} {:?} {recent}",
            filter.since, filter.unread_only, query.page, query.per_page
        ),
    );
    if etag.matches(&headers) {
        return Ok(etag.not_modified());
    }
    let inbox = state.inbox.list(filter, page).await?;
    let pages = inbox.page.pages();
    Ok(etag.attach(Json(InboxView {
        total: inbox.page.total,
        pages,
        notifications: inbox
            .page
            .items
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?,
        has_unread: inbox.unread_count > 0,
        unread_count: inbox.unread_count,
        recent_activity: inbox.recent_activity,
        timestamp: Utc::now(),
    })))
}

/// Mark one notification read; the user's streams get `notification_read`.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Notification id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn read_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.inbox.read(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark every notification read; the unread count drops to 0.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
async fn read_all(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    state.inbox.read_all(user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
