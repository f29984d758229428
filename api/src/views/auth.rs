//! The answer to every sign-in: the user and a fresh token pair.

use hugmood_actors::auth::Session;
use serde::Serialize;
use utoipa::ToSchema;

use super::UserView;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthView {
    pub user: UserView,
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<Session> for AuthView {
    fn from(s: Session) -> Self {
        Self {
            user: UserView::own(s.user, false),
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_in: s.expires_in,
        }
    }
}
