//! Mood analytics: the pure figures behind `GET /moods/analytics` (mood and tag
//! frequencies, averages, day and hour buckets, variability, trend, correlations) and
//! the insights drawn from them.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::mood::Mood;

mod figures;
mod stats;
mod tags;

pub use figures::{
    Analytics, Correlation, CorrelationKind, DayBucket, HourBucket, MoodCount, MoodPoint, TagCount,
};
use stats::{all_equal, correlation_label, mean, mean_of};
pub use stats::{pearson, sample_std_dev};
use tags::TagTable;

/// Slack for comparisons with the spec's decimal thresholds: a difference that is exactly
/// 0.1 on paper may be 0.10000000000000003 in binary (0.4 − 0.3), and must still count as
/// exactly 0.1.
const EPSILON: f64 = 1e-9;

/// Mean-valence difference (last third minus first third) beyond which a trend is called.
const TREND_THRESHOLD: f64 = 0.1;
/// Fewer entries than this say nothing about correlations.
const MIN_ENTRIES_FOR_CORRELATIONS: usize = 10;
/// A tag is compared only when at least this many entries have it and this many don't.
const MIN_TAG_GROUP: u32 = 3;
const MAX_CORRELATIONS: usize = 10;
/// Tags listed in `tagFrequency` at most.
const MAX_TAG_FREQUENCY: usize = 20;
/// Fewer entries than this give no insights at all.
const MIN_ENTRIES_FOR_INSIGHTS: usize = 3;
/// A day × part-of-day cell needs this many entries before it can be called "best".
const MIN_CELL_ENTRIES: u32 = 3;
/// How far above the overall mean a cell, or apart a tag's groups, must be to be worth saying.
const MIN_INSIGHT_DIFFERENCE: f64 = 0.1;
const MAX_TAG_INSIGHTS: usize = 3;
const MIN_ENTRIES_FOR_FREQUENCY_INSIGHT: usize = 5;

/// The `factor` of the hour-of-day correlation.
pub const HOUR_OF_DAY: &str = "hour_of_day";

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Parts of the day used by the "you feel best on …" insight, in the plural a sentence needs.
const PART_NAMES: [&str; 4] = ["mornings", "afternoons", "evenings", "nights"];

/// How far back analytics look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    Week,
    #[default]
    Month,
    ThreeMonths,
    SixMonths,
    Year,
}

impl TimeRange {
    pub const ALL: [TimeRange; 5] = [
        TimeRange::Week,
        TimeRange::Month,
        TimeRange::ThreeMonths,
        TimeRange::SixMonths,
        TimeRange::Year,
    ];

    /// The name used in query parameters and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeRange::Week => "week",
            TimeRange::Month => "month",
            TimeRange::ThreeMonths => "three_months",
            TimeRange::SixMonths => "six_months",
            TimeRange::Year => "year",
        }
    }

    /// The number of days back from now the range covers.
    pub fn days(self) -> i64 {
        match self {
            TimeRange::Week => 7,
            TimeRange::Month => 30,
            TimeRange::ThreeMonths => 90,
            TimeRange::SixMonths => 180,
            TimeRange::Year => 365,
        }
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimeRange {
    type Err = String;

    /// Case-insensitive; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim();
        TimeRange::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                format!(
                    "must be one of {}",
                    TimeRange::ALL.map(TimeRange::as_str).join(", ")
                )
            })
    }
}

/// Direction of mood over the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Trend {
    Improving,
    Declining,
    Stable,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "IMPROVING",
            Trend::Declining => "DECLINING",
            Trend::Stable => "STABLE",
        }
    }
}

impl fmt::Display for Trend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Computes the analytics of `points`, which may come in any order.
///
/// Each point is reduced to a compact key in input order, the keys are sorted once by
/// time (O(n log n)), then read in a single pass. The answer is the same, to the last
/// bit, whatever order the points come in.
///
/// Rules the spec leaves open:
/// - `dominant_mood`: the most frequent mood; on a tie in count, the mood whose most
///   recent entry is latest; if that ties too, the mood whose name sorts first.
/// - Tags group case-insensitively under the spelling of the earliest entry using them
///   (between entries made at the same instant, the spelling that sorts first).
/// - Entries at the same instant are ordered by valence, then mood, then tags.
/// - The "you feel best on …" insight counts hours 0–4 as the night of the previous
///   day, so 01:00 on a Sunday is "Saturday night", as a person would say it.
pub fn analyze(user_id: Uuid, time_range: TimeRange, points: &[MoodPoint]) -> Analytics {
    // In input order, which is memory order: reduce each point to a compact key and
    // resolve its tags to groups, so the time-ordered pass reads one small array.
    let mut tags = TagTable::default();
    let mut keys: Vec<Key<'_>> = points
        .iter()
        .map(|point| {
            let tag_ids = tags.resolve(point);
            Key {
                created_at: point.created_at,
                valence: point.valence,
                mood: point.mood,
                tag_ids,
                point,
            }
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.valence.total_cmp(&b.valence))
            .then_with(|| a.mood.cmp(&b.mood))
            .then_with(|| a.point.tags.cmp(&b.point.tags))
    });

    let mut acc = Accumulator::new(points.len(), tags);
    for key in &keys {
        acc.add(key);
    }
    acc.finish(user_id, time_range)
}

/// The trend of valences given oldest first: with fewer than 3, [`Trend::Stable`];
/// otherwise the mean of the last third (third = ⌊n/3⌋) minus the mean of the first
/// third: above +0.1 improving, below −0.1 declining, else stable (exactly ±0.1 is
/// stable).
pub fn trend(points_sorted_by_time_valences: &[f64]) -> Trend {
    let values = points_sorted_by_time_valences;
    let third = values.len() / 3;
    if values.len() < 3 {
        return Trend::Stable;
    }
    let first = mean(&values[..third]);
    let last = mean(&values[values.len() - third..]);
    let diff = last - first;
    if diff > TREND_THRESHOLD + EPSILON {
        Trend::Improving
    } else if diff < -(TREND_THRESHOLD + EPSILON) {
        Trend::Declining
    } else {
        Trend::Stable
    }
}

/// Index into [`PART_NAMES`]: morning 5–11, afternoon 12–16, evening 17–21, night 22–4.
fn part_of_day(hour: u32) -> usize {
    match hour {
        5..=11 => 0,
        12..=16 => 1,
        17..=21 => 2,
        _ => 3,
    }
}

/// A point reduced to what the time-ordered pass reads.
struct Key<'a> {
    created_at: DateTime<Utc>,
    valence: f64,
    mood: Mood,
    /// This point's run in [`TagTable::ids`].
    tag_ids: Range<usize>,
    /// For intensity and arousal, which are only summed, and for breaking ties
    /// between entries made at the same instant.
    point: &'a MoodPoint,
}

/// Everything [`analyze`] gathers in its single pass over the points in time order.
struct Accumulator {
    mood_counts: [u32; Mood::ALL.len()],
    mood_latest: [Option<DateTime<Utc>>; Mood::ALL.len()],
    day_sum: [f64; 7],
    day_count: [u32; 7],
    hour_sum: [f64; 24],
    hour_count: [u32; 24],
    /// Day of week × part of day, for the "you feel best on …" insight.
    cell_sum: [[f64; 4]; 7],
    cell_count: [[u32; 4]; 7],
    valence_sum: f64,
    intensity_sum: u64,
    arousal_sum: f64,
    /// Valences, oldest first.
    valences: Vec<f64>,
    /// Hour of each entry, paired with `valences`.
    hours: Vec<f64>,
    tags: TagTable,
}

impl Accumulator {
    fn new(capacity: usize, tags: TagTable) -> Self {
        Accumulator {
            mood_counts: [0; Mood::ALL.len()],
            mood_latest: [None; Mood::ALL.len()],
            day_sum: [0.0; 7],
            day_count: [0; 7],
            hour_sum: [0.0; 24],
            hour_count: [0; 24],
            cell_sum: [[0.0; 4]; 7],
            cell_count: [[0; 4]; 7],
            valence_sum: 0.0,
            intensity_sum: 0,
            arousal_sum: 0.0,
            valences: Vec::with_capacity(capacity),
            hours: Vec::with_capacity(capacity),
            tags,
        }
    }

    /// Adds the next point in time order. Sums run in time order so the answer is the
    /// same, to the last bit, whatever order the points came in.
    fn add(&mut self, key: &Key<'_>) {
        let v = key.valence;
        let mood = key.mood as usize;
        self.mood_counts[mood] += 1;
        self.mood_latest[mood] = Some(key.created_at);

        let day = key.created_at.weekday().num_days_from_monday() as usize;
        let hour = key.created_at.hour();
        self.day_sum[day] += v;
        self.day_count[day] += 1;
        self.hour_sum[hour as usize] += v;
        self.hour_count[hour as usize] += 1;

        let part = part_of_day(hour);
        // Small hours belong to the night that began the day before.
        let cell_day = if hour < 5 { (day + 6) % 7 } else { day };
        self.cell_sum[cell_day][part] += v;
        self.cell_count[cell_day][part] += 1;

        self.valence_sum += v;
        self.intensity_sum += u64::from(key.point.intensity);
        self.arousal_sum += key.point.arousal;
        self.valences.push(v);
        self.hours.push(f64::from(hour));

        let TagTable { groups, ids, .. } = &mut self.tags;
        for &id in &ids[key.tag_ids.clone()] {
            let group = &mut groups[id as usize];
            group.entries += 1;
            group.valence_sum += v;
        }
    }

    fn finish(self, user_id: Uuid, time_range: TimeRange) -> Analytics {
        let n = self.valences.len();
        let total = u32::try_from(n).unwrap_or(u32::MAX);
        let average = |sum: f64| if n == 0 { 0.0 } else { sum / n as f64 };
        let average_mood = average(self.valence_sum);

        let mut mood_frequency: Vec<MoodCount> = Mood::ALL
            .into_iter()
            .filter(|m| self.mood_counts[*m as usize] > 0)
            .map(|mood| {
                let count = self.mood_counts[mood as usize];
                MoodCount {
                    mood,
                    count,
                    percentage: f64::from(count) / n as f64,
                }
            })
            .collect();
        mood_frequency.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.mood.as_str().cmp(b.mood.as_str()))
        });

        let dominant_mood = Mood::ALL
            .into_iter()
            .filter(|m| self.mood_counts[*m as usize] > 0)
            .max_by(|a, b| {
                let (ia, ib) = (*a as usize, *b as usize);
                self.mood_counts[ia]
                    .cmp(&self.mood_counts[ib])
                    .then_with(|| self.mood_latest[ia].cmp(&self.mood_latest[ib]))
                    // max_by keeps the greater: reverse so the earlier name wins.
                    .then_with(|| b.as_str().cmp(a.as_str()))
            });

        let tag_frequency = self.tags.frequency(total, MAX_TAG_FREQUENCY);

        // With no entries there is nothing to bucket: the lists are empty, not zeros.
        let (mood_by_day_of_week, mood_by_time_of_day) = if n == 0 {
            (Vec::new(), Vec::new())
        } else {
            (self.day_buckets(), self.hour_buckets())
        };

        let mood_variability = sample_std_dev(&self.valences);
        let mood_trend = trend(&self.valences);
        let correlations = self.correlations(average_mood);

        let mut analytics = Analytics {
            user_id,
            time_range,
            mood_frequency,
            tag_frequency,
            mood_by_day_of_week,
            mood_by_time_of_day,
            average_mood,
            average_intensity: average(self.intensity_sum as f64),
            average_arousal: average(self.arousal_sum),
            dominant_mood,
            mood_variability,
            mood_trend,
            correlations,
            insights: Vec::new(),
            total_entries: total,
        };
        analytics.insights = self.insights(&analytics);
        analytics
    }

    /// Monday first.
    fn day_buckets(&self) -> Vec<DayBucket> {
        DAY_NAMES
            .iter()
            .enumerate()
            .map(|(i, &day)| DayBucket {
                day,
                average_mood: mean_of(self.day_sum[i], self.day_count[i]),
                entries: self.day_count[i],
            })
            .collect()
    }

    /// Hour 0 first.
    fn hour_buckets(&self) -> Vec<HourBucket> {
        (0..24u32)
            .map(|hour| {
                let h = hour as usize;
                HourBucket {
                    hour,
                    average_mood: mean_of(self.hour_sum[h], self.hour_count[h]),
                    entries: self.hour_count[h],
                }
            })
            .collect()
    }

    fn correlations(&self, mean_valence: f64) -> Vec<Correlation> {
        let n = self.valences.len();
        if n < MIN_ENTRIES_FOR_CORRELATIONS || all_equal(&self.valences) {
            return Vec::new();
        }
        let total = u32::try_from(n).unwrap_or(u32::MAX);
        let nf = n as f64;
        let syy: f64 = self
            .valences
            .iter()
            .map(|v| (v - mean_valence).powi(2))
            .sum();

        let mut out = Vec::new();
        for tag in &self.tags.groups {
            let without = total - tag.entries;
            if tag.entries < MIN_TAG_GROUP || without < MIN_TAG_GROUP {
                continue;
            }
            // Pearson of a 0/1 indicator x with valence y, from the group sums:
            // Sxy = Σ_{x=1} y − n₁·ȳ and Sxx = n₁·n₀ / n.
            let (n1, n0) = (f64::from(tag.entries), f64::from(without));
            let sxy = tag.valence_sum - n1 * mean_valence;
            let sxx = n1 * n0 / nf;
            let denominator = (sxx * syy).sqrt();
            if denominator == 0.0 || !denominator.is_finite() {
                continue;
            }
            let coefficient = (sxy / denominator).clamp(-1.0, 1.0);
            let with_mean = tag.valence_sum / n1;
            let without_mean = (self.valence_sum - tag.valence_sum) / n0;
            out.push(Correlation {
                kind: CorrelationKind::Tag,
                factor: tag.spelling.clone(),
                coefficient,
                sample_size: total,
                label: correlation_label(coefficient),
                valence_difference: Some(with_mean - without_mean),
            });
        }

        if let Some(coefficient) = pearson(&self.hours, &self.valences) {
            out.push(Correlation {
                kind: CorrelationKind::TimeOfDay,
                factor: HOUR_OF_DAY.to_owned(),
                coefficient,
                sample_size: total,
                label: correlation_label(coefficient),
                valence_difference: None,
            });
        }

        out.sort_by(|a, b| {
            b.coefficient
                .abs()
                .total_cmp(&a.coefficient.abs())
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.factor.cmp(&b.factor))
        });
        out.truncate(MAX_CORRELATIONS);
        out
    }

    /// Sentences in a fixed order: trend, best time, tags, most frequent mood. Each one
    /// only when the figures carry it.
    fn insights(&self, a: &Analytics) -> Vec<String> {
        let n = self.valences.len();
        let mut out = Vec::new();
        if n < MIN_ENTRIES_FOR_INSIGHTS {
            return out;
        }

        match a.mood_trend {
            Trend::Improving => out.push("Your mood has been improving lately".to_owned()),
            Trend::Declining => out.push("Your mood has been declining lately".to_owned()),
            Trend::Stable => {}
        }

        // Strictly greater keeps the earliest cell (Monday morning first) on a tie.
        let mut best: Option<(usize, usize, f64)> = None;
        for (day, (sums, counts)) in self.cell_sum.iter().zip(&self.cell_count).enumerate() {
            for (part, (&sum, &count)) in sums.iter().zip(counts).enumerate() {
                if count < MIN_CELL_ENTRIES {
                    continue;
                }
                let cell_mean = mean_of(sum, count);
                if best.is_none_or(|(_, _, m)| cell_mean > m) {
                    best = Some((day, part, cell_mean));
                }
            }
        }
        if let Some((day, part, cell_mean)) = best {
            if cell_mean - a.average_mood >= MIN_INSIGHT_DIFFERENCE - EPSILON {
                out.push(format!(
                    "You feel best on {} {}",
                    DAY_NAMES[day], PART_NAMES[part]
                ));
            }
        }

        let tag_sentences = a
            .correlations
            .iter()
            .filter(|c| c.kind == CorrelationKind::Tag && c.label != "none")
            .filter_map(|c| {
                let diff = c.valence_difference?;
                (diff.abs() >= MIN_INSIGHT_DIFFERENCE - EPSILON).then(|| {
                    let direction = if diff > 0.0 { "higher" } else { "lower" };
                    format!(
                        "Entries tagged '{}' average {:.1} {direction} valence",
                        c.factor,
                        diff.abs()
                    )
                })
            })
            .take(MAX_TAG_INSIGHTS);
        out.extend(tag_sentences);

        if n >= MIN_ENTRIES_FOR_FREQUENCY_INSIGHT {
            // Only a mood that is strictly the most frequent is called so.
            if let [top, rest @ ..] = a.mood_frequency.as_slice() {
                if rest.first().is_none_or(|second| second.count < top.count) {
                    out.push(format!(
                        "Your most frequent mood is {} ({:.0}% of entries)",
                        top.mood,
                        top.percentage * 100.0
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tag_tests;
#[cfg(test)]
mod tests;
