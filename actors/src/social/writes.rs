//! The writes of friend requests, as a `SocialActor` shard runs them: asking and
//! answering. Each commits with its outbox — the other side's `friend_request` or
//! `friend_accepted` event and notification — and publishes after the commit.

use std::sync::Arc;
use uuid::Uuid;

use crate::domain::event::{EventKind, NewEvent};
use crate::domain::outbox::Outbox;
use crate::domain::row_id::new_row_id;
use crate::domain::social::{FriendRequest, NewNotification, RequestStatus};
use crate::domain::time::now;
use crate::domain::user::User;
use crate::error::{EngineError, EngineResult};
use crate::limits::Rule;
use crate::realtime::Realtime;
use crate::store::Store;

/// The user `id` as `viewer` may see them: not found if they do not exist or have
/// blocked the viewer.
pub(super) async fn visible_user(store: &dyn Store, viewer: Uuid, id: Uuid) -> EngineResult<User> {
    let user = store
        .user_by_id(id)
        .await?
        .ok_or(EngineError::NotFound("user"))?;
    if id != viewer && store.relation(id, viewer).await?.a_blocks_b {
        return Err(EngineError::NotFound("user"));
    }
    Ok(user)
}

/// What a `SocialActor` shard works with.
#[derive(Clone)]
pub(crate) struct SocialWriter {
    pub store: Arc<dyn Store>,
    pub realtime: Realtime,
}

impl SocialWriter {
    pub async fn send_request(&self, from: Uuid, to: Uuid) -> EngineResult<FriendRequest> {
        if from == to {
            return Err(EngineError::invalid_field(
                "userId",
                "you cannot befriend yourself",
            ));
        }
        self.realtime
            .limits()
            .take(Rule::FriendRequestsByUser, from)
            .await?;
        let target = visible_user(self.store.as_ref(), from, to).await?;
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
        let at = now();
        let request = FriendRequest {
            id: Uuid::new_v4(),
            from,
            to,
            status: RequestStatus::Pending,
            created_at: at,
        };
        let about_sender = serde_json::json!({
            "requestId": request.id, "fromUserId": from, "fromUsername": sender.username,
        });
        let outbox = Outbox::new()
            .event(NewEvent {
                user_id: to,
                kind: EventKind::FriendRequest,
                data: serde_json::json!({
                    "id": request.id,
                    "from": from,
                    "to": to,
                    "status": request.status.as_str(),
                    "createdAt": at,
                    "fromUsername": sender.username,
                    "fromDisplayName": sender.display_name,
                }),
                created_at: at,
            })
            .notify(NewNotification {
                id: new_row_id(),
                user_id: to,
                kind: "friend_request",
                title: "New friend request".into(),
                body: format!("{} wants to be your friend", sender.display_name),
                data: about_sender,
                created_at: at,
            });
        let events = self.store.insert_friend_request(&request, &outbox).await?;
        self.realtime.publish(events).await;
        Ok(request)
    }

    /// Accepts or declines a request addressed to `user`. Only an acceptance tells the
    /// asker; a declined request ends quietly.
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
        let outbox = match accept {
            false => Outbox::new(),
            true => {
                let me = self
                    .store
                    .user_by_id(user)
                    .await?
                    .ok_or(EngineError::NotFound("user"))?;
                let about_me = serde_json::json!({
                    "requestId": request.id, "userId": me.id, "username": me.username,
                });
                Outbox::new()
                    .event(NewEvent {
                        user_id: request.from,
                        kind: EventKind::FriendAccepted,
                        data: serde_json::json!({
                            "requestId": request.id,
                            "userId": me.id,
                            "username": me.username,
                            "displayName": me.display_name,
                        }),
                        created_at: at,
                    })
                    .notify(NewNotification {
                        id: new_row_id(),
                        user_id: request.from,
                        kind: "friend_accepted",
                        title: "Friend request accepted".into(),
                        body: format!("{} accepted your friend request", me.display_name),
                        data: about_me,
                        created_at: at,
                    })
            }
        };
        let Some(events) = self
            .store
            .respond_friend_request(request.id, status, at, &outbox)
            .await?
        else {
            return Err(EngineError::conflict(
                "request_not_pending",
                "this friend request was already answered",
            ));
        };
        self.realtime.publish(events).await;
        Ok(FriendRequest { status, ..request })
    }
}
