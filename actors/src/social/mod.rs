//! Friendships and blocks. Friend requests and their answers go through the sharded
//! `SocialActor`s, which commit each with the other side's notification and event
//! (`friend_request`, `friend_accepted`) and publish them; listings, unfriending and
//! blocks go straight to the store.

mod actor;
mod writes;

use std::sync::Arc;
use uuid::Uuid;

use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::{Direction, FriendRequest};
use crate::domain::time::now;
use crate::domain::user::User;
use crate::error::{EngineError, EngineResult};
use crate::realtime::Realtime;
use crate::shard::Shards;
use crate::store::Store;
use actor::{SocialActor, SocialMsg};
use writes::SocialWriter;

#[derive(Clone)]
pub struct Social {
    store: Arc<dyn Store>,
    shards: Shards<SocialActor>,
}

impl Social {
    /// Starts `shards` SocialActors under their supervisor.
    pub async fn start(
        store: Arc<dyn Store>,
        realtime: Realtime,
        shards: usize,
    ) -> EngineResult<Self> {
        let queue_limit = realtime.settings().actor_queue_limit;
        let writer = SocialWriter {
            store: store.clone(),
            realtime,
        };
        let shards = Shards::start("social", SocialActor, shards, queue_limit, writer).await?;
        Ok(Self { store, shards })
    }

    /// Stops the shards.
    pub fn stop(&self) {
        self.shards.stop();
    }

    /// The user `id` as `viewer` may see them: not found if they do not exist or have
    /// blocked the viewer.
    pub async fn visible_user(&self, viewer: Uuid, id: Uuid) -> EngineResult<User> {
        writes::visible_user(self.store.as_ref(), viewer, id).await
    }

    /// Asks `to` to be friends, through the asker's shard.
    pub async fn send_request(&self, from: Uuid, to: Uuid) -> EngineResult<FriendRequest> {
        self.shards
            .call(from, |reply| SocialMsg::Request { from, to, reply })
            .await?
    }

    /// Accepts or declines a request addressed to `user`, through `user`'s shard.
    pub async fn respond(
        &self,
        user: Uuid,
        request_id: Uuid,
        accept: bool,
    ) -> EngineResult<FriendRequest> {
        self.shards
            .call(user, |reply| SocialMsg::Respond {
                user,
                request_id,
                accept,
                reply,
            })
            .await?
    }

    pub async fn list_requests(
        &self,
        user: Uuid,
        direction: Direction,
        page: PageRequest,
    ) -> EngineResult<Paged<FriendRequest>> {
        self.store.list_friend_requests(user, direction, page).await
    }

    pub async fn friends(&self, user: Uuid, page: PageRequest) -> EngineResult<Paged<User>> {
        self.store.list_friends(user, page).await
    }

    pub async fn unfriend(&self, user: Uuid, other: Uuid) -> EngineResult<()> {
        match self.store.remove_friendship(user, other).await? {
            true => Ok(()),
            false => Err(EngineError::NotFound("friend")),
        }
    }

    pub async fn block(&self, blocker: Uuid, blocked: Uuid) -> EngineResult<()> {
        if blocker == blocked {
            return Err(EngineError::invalid_field(
                "userId",
                "you cannot block yourself",
            ));
        }
        if !self.store.user_exists(blocked).await? {
            return Err(EngineError::NotFound("user"));
        }
        self.store.insert_block(blocker, blocked, now()).await
    }

    pub async fn unblock(&self, blocker: Uuid, blocked: Uuid) -> EngineResult<()> {
        match self.store.delete_block(blocker, blocked).await? {
            true => Ok(()),
            false => Err(EngineError::NotFound("block")),
        }
    }
}
