//! What resolvers reach through the GraphQL context: the app state, the caller proven
//! by the request's bearer token, and the per-request batch loaders.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Error, Result};
use uuid::Uuid;

use super::error::unauthorized;
use super::loaders::UserLoader;
use crate::state::AppState;

/// Added to every GraphQL request by the HTTP handler.
pub(crate) struct RequestContext {
    pub state: AppState,
    /// `None` when the request carried no token (only register and login work then).
    viewer: Option<Uuid>,
    /// Loads users as `viewer` may see them; caches for this request only, so it never
    /// shows one caller what another was allowed to see.
    users: Option<DataLoader<UserLoader>>,
}

impl RequestContext {
    pub fn new(state: AppState, viewer: Option<Uuid>) -> Self {
        let users = viewer.map(|viewer| {
            DataLoader::new(UserLoader::new(state.store.clone(), viewer), tokio::spawn)
        });
        Self {
            state,
            viewer,
            users,
        }
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
