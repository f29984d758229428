//! What resolvers reach through the GraphQL context: the app state, the caller proven
//! by the request's bearer token, and the per-request batch loaders.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Error, Result};
use uuid::Uuid;

use super::error::unauthorized;
use super::loaders::UserLoader;
use crate::extract::AuthUser;
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
}

impl RequestContext {
    pub fn new(state: AppState, caller: Option<AuthUser>) -> Self {
        let viewer = caller.map(|c| c.id);
        let users = viewer.map(|viewer| {
            DataLoader::new(UserLoader::new(state.store.clone(), viewer), tokio::spawn)
        });
        Self {
            state,
            viewer,
            session: caller.and_then(|c| c.session),
            users,
        }
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
