//! The HTTP side of `/graphql`: who the caller is, `POST` execution, and `GET` (a
//! read-only `?query=`, or the GraphiQL page for a browser).

use async_graphql::parser::types::OperationType;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::context::RequestContext;
use super::{graphiql, HugMoodSchema};
use crate::error::ApiError;
use crate::extract::{bearer_token, AuthUser, Client, JsonBody};
use crate::state::AppState;

/// The caller of a GraphQL request: `None` without a token. A token that is present but
/// malformed, forged, expired, of a deleted account or of an ended session fails the
/// whole request with 401, as in REST: a bad token is never silently anonymous.
pub(crate) struct Caller(pub Option<AuthUser>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if bearer_token(parts)?.is_none() {
            return Ok(Self(None));
        }
        Ok(Self(Some(
            AuthUser::from_request_parts(parts, state).await?,
        )))
    }
}

/// Executes one operation sent as `{query, operationName?, variables?}`.
pub(crate) async fn post(
    State(state): State<AppState>,
    Extension(schema): Extension<HugMoodSchema>,
    Caller(viewer): Caller,
    client: Client,
    JsonBody(request): JsonBody<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    Json(
        schema
            .execute(request.data(RequestContext::new(state, viewer, client)))
            .await,
    )
}

/// With `?query=`, executes it unless it is a mutation (a link must not change
/// anything); without, serves GraphiQL.
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(schema): Extension<HugMoodSchema>,
    uri: Uri,
    headers: HeaderMap,
    client: Client,
    caller: Result<Caller, ApiError>,
) -> Response {
    let query = uri.query().unwrap_or_default();
    if !form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "query") {
        return graphiql::page(&headers);
    }
    let viewer = match caller {
        Ok(Caller(viewer)) => viewer,
        Err(err) => return err.into_response(),
    };
    let mut request = match async_graphql::http::parse_query_string(query) {
        Ok(request) => request,
        Err(err) => return ApiError::invalid_field("query", err.to_string()).into_response(),
    };
    if let Ok(document) = request.parsed_query() {
        if document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty != OperationType::Query)
        {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "only queries may be sent with GET; send mutations with POST",
            )
            .into_response();
        }
    }
    Json(
        schema
            .execute(request.data(RequestContext::new(state, viewer, client)))
            .await,
    )
    .into_response()
}
