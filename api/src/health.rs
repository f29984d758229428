//! `/healthz` (the process lives) and `/readyz` (the database answers; also the
//! `hugmood_ready` gauge).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hugmood_actors::observe;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

#[derive(Serialize, ToSchema)]
pub struct HealthView {
    status: &'static str,
}

/// 200 while the process lives.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = HealthView)))]
async fn healthz() -> Json<HealthView> {
    Json(HealthView { status: "ok" })
}

/// 200 when the database (and Redis, in cluster mode) answers, else 503.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = HealthView), (status = 503, body = ErrorBody)))]
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<HealthView>> {
    check_ready(&state).await?;
    Ok(Json(HealthView { status: "ready" }))
}

/// Whether the database (and Redis, in cluster mode) answers; the answer is also the
/// `hugmood_ready` gauge.
pub(crate) async fn check_ready(state: &AppState) -> ApiResult<()> {
    let ready = dependencies_answer(state).await;
    metrics::gauge!(observe::READY).set(if ready.is_ok() { 1.0 } else { 0.0 });
    ready
}

async fn dependencies_answer(state: &AppState) -> ApiResult<()> {
    state.store.ping().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness check failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database does not answer",
        )
    })?;
    if !state.realtime.bus_ready().await {
        tracing::warn!("readiness check failed: the Redis bus is not connected");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the event bus (Redis) does not answer",
        ));
    }
    Ok(())
}
