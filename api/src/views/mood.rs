//! A mood entry as clients see it.

use chrono::{DateTime, NaiveDate, Utc};
use hugmood_actors::domain::mood::MoodEntry;
use hugmood_actors::domain::streak::Streak;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoodEntryView {
    pub id: Uuid,
    pub user_id: Uuid,
    /// happy, excited, content, calm, neutral, bored, sad, anxious, angry or frustrated.
    pub mood: String,
    pub intensity: u8,
    pub valence: f64,
    pub arousal: f64,
    pub note: Option<String>,
    pub is_public: bool,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MoodEntry> for MoodEntryView {
    fn from(e: MoodEntry) -> Self {
        Self {
            id: e.id,
            user_id: e.user_id,
            mood: e.mood.as_str().to_owned(),
            intensity: e.intensity,
            valence: e.valence,
            arousal: e.arousal,
            note: e.note,
            is_public: e.is_public,
            tags: e.tags,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Consecutive UTC days with at least one entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreakView {
    pub current: u32,
    pub longest: u32,
    pub last_entry_date: Option<NaiveDate>,
}

impl From<Streak> for StreakView {
    fn from(s: Streak) -> Self {
        Self {
            current: s.current,
            longest: s.longest,
            last_entry_date: s.last_entry_date,
        }
    }
}
