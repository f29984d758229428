//! A user profile: the full one for oneself (with email), the public one for others.

use chrono::{DateTime, Utc};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::User;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub profile_image: Option<String>,
    pub bio: Option<String>,
    pub status: Option<String>,
    pub is_anonymous: bool,
    pub joined_at: DateTime<Utc>,
    /// Null when the user hides their online status from others.
    pub last_active: Option<DateTime<Utc>>,
    pub online: bool,
    /// Only in one's own profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl UserView {
    /// One's own profile: everything, email included. `connected`: whether the user
    /// holds a stream or long-poll on any node (the presence registry's answer).
    pub fn own(user: User, connected: bool) -> Self {
        let online = connected || user.is_active_at(now());
        Self::build(user, online, true)
    }

    /// The profile as others see it: no email, and presence only if the user shows it.
    pub fn public(user: User, connected: bool) -> Self {
        let online = user.privacy.show_online && (connected || user.is_active_at(now()));
        Self::build(user, online, false)
    }

    /// Own profile for `viewer == user.id`, public otherwise.
    pub fn for_viewer(user: User, viewer: Uuid, connected: bool) -> Self {
        if user.id == viewer {
            Self::own(user, connected)
        } else {
            Self::public(user, connected)
        }
    }

    fn build(user: User, online: bool, own: bool) -> Self {
        let show_presence = own || user.privacy.show_online;
        Self {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            profile_image: user.profile_image,
            bio: user.bio,
            status: user.status,
            is_anonymous: user.is_anonymous,
            joined_at: user.joined_at,
            last_active: show_presence.then_some(user.last_active),
            online,
            email: if own { user.email } else { None },
        }
    }
}
