//! `MoodEntry` (with its author, batch-loaded), `MoodEntryInput` and `MoodStreak`.

use async_graphql::{ComplexObject, Context, InputObject, MaybeUndefined, SimpleObject, ID};
use hugmood_actors::domain::mood::{MoodDraft, MoodEntry};
use hugmood_actors::domain::streak::Streak;
use uuid::Uuid;

use super::id;
use super::user::{self, UserNode};
use crate::graphql::scalars::{Date, Timestamp};
use crate::views::MoodEntryView;

/// One recorded mood.
#[derive(SimpleObject)]
#[graphql(name = "MoodEntry", complex)]
pub(crate) struct MoodEntryNode {
    pub id: ID,
    pub user_id: ID,
    /// happy, excited, content, calm, neutral, bored, sad, anxious, angry or frustrated.
    pub mood: String,
    /// 1–10.
    pub intensity: i32,
    /// 0–1.
    pub valence: f64,
    /// 0–1.
    pub arousal: f64,
    pub note: Option<String>,
    pub is_public: bool,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[graphql(skip)]
    pub author: Uuid,
}

#[ComplexObject]
impl MoodEntryNode {
    /// The author; null if they have blocked the caller since.
    async fn user(&self, ctx: &Context<'_>) -> Option<UserNode> {
        user::load(ctx, self.author).await
    }
}

impl From<MoodEntry> for MoodEntryNode {
    fn from(entry: MoodEntry) -> Self {
        let author = entry.user_id;
        let v = MoodEntryView::from(entry);
        Self {
            id: id(v.id),
            user_id: id(v.user_id),
            mood: v.mood,
            intensity: i32::from(v.intensity),
            valence: v.valence,
            arousal: v.arousal,
            note: v.note,
            is_public: v.is_public,
            tags: v.tags,
            created_at: Timestamp(v.created_at),
            updated_at: Timestamp(v.updated_at),
            author,
        }
    }
}

/// The fields of a mood entry. To create one, `mood` and `intensity` are required; to
/// update one, only the fields given change (`note: null` clears the note; null for
/// any other field leaves it as it is).
#[derive(InputObject, Default)]
pub(crate) struct MoodEntryInput {
    /// One of the ten moods, case-insensitive.
    pub mood: Option<String>,
    /// 1–10.
    pub intensity: Option<i32>,
    /// 0–1; follows the mood when not given.
    pub valence: Option<f64>,
    /// 0–1; follows the mood when not given.
    pub arousal: Option<f64>,
    /// Up to 1,000 characters.
    pub note: MaybeUndefined<String>,
    /// Defaults to false.
    pub is_public: Option<bool>,
    /// Up to 10 tags of 1–32 characters.
    pub tags: Option<Vec<String>>,
}

impl From<MoodEntryInput> for MoodDraft {
    fn from(input: MoodEntryInput) -> Self {
        Self {
            mood: input.mood,
            intensity: input.intensity.map(i64::from),
            valence: input.valence,
            arousal: input.arousal,
            note: match input.note {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(text) => Some(Some(text)),
            },
            is_public: input.is_public,
            tags: input.tags,
        }
    }
}

/// Consecutive UTC days with at least one entry.
#[derive(SimpleObject)]
#[graphql(name = "MoodStreak")]
pub(crate) struct MoodStreakNode {
    /// The run ending today, or yesterday while today has no entry yet; else 0.
    pub current: u32,
    pub longest: u32,
    pub last_entry_date: Option<Date>,
}

impl From<Streak> for MoodStreakNode {
    fn from(s: Streak) -> Self {
        Self {
            current: s.current,
            longest: s.longest,
            last_entry_date: s.last_entry_date.map(Date),
        }
    }
}
