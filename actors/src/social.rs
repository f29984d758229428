//! Friendships and blocks: the rules around friend requests, and the notifications
//! they cause. (The `SocialActor` of the realtime core will carry these calls.)

use std::sync::Arc;
use uuid::Uuid;

use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::{Direction, FriendRequest, NewNotification, RequestStatus};
use crate::domain::time::now;
use crate::domain::user::User;
use crate::error::{EngineError, EngineResult};
use crate::store::Store;

pub struct Social {
    store: Arc<dyn Store>,
}

impl Social {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The user `id` as `viewer` may see them: not found if they do not exist or have
    /// blocked the viewer.
    pub async fn visible_user(&self, viewer: Uuid, id: Uuid) -> EngineResult<User> {
        let user = self
            .store
            .user_by_id(id)
            .await?
            .ok_or(EngineError::NotFound("user"))?;
        if id != viewer && self.store.relation(id, viewer).await?.a_blocks_b {
            return Err(EngineError::NotFound("user"));
        }
        Ok(user)
    }

    pub async fn send_request(&self, from: Uuid, to: Uuid) -> EngineResult<FriendRequest> {
        if from == to {
            return Err(EngineError::invalid_field(
                "userId",
                "you cannot befriend yourself",
            ));
        }
        let target = self.visible_user(from, to).await?;
        let relation = self.store.relation(from, target.id).await?;
        if relation.a_blocks_b {
            return Err(EngineError::forbidden(
                "user_blocked",
                "you have blocked this user; unblock them first",
            ));
        }
        if relation.friends {
            return Err(EngineError::conflict(
                "already_friends",
                "you are already friends",
            ));
        }
        let sender = self
            .store
            .user_by_id(from)
            .await?
            .ok_or(EngineError::NotFound("user"))?;
        let request = FriendRequest {
            id: Uuid::new_v4(),
            from,
            to,
            status: RequestStatus::Pending,
            created_at: now(),
        };
        let notification = NewNotification {
            id: Uuid::new_v4(),
            user_id: to,
            kind: "friend_request",
            title: "New friend request".into(),
            body: format!("{} wants to be your friend", sender.display_name),
            data: serde_json::json!({
                "requestId": request.id, "fromUserId": from, "fromUsername": sender.username,
            }),
            created_at: request.created_at,
        };
        self.store
            .insert_friend_request(&request, &notification)
            .await?;
        Ok(request)
    }

    pub async fn list_requests(
        &self,
        user: Uuid,
        direction: Direction,
        page: PageRequest,
    ) -> EngineResult<Paged<FriendRequest>> {
        self.store.list_friend_requests(user, direction, page).await
    }

    /// Accepts or declines a request addressed to `user`.
    pub async fn respond(
        &self,
        user: Uuid,
        request_id: Uuid,
        accept: bool,
    ) -> EngineResult<FriendRequest> {
        let request = self
            .store
            .friend_request(request_id)
            .await?
            .ok_or(EngineError::NotFound("friend request"))?;
        if request.from == user {
            return Err(EngineError::forbidden(
                "not_recipient",
                "only the recipient can answer a friend request",
            ));
        }
        if request.to != user {
            return Err(EngineError::NotFound("friend request"));
        }
        let status = if accept {
            RequestStatus::Accepted
        } else {
            RequestStatus::Declined
        };
        let at = now();
        let notification = match accept {
            false => None,
            true => {
                let me = self
                    .store
                    .user_by_id(user)
                    .await?
                    .ok_or(EngineError::NotFound("user"))?;
                Some(NewNotification {
                    id: Uuid::new_v4(),
                    user_id: request.from,
                    kind: "friend_accepted",
                    title: "Friend request accepted".into(),
                    body: format!("{} accepted your friend request", me.display_name),
                    data: serde_json::json!({ "requestId": request.id, "userId": me.id, "username": me.username }),
                    created_at: at,
                })
            }
        };
        if !self
            .store
            .respond_friend_request(request.id, status, at, notification.as_ref())
            .await?
        {
            return Err(EngineError::conflict(
                "request_not_pending",
                "this friend request was already answered",
            ));
        }
        Ok(FriendRequest { status, ..request })
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
