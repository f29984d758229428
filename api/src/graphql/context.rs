//! What resolvers reach through the GraphQL context: the app state, the caller proven
//! by the request's bearer token, the client's address, and the per-request batch
//! loaders.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

use super::error::{coded, unauthorized};
use super::loaders::UserLoader;
use crate::extract::{AuthUser, Client};
use crate::state::AppState;

/// Added to every GraphQL request by the HTTP handler.
pub(crate) struct RequestContext {
    pub state: AppState,
    /// `None` when the request carried no token (only register and login work then).
    viewer: Option<Uuid>,
    /// The caller's session, so a subscription ends with it.
    session: Option<Uuid>,
    /// Loads users as `viewer` may see them; caches for this request only, so it never
    /// shows one caller what another was allowed to see.
    users: Option<DataLoader<UserLoader>>,
    /// Who sent the request, for the sign-in rate limits.
    client: Client,
    /// Set by the first `register` or `login` of the request.
    signed_in: AtomicBool,
}

impl RequestContext {
    pub fn new(state: AppState, caller: Option<AuthUser>, client: Client) -> Self {
        let viewer = caller.map(|c| c.id);
        let users = viewer.map(|viewer| {
            DataLoader::new(UserLoader::new(state.store.clone(), viewer), tokio::spawn)
        });
        Self {
            state,
            viewer,
            session: caller.and_then(|c| c.session),
            users,
            client,
            signed_in: AtomicBool::new(false),
        }
    }

    /// The address the request came from.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Claims the request's one `register` or `login`: a request may carry one, so
    /// aliases cannot turn it into hundreds of password guesses.
    pub fn claim_sign_in(&self) -> Result<()> {
        if self.signed_in.swap(true, Ordering::AcqRel) {
            return Err(coded(
                "too_many_auth_mutations",
                "a request may carry one register or login mutation; send each in its own request"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// The session of the caller's token, if it has one.
    pub fn session(&self) -> Option<Uuid> {
        self.session
    }

    /// The caller, or the `unauthorized` error for fields that need one.
    pub fn viewer(&self) -> Result<Uuid> {
        self.viewer.ok_or_else(unauthorized)
    }

    pub fn users(&self) -> Result<&DataLoader<UserLoader>> {
        self.users.as_ref().ok_or_else(unauthorized)
    }
}

/// The request context of `ctx`.
pub(crate) fn request<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext> {
    ctx.data::<RequestContext>().map_err(|_| {
        tracing::error!("GraphQL request executed without its RequestContext");
        Error::new("internal error")
    })
}
