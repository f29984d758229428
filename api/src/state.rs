//! `AppState`: what every handler may reach, cheap to clone.

use hugmood_actors::auth::Accounts;
use hugmood_actors::social::Social;
use hugmood_actors::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub accounts: Arc<Accounts>,
    pub social: Arc<Social>,
    pub settings: ApiSettings,
}

/// Limits of the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct ApiSettings {
    /// Largest accepted request body in bytes.
    pub body_limit_bytes: usize,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, accounts: Arc<Accounts>, settings: ApiSettings) -> Self {
        let social = Arc::new(Social::new(store.clone()));
        Self {
            store,
            accounts,
            social,
            settings,
        }
    }
}
