//! Users and their privacy settings.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

use crate::domain::validation::{self, FieldErrors};

/// Who may see a user's mood entries that are not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MoodVisibility {
    Public,
    #[default]
    Friends,
    Private,
}

/// Who may send a user hugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AllowHugsFrom {
    #[default]
    Everyone,
    Friends,
    Nobody,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($text => Ok(Self::$variant),)+ other => Err(format!("unknown value {other:?}")) }
            }
        }
    };
}

text_enum!(MoodVisibility { Public => "public", Friends => "friends", Private => "private" });
text_enum!(AllowHugsFrom { Everyone => "everyone", Friends => "friends", Nobody => "nobody" });

/// A user's privacy settings; `Default` gives the spec's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    pub mood_visibility: MoodVisibility,
    pub allow_hugs_from: AllowHugsFrom,
    pub show_online: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            mood_visibility: MoodVisibility::Friends,
            allow_hugs_from: AllowHugsFrom::Everyone,
            show_online: true,
        }
    }
}

/// A user as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    /// PHC string of the argon2 hash; `None` for anonymous users, who cannot log in.
    pub password_hash: Option<String>,
    pub display_name: String,
    pub profile_image: Option<String>,
    pub bio: Option<String>,
    pub status: Option<String>,
    pub is_anonymous: bool,
    pub joined_at: DateTime<Utc>,
    pub last_active: DateTime<Utc>,
    pub privacy: Privacy,
}

/// How recently a user must have been active to count as online (besides holding a
/// stream or long-poll, which the presence registry knows).
pub const ONLINE_WINDOW: Duration = Duration::minutes(1);

impl User {
    /// Whether the user counts as online at `now`, ignoring their `show_online` choice.
    pub fn is_active_at(&self, now: DateTime<Utc>) -> bool {
        now - self.last_active <= ONLINE_WINDOW
    }
}

/// The case-folded form of a display name that search matches against.
pub fn fold_case(text: &str) -> String {
    text.to_lowercase()
}

/// Everything needed to insert a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub is_anonymous: bool,
    pub now: DateTime<Utc>,
}

/// A partial profile update. The outer `Option` says whether the field was sent; the
/// inner one (for clearable fields) whether it was set to null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub bio: Option<Option<String>>,
    pub profile_image: Option<Option<String>>,
    pub status: Option<Option<String>>,
}

impl ProfileUpdate {
    /// Checks each field the update carries.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(name) = &self.display_name {
            errors.check("displayName", validation::display_name(name));
        }
        if let Some(Some(bio)) = &self.bio {
            errors.check("bio", validation::max_chars(bio, validation::BIO_MAX));
        }
        if let Some(Some(image)) = &self.profile_image {
            errors.check("profileImage", validation::profile_image(image));
        }
        if let Some(Some(status)) = &self.status {
            errors.check(
                "status",
                validation::max_chars(status, validation::STATUS_MAX),
            );
        }
        errors.into_result(())
    }

    /// Applies the update to a copy of `user`.
    pub fn apply_to(&self, user: &User) -> User {
        let mut updated = user.clone();
        if let Some(name) = &self.display_name {
            updated.display_name = name.trim().to_owned();
        }
        if let Some(bio) = &self.bio {
            updated.bio = bio.clone();
        }
        if let Some(image) = &self.profile_image {
            updated.profile_image = image.clone();
        }
        if let Some(status) = &self.status {
            updated.status = status.clone();
        }
        updated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_defaults_match_spec() {
        let p = Privacy::default();
        assert_eq!(p.mood_visibility.as_str(), "friends");
        assert_eq!(p.allow_hugs_from.as_str(), "everyone");
        assert!(p.show_online);
    }

    #[test]
    fn enum_text_round_trips() {
        for v in [
            MoodVisibility::Public,
            MoodVisibility::Friends,
            MoodVisibility::Private,
        ] {
            assert_eq!(v.as_str().parse::<MoodVisibility>(), Ok(v));
        }
        assert!("everybody".parse::<AllowHugsFrom>().is_err());
    }
}
