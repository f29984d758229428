//! `User`: a profile, with `email` only in one's own and presence only as the user shows it.

use async_graphql::{Context, SimpleObject, ID};
use hugmood_actors::domain::user::User;
use uuid::Uuid;

use super::id;
use crate::graphql::context::request;
use crate::graphql::error::{engine_error, or_null};
use crate::graphql::scalars::Timestamp;
use crate::views::UserView;

/// A HugMood user.
#[derive(SimpleObject)]
#[graphql(name = "User")]
pub(crate) struct UserNode {
    pub id: ID,
    /// 3–30 characters: letters, digits, underscore.
    pub username: String,
    pub display_name: String,
    pub profile_image: Option<String>,
    pub bio: Option<String>,
    pub status: Option<String>,
    pub is_anonymous: bool,
    pub joined_at: Timestamp,
    /// Null when the user hides their online status from others.
    pub last_active: Option<Timestamp>,
    pub online: bool,
    /// Only in one's own profile; null for everyone else's.
    pub email: Option<String>,
}

impl UserNode {
    /// One's own profile, email included.
    pub fn own(user: User, connected: bool) -> Self {
        UserView::own(user, connected).into()
    }

    /// `user` as `viewer` sees them (`connected`: holds a stream on any node).
    pub fn for_viewer(user: User, viewer: Uuid, connected: bool) -> Self {
        UserView::for_viewer(user, viewer, connected).into()
    }
}

impl From<UserView> for UserNode {
    fn from(v: UserView) -> Self {
        Self {
            id: id(v.id),
            username: v.username,
            display_name: v.display_name,
            profile_image: v.profile_image,
            bio: v.bio,
            status: v.status,
            is_anonymous: v.is_anonymous,
            joined_at: Timestamp(v.joined_at),
            last_active: v.last_active.map(Timestamp),
            online: v.online,
            email: v.email,
        }
    }
}

/// The user `id` as the caller sees them, through the request's batch loader: null if
/// they do not exist or have blocked the caller (or, with an error, if loading failed).
pub(crate) async fn load(ctx: &Context<'_>, id: Uuid) -> Option<UserNode> {
    or_null(ctx, async {
        let request = request(ctx)?;
        let viewer = request.viewer()?;
        let loaded = request.users()?.load_one(id).await;
        let user = loaded.map_err(|err| engine_error(&err))?;
        let connected = request.state.is_connected(id).await;
        Ok(user.map(|user| UserNode::for_viewer(user, viewer, connected)))
    })
    .await
    .flatten()
}
