//! `AppState`: what every handler may reach. It is cloned for every request (and more
//! than once: extractors, the GraphQL context), so it is one `Arc` to the services
//! rather than the services themselves: each of those holds several `Arc`s, and
//! cloning them all cost a few percent of a poll's CPU in atomic reference counts
//! bounced between cores.

use hugmood_actors::auth::{Accounts, StreamAccess};
use hugmood_actors::collections::Collections;
use hugmood_actors::domain::user::User;
use hugmood_actors::hug::Hugs;
use hugmood_actors::inbox::Inbox;
use hugmood_actors::mood::Moods;
use hugmood_actors::realtime::Realtime;
use hugmood_actors::social::Social;
use hugmood_actors::store::Store;

use crate::cors::CorsOrigins;
use crate::extract::TrustedProxies;
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone)]
pub struct AppState(Arc<Services>);

/// The services behind an [`AppState`]; its fields are reached through it.
pub struct Services {
    pub store: Arc<dyn Store>,
    pub accounts: Arc<Accounts>,
    pub stream_access: Arc<StreamAccess>,
    pub social: Social,
    pub moods: Moods,
    pub hugs: Hugs,
    pub inbox: Inbox,
    pub collections: Collections,
    pub realtime: Realtime,
    pub settings: ApiSettings,
}

/// Limits and choices of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Largest accepted request body in bytes.
    pub body_limit_bytes: usize,
    /// The `retry:` hint sent to SSE clients, in milliseconds.
    pub sse_retry_ms: u64,
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
    /// Marks the stream cookie `Secure` on every answer, not only over TLS.
    pub cookie_secure: bool,
    /// Web origins allowed to call the hub with credentials (CORS).
    pub cors_origins: CorsOrigins,
}

/// The engine services the API serves.
pub struct Engine {
    pub store: Arc<dyn Store>,
    pub accounts: Arc<Accounts>,
    pub stream_access: Arc<StreamAccess>,
    pub realtime: Realtime,
    pub hugs: Hugs,
    pub moods: Moods,
    pub social: Social,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl AppState {
    /// Whether `user` holds a stream or long-poll on any node.
    pub async fn is_connected(&self, user: Uuid) -> bool {
        self.realtime.presence().is_connected(user).await
    }

    /// Which of `users` hold a stream or long-poll on any node.
    pub async fn connected_among(&self, users: &[User]) -> HashSet<Uuid> {
        let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
        self.realtime.presence().connected(&ids).await
    }

    pub fn new(engine: Engine, settings: ApiSettings) -> Self {
        let store = engine.store;
        let inbox = Inbox::new(store.clone(), engine.realtime.clone());
        let collections = Collections::new(store.clone());
        Self(Arc::new(Services {
            store,
            accounts: engine.accounts,
            stream_access: engine.stream_access,
            social: engine.social,
            moods: engine.moods,
            hugs: engine.hugs,
            inbox,
            collections,
            realtime: engine.realtime,
            settings,
        }))
    }
}
