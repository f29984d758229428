//! Sign-in inputs and `AuthPayload`, the answer to every sign-in.

use async_graphql::{InputObject, SimpleObject};
use hugmood_actors::auth::Session;

use super::user::UserNode;

/// A new account. The rules are those of `POST /api/v1/auth/register`.
#[derive(InputObject)]
pub(crate) struct RegisterInput {
    /// 3–30 characters: letters, digits, underscore.
    pub username: String,
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    /// Defaults to the username.
    pub display_name: Option<String>,
}

/// A sign-in with username or email.
#[derive(InputObject)]
pub(crate) struct LoginInput {
    /// Username or email.
    pub login: String,
    pub password: String,
}

/// The signed-in user and a fresh token pair.
#[derive(SimpleObject)]
pub(crate) struct AuthPayload {
    pub user: UserNode,
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Trade for a new pair at `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            user: UserNode::own(s.user, false),
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_in: s.expires_in,
        }
    }
}
