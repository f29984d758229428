//! `MoodAnalytics`: the figures of `GET /api/v1/moods/analytics`, field for field.

use async_graphql::{Enum, SimpleObject, ID};
use hugmood_actors::domain::analytics::{
    Analytics, Correlation, CorrelationKind, DayBucket, HourBucket, MoodCount, TagCount, Trend,
};

use super::id;

/// Mood analytics of one person over a time range back from now.
#[derive(SimpleObject)]
#[graphql(name = "MoodAnalytics")]
pub(crate) struct MoodAnalyticsNode {
    pub user_id: ID,
    /// week, month, three_months, six_months or year.
    pub time_range: String,
    /// Moods that occur, by count descending then name ascending.
    pub mood_frequency: Vec<MoodFrequency>,
    /// Tags that occur, most used first (then by name), at most 20.
    pub tag_frequency: Vec<TagFrequency>,
    /// 7 rows, Monday first (UTC); empty with no entries.
    pub mood_by_day_of_week: Vec<DayOfWeekMood>,
    /// 24 rows, hour 0 first (UTC); empty with no entries.
    pub mood_by_time_of_day: Vec<TimeOfDayMood>,
    /// Mean valence; 0 with no entries.
    pub average_mood: f64,
    /// Mean intensity (1–10); 0 with no entries.
    pub average_intensity: f64,
    /// Mean arousal; 0 with no entries.
    pub average_arousal: f64,
    /// The most frequent mood; null with no entries.
    pub dominant_mood: Option<String>,
    /// Sample standard deviation of valence; 0 for fewer than 2 entries.
    pub mood_variability: f64,
    pub mood_trend: MoodTrend,
    /// Strongest first, at most 10; empty with fewer than 10 entries.
    pub correlations: Vec<MoodCorrelation>,
    /// Short sentences drawn from the figures.
    pub insights: Vec<String>,
    pub total_entries: u32,
}

/// How often one mood occurs.
#[derive(SimpleObject)]
pub(crate) struct MoodFrequency {
    pub mood: String,
    pub count: u32,
    /// A fraction in [0, 1], not a percent.
    pub percentage: f64,
}

/// How often one tag occurs, and the mood of the entries that carry it.
#[derive(SimpleObject)]
pub(crate) struct TagFrequency {
    /// The tag as first spelled (tags group case-insensitively).
    pub tag: String,
    /// Entries that carry the tag.
    pub count: u32,
    /// `count` over all entries of the range: a fraction in [0, 1], not a percent.
    pub percentage: f64,
    /// Mean valence of the entries that carry the tag.
    pub average_mood: f64,
}

/// Mean valence of the entries made on one weekday.
#[derive(SimpleObject)]
pub(crate) struct DayOfWeekMood {
    /// "Monday" … "Sunday".
    pub day: String,
    /// 0 when `entries` is 0.
    pub average_mood: f64,
    pub entries: u32,
}

/// Mean valence of the entries made in one hour of the day.
#[derive(SimpleObject)]
pub(crate) struct TimeOfDayMood {
    /// 0 … 23.
    pub hour: u32,
    /// 0 when `entries` is 0.
    pub average_mood: f64,
    pub entries: u32,
}

/// Direction of mood over the range: the last third of the entries against the first.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoodTrend {
    Improving,
    Declining,
    Stable,
}

/// A relation between valence and one factor.
#[derive(SimpleObject)]
pub(crate) struct MoodCorrelation {
    /// `tag` or `time_of_day`.
    pub kind: String,
    /// The tag, or `hour_of_day`.
    pub factor: String,
    /// Pearson's r, in [-1, 1].
    pub coefficient: f64,
    pub sample_size: u32,
    /// "strong positive", "moderate negative", "weak positive" or "none".
    pub label: String,
    /// Tags only: mean valence with the tag minus mean valence without it.
    pub valence_difference: Option<f64>,
}

impl From<Analytics> for MoodAnalyticsNode {
    fn from(a: Analytics) -> Self {
        Self {
            user_id: id(a.user_id),
            time_range: a.time_range.as_str().to_owned(),
            mood_frequency: a.mood_frequency.into_iter().map(Into::into).collect(),
            tag_frequency: a.tag_frequency.into_iter().map(Into::into).collect(),
            mood_by_day_of_week: a.mood_by_day_of_week.into_iter().map(Into::into).collect(),
            mood_by_time_of_day: a.mood_by_time_of_day.into_iter().map(Into::into).collect(),
            average_mood: a.average_mood,
            average_intensity: a.average_intensity,
            average_arousal: a.average_arousal,
            dominant_mood: a.dominant_mood.map(|m| m.as_str().to_owned()),
            mood_variability: a.mood_variability,
            mood_trend: a.mood_trend.into(),
            correlations: a.correlations.into_iter().map(Into::into).collect(),
            insights: a.insights,
            total_entries: a.total_entries,
        }
    }
}

impl From<MoodCount> for MoodFrequency {
    fn from(c: MoodCount) -> Self {
        Self {
            mood: c.mood.as_str().to_owned(),
            count: c.count,
            percentage: c.percentage,
        }
    }
}

impl From<TagCount> for TagFrequency {
    fn from(t: TagCount) -> Self {
        Self {
            tag: t.tag,
            count: t.count,
            percentage: t.percentage,
            average_mood: t.average_mood,
        }
    }
}

impl From<DayBucket> for DayOfWeekMood {
    fn from(b: DayBucket) -> Self {
        Self {
            day: b.day.to_owned(),
            average_mood: b.average_mood,
            entries: b.entries,
        }
    }
}

impl From<HourBucket> for TimeOfDayMood {
    fn from(b: HourBucket) -> Self {
        Self {
            hour: b.hour,
            average_mood: b.average_mood,
            entries: b.entries,
        }
    }
}

impl From<Trend> for MoodTrend {
    fn from(t: Trend) -> Self {
        match t {
            Trend::Improving => Self::Improving,
            Trend::Declining => Self::Declining,
            Trend::Stable => Self::Stable,
        }
    }
}

impl From<Correlation> for MoodCorrelation {
    fn from(c: Correlation) -> Self {
        Self {
            kind: match c.kind {
                CorrelationKind::Tag => "tag",
                CorrelationKind::TimeOfDay => "time_of_day",
            }
            .to_owned(),
            factor: c.factor,
            coefficient: c.coefficient,
            sample_size: c.sample_size,
            label: c.label,
            valence_difference: c.valence_difference,
        }
    }
}
