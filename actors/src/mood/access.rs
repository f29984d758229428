//! Who may see which mood entries: the owner everything; a viewer the owner shares
//! moods with (`moodVisibility` public, or friends for a friend) every entry; anyone
//! else only public entries; someone the owner blocked nothing at all.

use uuid::Uuid;

use crate::domain::mood::MoodEntry;
use crate::domain::user::MoodVisibility;
use crate::error::{EngineError, EngineResult};
use crate::store::Store;

/// What a viewer may see of one user's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// The owner: everything, and may change it.
    Owner,
    /// Every entry (the owner shares moods with this viewer).
    All,
    /// Only entries marked public.
    PublicOnly,
}

/// How much of `owner`'s moods `viewer` may see. Not found when the owner does not
/// exist or has blocked the viewer.
pub(super) async fn access(store: &dyn Store, viewer: Uuid, owner: Uuid) -> EngineResult<Access> {
    if viewer == owner {
        return Ok(Access::Owner);
    }
    let user = store
        .user_by_id(owner)
        .await?
        .ok_or(EngineError::NotFound("user"))?;
    let relation = store.relation(owner, viewer).await?;
    if relation.a_blocks_b {
        return Err(EngineError::NotFound("user"));
    }
    Ok(match user.privacy.mood_visibility {
        MoodVisibility::Public => Access::All,
        MoodVisibility::Friends if relation.friends => Access::All,
        MoodVisibility::Friends | MoodVisibility::Private => Access::PublicOnly,
    })
}

/// Entry `id` with the viewer's access to it; not found when the viewer may not see it.
pub(super) async fn visible(
    store: &dyn Store,
    viewer: Uuid,
    id: Uuid,
) -> EngineResult<(MoodEntry, Access)> {
    let entry = store
        .mood_by_id(id)
        .await?
        .ok_or(EngineError::NotFound("mood entry"))?;
    let access = match access(store, viewer, entry.user_id).await {
        Err(EngineError::NotFound(_)) => return Err(EngineError::NotFound("mood entry")),
        other => other?,
    };
    if access == Access::PublicOnly && !entry.is_public {
        return Err(EngineError::NotFound("mood entry"));
    }
    Ok((entry, access))
}

/// Entry `id`, which only its owner may change; others who can see it are forbidden.
pub(super) async fn owned(store: &dyn Store, viewer: Uuid, id: Uuid) -> EngineResult<MoodEntry> {
    let (entry, access) = visible(store, viewer, id).await?;
    if access != Access::Owner {
        return Err(EngineError::forbidden(
            "not_owner",
            "only the owner can change this mood entry",
        ));
    }
    Ok(entry)
}
