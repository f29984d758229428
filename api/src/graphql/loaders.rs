//! Batch loaders, so resolving the user of each item in a list costs one query.

use async_graphql::dataloader::Loader;
use hugmood_actors::domain::user::User;
use hugmood_actors::store::Store;
use hugmood_actors::EngineError;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Users by id as one viewer may see them: users who blocked the viewer are missing
/// from the answer, so they resolve to null.
pub(crate) struct UserLoader {
    store: Arc<dyn Store>,
    viewer: Uuid,
}

impl UserLoader {
    pub fn new(store: Arc<dyn Store>, viewer: Uuid) -> Self {
        Self { store, viewer }
    }
}

impl Loader<Uuid> for UserLoader {
    type Value = User;
    /// Shared, because every field waiting on the batch gets the same failure.
    type Error = Arc<EngineError>;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, User>, Self::Error> {
        let users = self.store.users_by_ids(ids, self.viewer).await?;
        Ok(users.into_iter().map(|user| (user.id, user)).collect())
    }
}
