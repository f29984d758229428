//! What analytics answer: the figures of `GET /moods/analytics` (serialized in the
//! API's camelCase, with their OpenAPI schemas), and the slice of an entry they are
//! computed from.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{TimeRange, Trend};
use crate::domain::mood::Mood;

/// How often one mood occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MoodCount {
    pub mood: Mood,
    pub count: u32,
    /// A fraction in [0, 1], not a percent.
    pub percentage: f64,
}

/// How often one tag occurs, and the mood of the entries that carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagCount {
    /// The tag as first spelled (tags group case-insensitively).
    pub tag: String,
    /// Entries that carry the tag.
    pub count: u32,
    /// `count` over all entries of the range: a fraction in [0, 1], not a percent.
    pub percentage: f64,
    /// Mean valence of the entries that carry the tag.
    pub average_mood: f64,
}

/// Mean valence of the entries made on one weekday (UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DayBucket {
    /// "Monday" … "Sunday".
    pub day: &'static str,
    /// 0 when `entries` is 0.
    pub average_mood: f64,
    pub entries: u32,
}

/// Mean valence of the entries made in one hour of the day (UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HourBucket {
    /// 0 … 23.
    pub hour: u32,
    /// 0 when `entries` is 0.
    pub average_mood: f64,
    pub entries: u32,
}

/// What a correlation relates valence to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CorrelationKind {
    Tag,
    TimeOfDay,
}

/// A relation between valence and one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Correlation {
    pub kind: CorrelationKind,
    /// The tag (its first spelling), or [`HOUR_OF_DAY`](super::HOUR_OF_DAY).
    pub factor: String,
    /// Pearson's r, in [-1, 1]. For a tag, the point-biserial correlation of
    /// has-tag (0/1) with valence.
    pub coefficient: f64,
    pub sample_size: u32,
    /// Plain-language strength: "strong positive", "moderate negative", "weak positive",
    /// or "none".
    pub label: String,
    /// Tags only: mean valence of entries with the tag minus mean valence of those without.
    pub valence_difference: Option<f64>,
}

/// Everything `GET /moods/analytics` reports about one person over one range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub user_id: Uuid,
    pub time_range: TimeRange,
    /// Moods that occur, by count descending then name ascending.
    pub mood_frequency: Vec<MoodCount>,
    /// Tags that occur, most used first (then by name), at most 20.
    pub tag_frequency: Vec<TagCount>,
    /// 7 rows, Monday first; empty with no entries.
    pub mood_by_day_of_week: Vec<DayBucket>,
    /// 24 rows, hour 0 first; empty with no entries.
    pub mood_by_time_of_day: Vec<HourBucket>,
    /// Mean valence; 0 with no entries.
    pub average_mood: f64,
    /// Mean intensity (1–10); 0 with no entries.
    pub average_intensity: f64,
    /// Mean arousal; 0 with no entries.
    pub average_arousal: f64,
    /// The most frequent mood; on a tie, the one used most recently (see [`analyze`](super::analyze)).
    pub dominant_mood: Option<Mood>,
    /// Sample standard deviation of valence; 0 for fewer than 2 entries.
    pub mood_variability: f64,
    pub mood_trend: Trend,
    /// Strongest first, at most 10; empty with fewer than 10 entries.
    pub correlations: Vec<Correlation>,
    pub insights: Vec<String>,
    pub total_entries: u32,
}

/// A mood point: the slice of an entry analytics needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoodPoint {
    pub mood: Mood,
    pub intensity: u8,
    pub valence: f64,
    pub arousal: f64,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
}
