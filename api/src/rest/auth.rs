//! `/auth`: register, login, refresh, logout, anonymous.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use hugmood_actors::domain::account::Registration;
use hugmood_actors::domain::validation::{
    FieldErrors, DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX,
    USERNAME_MIN,
};
use serde::Deserialize;
use utoipa::openapi::Object;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AuthUser, Client, JsonBody};
use crate::openapi::fields::{self, Null, ANY_CONTROL};
use crate::openapi::responses::RateLimited;
use crate::state::AppState;
use crate::stream_cookie;
use crate::views::AuthView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(anonymous))
}

// The fields' schemas (and so their descriptions) come from the functions below them:
// `schema_with` replaces what doc comments would give.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterBody {
    #[schema(required = true, schema_with = username)]
    username: Option<String>,
    #[schema(required = true, schema_with = email)]
    email: Option<String>,
    #[schema(required = true, schema_with = password)]
    password: Option<String>,
    #[schema(schema_with = display_name)]
    display_name: Option<String>,
}

fn username() -> Object {
    fields::string(Null::Refused, 0, None)
        .pattern(Some(format!(
            "^[A-Za-z0-9_]{{{USERNAME_MIN},{USERNAME_MAX}}}$"
        )))
        .description(Some("3–30 characters: letters, digits, underscore"))
        .build()
}

/// `validation::email`: one `@`, a dotted domain, no whitespace or control characters.
fn email() -> Object {
    let local = format!(r"[^@\s{ANY_CONTROL}]+");
    let label = format!(r"[^@.\s{ANY_CONTROL}]+");
    fields::string(Null::Refused, 0, Some(EMAIL_MAX))
        .pattern(Some(format!(r"^\s*{local}@{label}(?:\.{label})+\s*$")))
        .description(Some(
            "An email address, at most 254 characters; whitespace around it is ignored",
        ))
        .build()
}

fn password() -> Object {
    fields::string(Null::Refused, PASSWORD_MIN, Some(PASSWORD_MAX))
        .description(Some("8 to 1,024 characters"))
        .build()
}

fn display_name() -> Object {
    fields::non_blank_text(Null::Allowed, DISPLAY_NAME_MAX)
        .description(Some(
            "Up to 50 characters, not blank (default: the username)",
        ))
        .build()
}

fn login_name() -> Object {
    fields::string(Null::Refused, 1, None)
        .description(Some("Username or email"))
        .build()
}

/// A secret the client was given: any non-empty text.
fn secret() -> Object {
    fields::string(Null::Refused, 1, None).build()
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    #[schema(required = true, schema_with = login_name)]
    login: Option<String>,
    #[schema(required = true, schema_with = secret)]
    password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshBody {
    #[schema(required = true, schema_with = secret)]
    refresh_token: Option<String>,
}

/// The value of a required field, or a 400 naming it.
fn required(value: Option<String>, field: &str, errors: &mut FieldErrors) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| {
        errors.add(field, "is required");
        String::new()
    })
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterBody,
    responses((status = 201, body = AuthView),
              (status = 409, description = "username_taken or email_taken", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn register(
    State(state): State<AppState>,
    client: Client,
    JsonBody(body): JsonBody<RegisterBody>,
) -> ApiResult<(StatusCode, Json<AuthView>)> {
    let registration =
        Registration::parse(body.username, body.email, body.password, body.display_name)
            .map_err(|e| ApiError::validation(&e))?;
    let session = state.accounts.register(client.addr, registration).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

/// Sign in with username or email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = AuthView),
              (status = 401, description = "invalid_credentials", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn login(
    State(state): State<AppState>,
    client: Client,
    JsonBody(body): JsonBody<LoginBody>,
) -> ApiResult<Json<AuthView>> {
    let mut errors = FieldErrors::default();
    let login = required(body.login, "login", &mut errors);
    let password = required(body.password, "password", &mut errors);
    errors
        .into_result(())
        .map_err(|e| ApiError::validation(&e))?;
    Ok(Json(
        state
            .accounts
            .login(client.addr, &login, &password)
            .await?
            .into(),
    ))
}

/// Trade a refresh token for a new pair; the old token is spent. Presenting a spent
/// token revokes its whole family.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = AuthView),
              (status = 401, description = "invalid_refresh_token", body = ErrorBody),
              (status = 429, response = RateLimited)))]
async fn refresh(
    State(state): State<AppState>,
    client: Client,
    JsonBody(body): JsonBody<RefreshBody>,
) -> ApiResult<Json<AuthView>> {
    let mut errors = FieldErrors::default();
    let token = required(body.refresh_token, "refreshToken", &mut errors);
    errors
        .into_result(())
        .map_err(|e| ApiError::validation(&e))?;
    Ok(Json(
        state.accounts.refresh(client.addr, &token).await?.into(),
    ))
}

/// End the session of a refresh token (its whole family) and that of the access
/// token: their access tokens answer 401 and their streams end, on every node.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshBody,
    security(("bearer" = [])),
    responses((status = 204)))]
async fn logout(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    user: AuthUser,
    JsonBody(body): JsonBody<RefreshBody>,
) -> ApiResult<(StatusCode, [(header::HeaderName, HeaderValue); 1])> {
    let mut errors = FieldErrors::default();
    let token = required(body.refresh_token, "refreshToken", &mut errors);
    errors
        .into_result(())
        .map_err(|e| ApiError::validation(&e))?;
    state.accounts.logout(user.id, user.session, &token).await?;
    // The stream cookie of this session is revoked with it; clear it in the browser too.
    let clear = stream_cookie::clear(&state, &client, &headers)?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]))
}

/// Create an anonymous account (`isAnonymous: true`) and sign in.
#[utoipa::path(post, path = "/auth/anonymous", tag = "auth",
    responses((status = 201, body = AuthView), (status = 429, response = RateLimited)))]
async fn anonymous(
    State(state): State<AppState>,
    client: Client,
) -> ApiResult<(StatusCode, Json<AuthView>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.accounts.anonymous(client.addr).await?.into()),
    ))
}
