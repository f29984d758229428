//! Users: one's own profile and others', sign-up and sign-in.

use async_graphql::{Context, Object, ID};
use hugmood_actors::domain::account::Registration;
use hugmood_actors::domain::validation::FieldErrors;
use hugmood_actors::EngineError;

use crate::graphql::context::request;
use crate::graphql::error::{invalid_fields, or_null, OrGraphqlError};
use crate::graphql::types::auth::{AuthPayload, LoginInput, RegisterInput};
use crate::graphql::types::parse_id;
use crate::graphql::types::user::UserNode;

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The caller's own profile, email included.
    async fn me(&self, ctx: &Context<'_>) -> Option<UserNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let user = request.state.store.user_by_id(viewer).await.gql()?;
            let user = user.ok_or(EngineError::NotFound("user")).gql()?;
            let connected = request.state.is_connected(user.id).await;
            Ok(UserNode::own(user, connected))
        })
        .await
    }

    /// A user's profile (no email unless it is the caller's own); null and `not_found`
    /// if they do not exist or have blocked the caller.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Option<UserNode> {
        or_null(ctx, async {
            let request = request(ctx)?;
            let viewer = request.viewer()?;
            let id = parse_id("id", &id)?;
            let user = request.state.social.visible_user(viewer, id).await.gql()?;
            let connected = request.state.is_connected(user.id).await;
            Ok(UserNode::for_viewer(user, viewer, connected))
        })
        .await
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an account and signs in; `username_taken` / `email_taken` if taken.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Option<AuthPayload> {
        or_null(ctx, async {
            let request = request(ctx)?;
            request.claim_sign_in()?;
            let registration = Registration::parse(
                Some(input.username),
                Some(input.email),
                Some(input.password),
                input.display_name,
            )
            .map_err(|e| invalid_fields(&e))?;
            Ok(request
                .state
                .accounts
                .register(request.client().addr, registration)
                .await
                .gql()?
                .into())
        })
        .await
    }

    /// Signs in with username or email; `invalid_credentials` otherwise.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Option<AuthPayload> {
        or_null(ctx, async {
            let request = request(ctx)?;
            request.claim_sign_in()?;
            let mut errors = FieldErrors::default();
            if input.login.trim().is_empty() {
                errors.add("login", "is required");
            }
            if input.password.is_empty() {
                errors.add("password", "is required");
            }
            errors.into_result(()).map_err(|e| invalid_fields(&e))?;
            let accounts = &request.state.accounts;
            Ok(accounts
                .login(request.client().addr, &input.login, &input.password)
                .await
                .gql()?
                .into())
        })
        .await
    }
}
