//! Privacy settings as clients read and write them.

use hugmood_actors::domain::user::{AllowHugsFrom, MoodVisibility, Privacy};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyView {
    /// `public`, `friends` or `private`.
    #[schema(value_type = String, example = "friends")]
    pub mood_visibility: MoodVisibility,
    /// `everyone`, `friends` or `nobody`.
    #[schema(value_type = String, example = "everyone")]
    pub allow_hugs_from: AllowHugsFrom,
    pub show_online: bool,
}

impl From<Privacy> for PrivacyView {
    fn from(p: Privacy) -> Self {
        Self {
            mood_visibility: p.mood_visibility,
            allow_hugs_from: p.allow_hugs_from,
            show_online: p.show_online,
        }
    }
}
