//! Storage of saved-hug collections and their hugs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::collection::Collection;
use crate::domain::hug::Hug;
use crate::domain::page::{PageRequest, Paged};
use crate::error::EngineResult;

#[async_trait]
pub trait CollectionStore {
    async fn insert_collection(&self, collection: &Collection) -> EngineResult<()>;
    /// Collection `id` if `owner` owns it.
    async fn collection_of(&self, owner: Uuid, id: Uuid) -> EngineResult<Option<Collection>>;
    /// The owner's collections, newest first.
    async fn list_collections(
        &self,
        owner: Uuid,
        page: PageRequest,
    ) -> EngineResult<Paged<Collection>>;
    /// Deletes collection `id` of `owner` (its saved hugs stay hugs); `false` if none.
    async fn delete_collection(&self, owner: Uuid, id: Uuid) -> EngineResult<bool>;
    /// Saves `hug` in `collection`; `false` when it was there already.
    async fn add_collection_hug(
        &self,
        collection: Uuid,
        hug: Uuid,
        at: DateTime<Utc>,
    ) -> EngineResult<bool>;
    /// `false` when the hug was not in the collection.
    async fn remove_collection_hug(&self, collection: Uuid, hug: Uuid) -> EngineResult<bool>;
    /// The hugs of a collection, most recently saved first.
    async fn collection_hugs(
        &self,
        collection: Uuid,
        page: PageRequest,
    ) -> EngineResult<Paged<Hug>>;
}

/// A collection with its hug count, for `$1` = owner, `$2` = id.
pub(crate) const SELECT_COLLECTION: &str = "SELECT c.id, c.user_id, c.name, c.created_at, \
    (SELECT COUNT(*) FROM collection_hugs h WHERE h.collection_id = c.id) AS hug_count \
    FROM collections c";

macro_rules! impl_collection_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::collections::CollectionStore for $store {
            async fn insert_collection(
                &self,
                c: &$crate::domain::collection::Collection,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query("INSERT INTO collections (id, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(c.id)
                    .bind(c.user_id)
                    .bind(&c.name)
                    .bind(c.created_at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn collection_of(
                &self,
                owner: uuid::Uuid,
                id: uuid::Uuid,
            ) -> $crate::error::EngineResult<Option<$crate::domain::collection::Collection>> {
                let sql = format!("{} WHERE c.user_id = $1 AND c.id = $2", $crate::store::collections::SELECT_COLLECTION);
                Ok(sqlx::query_as::<_, $crate::store::rows::CollectionRow>(&sql)
                    .bind(owner)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .map(Into::into))
            }

            async fn list_collections(
                &self,
                owner: uuid::Uuid,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::collection::Collection>> {
                let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM collections WHERE user_id = $1")
                    .bind(owner)
                    .fetch_one(self.reader())
                    .await?;
                let sql = format!(
                    "{} WHERE c.user_id = $1 ORDER BY c.created_at DESC, c.id LIMIT $2 OFFSET $3",
                    $crate::store::collections::SELECT_COLLECTION
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::CollectionRow>(&sql)
                    .bind(owner)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                Ok($crate::domain::page::Paged {
                    items: rows.into_iter().map(Into::into).collect(),
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn delete_collection(&self, owner: uuid::Uuid, id: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let done = sqlx::query("DELETE FROM collections WHERE user_id = $1 AND id = $2")
                    .bind(owner)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn add_collection_hug(
                &self,
                collection: uuid::Uuid,
                hug: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO collection_hugs (collection_id, hug_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(collection)
                .bind(hug)
                .bind(at)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn remove_collection_hug(&self, collection: uuid::Uuid, hug: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let done = sqlx::query("DELETE FROM collection_hugs WHERE collection_id = $1 AND hug_id = $2")
                    .bind(collection)
                    .bind(hug)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn collection_hugs(
                &self,
                collection: uuid::Uuid,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::hug::Hug>> {
                let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM collection_hugs WHERE collection_id = $1")
                    .bind(collection)
                    .fetch_one(self.reader())
                    .await?;
                let sql = format!(
                    "SELECT {} FROM collection_hugs JOIN hugs ON hugs.id = collection_hugs.hug_id \
                     WHERE collection_hugs.collection_id = $1 \
                     ORDER BY collection_hugs.added_at DESC, hugs.id LIMIT $2 OFFSET $3",
                    $crate::store::rows::HUG_READ_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::HugRow>(&sql)
                    .bind(collection)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                Ok($crate::domain::page::Paged {
                    items: $crate::store::rows::convert_all(rows)?,
                    total: total.max(0) as u64,
                    request: page,
                })
            }
        }
    };
}
pub(crate) use impl_collection_store;
