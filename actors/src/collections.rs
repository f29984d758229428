//! Saved hugs ("hug jar"): a user's named collections of hugs they received. Only the
//! owner sees or changes a collection; someone else's is simply not found.

use std::sync::Arc;
use uuid::Uuid;

use crate::domain::collection::{self, Collection};
use crate::domain::hug::Hug;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::row_id::new_row_id;
use crate::domain::time::now;
use crate::error::{EngineError, EngineResult};
use crate::store::Store;

#[derive(Clone)]
pub struct Collections {
    store: Arc<dyn Store>,
}

/// Whether saving a hug added it or found it there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Added,
    AlreadyThere,
}

impl Collections {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    pub async fn create(&self, owner: Uuid, name: Option<&str>) -> EngineResult<Collection> {
        let name =
            collection::parse_name(name).map_err(|e| EngineError::invalid_field("name", e))?;
        let collection = Collection {
            id: new_row_id(),
            user_id: owner,
            name,
            created_at: now(),
            hug_count: 0,
        };
        self.store.insert_collection(&collection).await?;
        Ok(collection)
    }

    pub async fn list(&self, owner: Uuid, page: PageRequest) -> EngineResult<Paged<Collection>> {
        self.store.list_collections(owner, page).await
    }

    /// One collection of the owner, with a page of its hugs (most recently saved first).
    pub async fn get(
        &self,
        owner: Uuid,
        id: Uuid,
        page: PageRequest,
    ) -> EngineResult<(Collection, Paged<Hug>)> {
        let collection = self.owned(owner, id).await?;
        let hugs = self.store.collection_hugs(collection.id, page).await?;
        Ok((collection, hugs))
    }

    /// Saves a hug the owner received. A hug they sent is forbidden; one they have
    /// nothing to do with is not found.
    pub async fn add_hug(&self, owner: Uuid, id: Uuid, hug_id: Uuid) -> EngineResult<Saved> {
        let collection = self.owned(owner, id).await?;
        let hug = match self.store.hug_by_id(hug_id).await? {
            Some(hug) if hug.recipient_id == owner => hug,
            Some(hug) if hug.sender_id == owner => {
                return Err(EngineError::forbidden(
                    "not_recipient",
                    "only hugs you received can be saved",
                ))
            }
            _ => return Err(EngineError::NotFound("hug")),
        };
        Ok(
            match self
                .store
                .add_collection_hug(collection.id, hug.id, now())
                .await?
            {
                true => Saved::Added,
                false => Saved::AlreadyThere,
            },
        )
    }

    pub async fn remove_hug(&self, owner: Uuid, id: Uuid, hug_id: Uuid) -> EngineResult<()> {
        let collection = self.owned(owner, id).await?;
        match self
            .store
            .remove_collection_hug(collection.id, hug_id)
            .await?
        {
            true => Ok(()),
            false => Err(EngineError::NotFound("hug")),
        }
    }

    pub async fn delete(&self, owner: Uuid, id: Uuid) -> EngineResult<()> {
        match self.store.delete_collection(owner, id).await? {
            true => Ok(()),
            false => Err(EngineError::NotFound("collection")),
        }
    }

    async fn owned(&self, owner: Uuid, id: Uuid) -> EngineResult<Collection> {
        self.store
            .collection_of(owner, id)
            .await?
            .ok_or(EngineError::NotFound("collection"))
    }
}
