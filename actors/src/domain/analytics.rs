//! Mood analytics: the pure figures behind `GET /moods/analytics` (frequencies, day and
//! hour buckets, variability, trend, correlations) and the insights drawn from them.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::mood::Mood;

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
    /// The tag (its first spelling), or [`HOUR_OF_DAY`].
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
    /// Always 7 rows, Monday first.
    pub mood_by_day_of_week: Vec<DayBucket>,
    /// Always 24 rows, hour 0 first.
    pub mood_by_time_of_day: Vec<HourBucket>,
    /// Mean valence; 0 with no entries.
    pub average_mood: f64,
    /// The most frequent mood; on a tie, the one used most recently (see [`analyze`]).
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
    pub valence: f64,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
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
    let collect_tags = points.len() >= MIN_ENTRIES_FOR_CORRELATIONS;
    let mut keys: Vec<Key<'_>> = points
        .iter()
        .map(|point| {
            let tag_ids = if collect_tags {
                tags.resolve(point)
            } else {
                0..0
            };
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

/// Sample standard deviation (n − 1 in the denominator); 0 for fewer than 2 values or
/// when all values are equal.
pub fn sample_std_dev(values: &[f64]) -> f64 {
    if values.len() < 2 || all_equal(values) {
        return 0.0;
    }
    let m = mean(values);
    let squares: f64 = values.iter().map(|v| (v - m).powi(2)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}

/// Pearson's correlation coefficient of paired values, clamped to [-1, 1]. `None` with
/// fewer than 2 pairs, when either side has zero variance (all values equal), or when
/// the slices differ in length.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 || all_equal(xs) || all_equal(ys) {
        return None;
    }
    let (mx, my) = (mean(xs), mean(ys));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let denominator = (sxx * syy).sqrt();
    if denominator == 0.0 || !denominator.is_finite() {
        return None;
    }
    Some((sxy / denominator).clamp(-1.0, 1.0))
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn all_equal(values: &[f64]) -> bool {
    values
        .first()
        .is_none_or(|first| values.iter().all(|v| v == first))
}

/// Mean that is 0 for an empty group.
fn mean_of(sum: f64, count: u32) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum / f64::from(count)
    }
}

/// "strong positive", "moderate negative", "weak positive", … or "none" for |r| < 0.1.
fn correlation_label(coefficient: f64) -> String {
    let strength = coefficient.abs();
    let strength = if strength >= 0.5 - EPSILON {
        "strong"
    } else if strength >= 0.3 - EPSILON {
        "moderate"
    } else if strength >= 0.1 - EPSILON {
        "weak"
    } else {
        return "none".to_owned();
    };
    let direction = if coefficient > 0.0 {
        "positive"
    } else {
        "negative"
    };
    format!("{strength} {direction}")
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
    /// Only for breaking ties between entries made at the same instant.
    point: &'a MoodPoint,
}

/// One tag, grouped case-insensitively.
struct TagStats {
    /// The spelling on the earliest entry using the tag: the first one that entry lists;
    /// between entries made at the same instant, the spelling that sorts first.
    spelling: String,
    first_at: DateTime<Utc>,
    entries: u32,
    valence_sum: f64,
}

/// Tags grouped case-insensitively, and each point's groups.
#[derive(Default)]
struct TagTable {
    groups: Vec<TagStats>,
    /// Lower-cased tag → index into `groups`.
    index: HashMap<String, u32>,
    /// Every point's group ids, one run per point, each group at most once a run.
    ids: Vec<u32>,
    /// Reused for lower-casing, so looking a known tag up allocates nothing.
    scratch: String,
}

impl TagTable {
    /// Records the tags of `point` and returns its run in `ids`.
    fn resolve(&mut self, point: &MoodPoint) -> Range<usize> {
        let start = self.ids.len();
        for tag in &point.tags {
            let tag = tag.trim();
            if tag.is_empty() {
                continue;
            }
            self.scratch.clear();
            if tag.is_ascii() {
                self.scratch.push_str(tag);
                self.scratch.make_ascii_lowercase();
            } else {
                self.scratch
                    .extend(tag.chars().flat_map(char::to_lowercase));
            }
            match self.index.get(self.scratch.as_str()) {
                // Two spellings of one tag on an entry count once, as the first listed.
                Some(id) if self.ids[start..].contains(id) => {}
                Some(&id) => {
                    let group = &mut self.groups[id as usize];
                    if (point.created_at, tag) < (group.first_at, group.spelling.as_str()) {
                        group.first_at = point.created_at;
                        if group.spelling != tag {
                            tag.clone_into(&mut group.spelling);
                        }
                    }
                    self.ids.push(id);
                }
                None => {
                    let id = u32::try_from(self.groups.len()).unwrap_or(u32::MAX);
                    self.index.insert(self.scratch.clone(), id);
                    self.groups.push(TagStats {
                        spelling: tag.to_owned(),
                        first_at: point.created_at,
                        entries: 0,
                        valence_sum: 0.0,
                    });
                    self.ids.push(id);
                }
            }
        }
        start..self.ids.len()
    }
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
        let average_mood = if n == 0 {
            0.0
        } else {
            self.valence_sum / n as f64
        };

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

        let mood_by_day_of_week = DAY_NAMES
            .iter()
            .enumerate()
            .map(|(i, &day)| DayBucket {
                day,
                average_mood: mean_of(self.day_sum[i], self.day_count[i]),
                entries: self.day_count[i],
            })
            .collect();
        let mood_by_time_of_day = (0..24u32)
            .map(|hour| {
                let h = hour as usize;
                HourBucket {
                    hour,
                    average_mood: mean_of(self.hour_sum[h], self.hour_count[h]),
                    entries: self.hour_count[h],
                }
            })
            .collect();

        let mood_variability = sample_std_dev(&self.valences);
        let mood_trend = trend(&self.valences);
        let correlations = self.correlations(average_mood);

        let mut analytics = Analytics {
            user_id,
            time_range,
            mood_frequency,
            mood_by_day_of_week,
            mood_by_time_of_day,
            average_mood,
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
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// 2024-01-01 was a Monday, so `day` 1 is Monday, 6 is Saturday, 7 is Sunday.
    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, day, hour, 0, 0)
            .single()
            .expect("a valid January 2024 date")
    }

    fn point(mood: Mood, valence: f64, day: u32, hour: u32) -> MoodPoint {
        MoodPoint {
            mood,
            valence,
            tags: Vec::new(),
            created_at: at(day, hour),
        }
    }

    fn tagged(mood: Mood, valence: f64, day: u32, hour: u32, tags: &[&str]) -> MoodPoint {
        MoodPoint {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..point(mood, valence, day, hour)
        }
    }

    fn run(points: &[MoodPoint]) -> Analytics {
        analyze(Uuid::nil(), TimeRange::Month, points)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Twelve entries over twelve days at varied hours: six tagged `tag` around 0.8, six
    /// untagged around 0.4, so the tag raises valence by exactly 0.4 on average.
    fn exercise_points(tag: &str) -> Vec<MoodPoint> {
        let with = [0.7, 0.8, 0.9, 0.75, 0.85, 0.8];
        let without = [0.3, 0.4, 0.5, 0.35, 0.45, 0.4];
        let mut points = Vec::new();
        for i in 0..6u32 {
            points.push(tagged(
                Mood::Happy,
                with[i as usize],
                2 * i + 1,
                8 + i,
                &[tag, "work"],
            ));
            points.push(tagged(
                Mood::Sad,
                without[i as usize],
                2 * i + 2,
                20 - i,
                &["Work"],
            ));
        }
        points
    }

    #[test]
    fn time_ranges_parse_and_name_their_days() {
        let expected = [
            ("week", 7),
            ("month", 30),
            ("three_months", 90),
            ("six_months", 180),
            ("year", 365),
        ];
        for (name, days) in expected {
            let range: TimeRange = name.parse().expect("a known range");
            assert_eq!((range.as_str(), range.days()), (name, days));
        }
        assert_eq!(" Year ".parse::<TimeRange>(), Ok(TimeRange::Year));
        assert_eq!(TimeRange::default(), TimeRange::Month);
        let err = "fortnight".parse::<TimeRange>().expect_err("unknown range");
        assert_eq!(
            err,
            "must be one of week, month, three_months, six_months, year"
        );
    }

    #[test]
    fn trend_with_two_entries_is_stable() {
        assert_eq!(trend(&[0.0, 1.0]), Trend::Stable);
        assert_eq!(trend(&[1.0, 0.0]), Trend::Stable);
        assert_eq!(trend(&[]), Trend::Stable);
    }

    #[test]
    fn trend_with_three_entries_compares_first_and_last() {
        assert_eq!(trend(&[0.2, 0.5, 0.9]), Trend::Improving);
        assert_eq!(trend(&[0.9, 0.5, 0.2]), Trend::Declining);
        // The middle entry is in neither third.
        assert_eq!(trend(&[0.5, 0.0, 0.5]), Trend::Stable);
    }

    #[test]
    fn trend_with_nine_entries_uses_thirds_of_three() {
        // First three average 0.3, last three 0.6; the middle would pull either way.
        let rising = [0.2, 0.3, 0.4, 1.0, 1.0, 1.0, 0.5, 0.6, 0.7];
        assert_eq!(trend(&rising), Trend::Improving);
        let falling = [0.5, 0.6, 0.7, 0.0, 0.0, 0.0, 0.2, 0.3, 0.4];
        assert_eq!(trend(&falling), Trend::Declining);
        // Only the 4th entry differs; with third = 3 it is ignored.
        let flat = [0.5, 0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5];
        assert_eq!(trend(&flat), Trend::Stable);
    }

    #[test]
    fn a_difference_of_exactly_a_tenth_is_stable() {
        // 0.4 − 0.3 is 0.10000000000000003 in binary: still exactly 0.1 on paper.
        assert_eq!(trend(&[0.3, 0.9, 0.4]), Trend::Stable);
        assert_eq!(trend(&[0.4, 0.0, 0.3]), Trend::Stable);
        assert_eq!(trend(&[0.5, 0.5, 0.6]), Trend::Stable);
        assert_eq!(trend(&[0.2, 0.25, 0.1]), Trend::Stable);
        assert_eq!(trend(&[0.3, 0.9, 0.41]), Trend::Improving);
        assert_eq!(trend(&[0.41, 0.0, 0.3]), Trend::Declining);
    }

    #[test]
    fn standard_deviation_is_the_sample_one() {
        assert_eq!(sample_std_dev(&[]), 0.0);
        assert_eq!(sample_std_dev(&[0.7]), 0.0);
        // mean 0.5; squares 0.04 + 0.04 over n − 1 = 1 → √0.08.
        assert!(close(sample_std_dev(&[0.3, 0.7]), 0.08_f64.sqrt()));
        // 2,4,4,4,5,5,7,9: squares sum 32, over 7.
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(sample_std_dev(&values), (32.0_f64 / 7.0).sqrt()));
        assert_eq!(sample_std_dev(&[0.1; 10]), 0.0);
    }

    #[test]
    fn pearson_is_none_without_variance_or_pairs() {
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[0.5, 0.5, 0.5]), None);
        assert_eq!(pearson(&[0.1; 5], &[1.0, 2.0, 3.0, 4.0, 5.0]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(pearson(&[], &[]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn pearson_of_known_data() {
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).expect("defined");
        assert!(close(r, 1.0));
        let r = pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).expect("defined");
        assert!(close(r, -1.0));
        // Hand-computed: Sxy = 8, Sxx = 10, Syy = 10 → r = 0.8.
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).expect("defined");
        assert!(close(r, 0.8));
    }

    #[test]
    fn labels_follow_the_strength_bands() {
        assert_eq!(correlation_label(0.8), "strong positive");
        assert_eq!(correlation_label(-0.5), "strong negative");
        assert_eq!(correlation_label(0.3), "moderate positive");
        assert_eq!(correlation_label(-0.49), "moderate negative");
        assert_eq!(correlation_label(0.1), "weak positive");
        assert_eq!(correlation_label(-0.29), "weak negative");
        assert_eq!(correlation_label(0.099), "none");
        assert_eq!(correlation_label(-0.05), "none");
        assert_eq!(correlation_label(0.0), "none");
    }

    #[test]
    fn no_entries_give_the_empty_answer() {
        let a = analyze(Uuid::nil(), TimeRange::Week, &[]);
        assert!(a.mood_frequency.is_empty());
        assert_eq!(a.mood_by_day_of_week.len(), 7);
        assert_eq!(a.mood_by_time_of_day.len(), 24);
        assert!(a
            .mood_by_day_of_week
            .iter()
            .all(|b| b.entries == 0 && b.average_mood == 0.0));
        assert!(a
            .mood_by_time_of_day
            .iter()
            .all(|b| b.entries == 0 && b.average_mood == 0.0));
        assert_eq!(a.average_mood, 0.0);
        assert_eq!(a.dominant_mood, None);
        assert_eq!(a.mood_variability, 0.0);
        assert_eq!(a.mood_trend, Trend::Stable);
        assert!(a.correlations.is_empty());
        assert!(a.insights.is_empty());
        assert_eq!(a.total_entries, 0);
        assert_eq!(a.time_range, TimeRange::Week);
    }

    #[test]
    fn frequencies_are_fractions_that_sum_to_one() {
        let moods = [
            Mood::Calm,
            Mood::Calm,
            Mood::Calm,
            Mood::Happy,
            Mood::Sad,
            Mood::Angry,
        ];
        let points: Vec<MoodPoint> = moods
            .iter()
            .enumerate()
            .map(|(i, &m)| point(m, 0.5, 1 + i as u32, 9))
            .collect();
        let a = run(&points);
        let sum: f64 = a.mood_frequency.iter().map(|c| c.percentage).sum();
        assert!(close(sum, 1.0));
        assert!(a
            .mood_frequency
            .iter()
            .all(|c| (0.0..=1.0).contains(&c.percentage)));
        assert_eq!(
            a.mood_frequency[0],
            MoodCount {
                mood: Mood::Calm,
                count: 3,
                percentage: 0.5
            }
        );

        // A mix that does not divide evenly still sums to 1 within float error.
        let points: Vec<MoodPoint> = (0..7u32)
            .map(|i| point(Mood::ALL[(i % 3) as usize], 0.5, 1 + i, 9))
            .collect();
        let sum: f64 = run(&points)
            .mood_frequency
            .iter()
            .map(|c| c.percentage)
            .sum();
        assert!(close(sum, 1.0));
    }

    #[test]
    fn frequency_ties_sort_by_mood_name() {
        // sad comes before angry in the enum, but "angry" sorts first by name.
        let points = [
            point(Mood::Sad, 0.2, 1, 9),
            point(Mood::Angry, 0.2, 2, 9),
            point(Mood::Sad, 0.2, 3, 9),
            point(Mood::Angry, 0.2, 4, 9),
            point(Mood::Calm, 0.6, 5, 9),
        ];
        let order: Vec<Mood> = run(&points).mood_frequency.iter().map(|c| c.mood).collect();
        assert_eq!(order, vec![Mood::Angry, Mood::Sad, Mood::Calm]);
    }

    #[test]
    fn day_and_hour_buckets_always_have_every_row() {
        // Tuesday 10:00 twice, Saturday 22:00 once.
        let points = [
            point(Mood::Happy, 0.8, 2, 10),
            point(Mood::Calm, 0.6, 2, 10),
            point(Mood::Sad, 0.2, 6, 22),
        ];
        let a = run(&points);
        let days: Vec<&str> = a.mood_by_day_of_week.iter().map(|b| b.day).collect();
        assert_eq!(days, DAY_NAMES.to_vec());
        assert_eq!(days[0], "Monday");
        let hours: Vec<u32> = a.mood_by_time_of_day.iter().map(|b| b.hour).collect();
        assert_eq!(hours, (0..24).collect::<Vec<_>>());

        let tuesday = &a.mood_by_day_of_week[1];
        assert_eq!(tuesday.entries, 2);
        assert!(close(tuesday.average_mood, 0.7));
        let saturday = &a.mood_by_day_of_week[5];
        assert_eq!((saturday.entries, saturday.average_mood), (1, 0.2));
        let monday = &a.mood_by_day_of_week[0];
        assert_eq!((monday.entries, monday.average_mood), (0, 0.0));

        assert_eq!(a.mood_by_time_of_day[10].entries, 2);
        assert!(close(a.mood_by_time_of_day[10].average_mood, 0.7));
        assert_eq!(a.mood_by_time_of_day[22].entries, 1);
        let empty = &a.mood_by_time_of_day[3];
        assert_eq!((empty.entries, empty.average_mood), (0, 0.0));
    }

    #[test]
    fn averages_and_variability_cover_every_entry() {
        let points = [
            point(Mood::Happy, 0.8, 1, 9),
            point(Mood::Sad, 0.2, 2, 9),
            point(Mood::Calm, 0.5, 3, 9),
        ];
        let a = run(&points);
        assert!(close(a.average_mood, 0.5));
        assert!(close(a.mood_variability, 0.3));
        assert_eq!(a.total_entries, 3);
        assert_eq!(run(&points[..1]).mood_variability, 0.0);
    }

    #[test]
    fn dominant_mood_is_the_most_frequent() {
        let points = [
            point(Mood::Sad, 0.2, 1, 9),
            point(Mood::Calm, 0.6, 2, 9),
            point(Mood::Calm, 0.6, 3, 9),
            point(Mood::Happy, 0.8, 4, 9),
        ];
        assert_eq!(run(&points).dominant_mood, Some(Mood::Calm));
    }

    #[test]
    fn a_dominant_tie_goes_to_the_most_recently_used_mood() {
        // happy and calm twice each; calm was used last (day 5).
        let mut points = vec![
            point(Mood::Happy, 0.8, 1, 9),
            point(Mood::Calm, 0.6, 2, 9),
            point(Mood::Happy, 0.8, 3, 9),
            point(Mood::Calm, 0.6, 5, 9),
        ];
        assert_eq!(run(&points).dominant_mood, Some(Mood::Calm));
        points.reverse();
        assert_eq!(run(&points).dominant_mood, Some(Mood::Calm));
        // The same latest instant too: the name that sorts first.
        let points = [point(Mood::Happy, 0.8, 1, 9), point(Mood::Calm, 0.6, 1, 9)];
        assert_eq!(run(&points).dominant_mood, Some(Mood::Calm));
    }

    #[test]
    fn the_trend_reads_points_in_time_order_whatever_the_input_order() {
        let points = [
            point(Mood::Happy, 0.9, 3, 9),
            point(Mood::Sad, 0.1, 1, 9),
            point(Mood::Neutral, 0.5, 2, 9),
        ];
        assert_eq!(run(&points).mood_trend, Trend::Improving);
    }

    #[test]
    fn correlations_need_ten_entries() {
        let points = exercise_points("exercise");
        let a = run(&points[..9]);
        assert!(a.correlations.is_empty());
        let a = run(&points[..10]);
        assert!(!a.correlations.is_empty());
    }

    #[test]
    fn a_tag_that_raises_valence_correlates_strongly() {
        let points = exercise_points("exercise");
        let a = run(&points);
        let c = a
            .correlations
            .iter()
            .find(|c| c.kind == CorrelationKind::Tag && c.factor == "exercise")
            .expect("an exercise correlation");
        assert!(c.coefficient > 0.5, "r = {}", c.coefficient);
        assert_eq!(c.label, "strong positive");
        assert_eq!(c.sample_size, 12);
        let diff = c.valence_difference.expect("tags have a difference");
        assert!(close(diff, 0.4), "difference = {diff}");

        // The closed form agrees with Pearson over the 0/1 indicator.
        let xs: Vec<f64> = points
            .iter()
            .map(|p| f64::from(u8::from(p.tags.iter().any(|t| t == "exercise"))))
            .collect();
        let ys: Vec<f64> = points.iter().map(|p| p.valence).collect();
        let expected = pearson(&xs, &ys).expect("defined");
        assert!(close(c.coefficient, expected));
    }

    #[test]
    fn tags_group_case_insensitively_under_their_first_spelling() {
        let mut points = exercise_points("exercise");
        // The earliest entry spells it "Exercise".
        points[0].tags[0] = "Exercise".into();
        let a = run(&points);
        let factors: Vec<&str> = a.correlations.iter().map(|c| c.factor.as_str()).collect();
        assert!(factors.contains(&"Exercise"), "{factors:?}");
        assert!(!factors.contains(&"exercise"), "{factors:?}");

        // The earliest entry decides, wherever it sits in the input.
        points.reverse();
        let again = run(&points);
        assert_eq!(again.correlations, a.correlations);

        // Non-ASCII tags group too.
        let mut points = exercise_points("Ärger");
        points[4].tags[0] = "ärger".into();
        let a = run(&points);
        let c = a
            .correlations
            .iter()
            .find(|c| c.factor == "Ärger")
            .expect("one group for both spellings");
        assert_eq!(c.valence_difference.map(|d| close(d, 0.4)), Some(true));
    }

    #[test]
    fn a_tag_on_every_entry_or_on_too_few_is_not_compared() {
        let a = run(&exercise_points("exercise"));
        // "work"/"Work" is on all twelve entries: never absent, so not compared.
        assert!(a
            .correlations
            .iter()
            .all(|c| !c.factor.eq_ignore_ascii_case("work")));

        let mut points = exercise_points("exercise");
        for p in points.iter_mut().skip(2) {
            p.tags.retain(|t| t != "exercise");
        }
        let a = run(&points);
        // Only two entries carry it now.
        assert!(a
            .correlations
            .iter()
            .all(|c| c.kind != CorrelationKind::Tag));
    }

    #[test]
    fn an_entry_with_two_spellings_of_a_tag_counts_once() {
        let mut points = exercise_points("exercise");
        points[0].tags.push("EXERCISE".into());
        let a = run(&points);
        let c = a
            .correlations
            .iter()
            .find(|c| c.factor == "exercise")
            .expect("an exercise correlation");
        assert!(close(c.valence_difference.expect("a tag"), 0.4));
    }

    #[test]
    fn hour_of_day_is_correlated_and_skipped_without_variance() {
        let a = run(&exercise_points("exercise"));
        let hour = a
            .correlations
            .iter()
            .find(|c| c.kind == CorrelationKind::TimeOfDay)
            .expect("an hour correlation");
        assert_eq!(hour.factor, HOUR_OF_DAY);
        assert_eq!(hour.valence_difference, None);
        // Happy mornings, sad evenings: a negative relation with the hour.
        assert!(hour.coefficient < -0.5, "r = {}", hour.coefficient);

        // Every entry at the same hour: the hour has no variance.
        let mut points = exercise_points("exercise");
        for (i, p) in points.iter_mut().enumerate() {
            p.created_at = at(1 + i as u32, 12);
        }
        let a = run(&points);
        assert!(a
            .correlations
            .iter()
            .all(|c| c.kind != CorrelationKind::TimeOfDay));
        // Every entry with the same valence: nothing correlates with it.
        let mut points = exercise_points("exercise");
        for p in &mut points {
            p.valence = 0.5;
        }
        assert!(run(&points).correlations.is_empty());
    }

    #[test]
    fn correlations_are_strongest_first_and_capped() {
        // Twelve tags, each on a different set of at least three entries.
        let mut points = exercise_points("exercise");
        for (i, p) in points.iter_mut().enumerate() {
            for t in 0..12 {
                if (i + t) % 4 != 0 {
                    p.tags.push(format!("t{t}"));
                }
            }
        }
        let a = run(&points);
        assert_eq!(a.correlations.len(), 10);
        let strengths: Vec<f64> = a.correlations.iter().map(|c| c.coefficient.abs()).collect();
        assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
        assert!(a
            .correlations
            .iter()
            .all(|c| (-1.0..=1.0).contains(&c.coefficient)));
    }

    #[test]
    fn a_supported_tag_gives_an_insight() {
        let a = run(&exercise_points("exercise"));
        assert!(
            a.insights
                .contains(&"Entries tagged 'exercise' average 0.4 higher valence".to_owned()),
            "{:?}",
            a.insights
        );
    }

    #[test]
    fn a_tag_that_changes_nothing_gives_no_insight() {
        // "exercise" on alternating pairs of entries, half happy, half sad: no difference.
        let mut points = exercise_points("other");
        for (i, p) in points.iter_mut().enumerate() {
            p.tags.retain(|t| t != "other");
            if i % 4 < 2 {
                p.tags.push("exercise".into());
            }
        }
        let a = run(&points);
        let c = a
            .correlations
            .iter()
            .find(|c| c.factor == "exercise")
            .expect("the tag is compared");
        assert_eq!(c.label, "none");
        assert!(
            a.insights.iter().all(|s| !s.contains("tagged")),
            "{:?}",
            a.insights
        );
    }

    #[test]
    fn a_lowering_tag_says_lower() {
        let mut points = exercise_points("late");
        for p in &mut points {
            p.valence = 1.0 - p.valence;
        }
        let a = run(&points);
        assert!(
            a.insights
                .contains(&"Entries tagged 'late' average 0.4 lower valence".to_owned()),
            "{:?}",
            a.insights
        );
    }

    #[test]
    fn fewer_than_three_entries_give_no_insights() {
        let points = [point(Mood::Sad, 0.0, 1, 9), point(Mood::Happy, 1.0, 2, 9)];
        assert!(run(&points).insights.is_empty());
    }

    #[test]
    fn the_trend_gives_an_insight_only_when_it_moves() {
        let rising = [
            point(Mood::Sad, 0.1, 1, 9),
            point(Mood::Neutral, 0.5, 2, 9),
            point(Mood::Happy, 0.9, 3, 9),
        ];
        assert_eq!(
            run(&rising).insights,
            vec!["Your mood has been improving lately"]
        );
        let falling = [
            point(Mood::Happy, 0.9, 1, 9),
            point(Mood::Neutral, 0.5, 2, 9),
            point(Mood::Sad, 0.1, 3, 9),
        ];
        assert_eq!(
            run(&falling).insights,
            vec!["Your mood has been declining lately"]
        );
        let flat = [
            point(Mood::Calm, 0.5, 1, 9),
            point(Mood::Sad, 0.1, 2, 9),
            point(Mood::Calm, 0.5, 3, 9),
        ];
        assert!(run(&flat).insights.is_empty());
    }

    #[test]
    fn the_best_time_needs_three_entries_and_a_real_lead() {
        // Saturday (6, 13, 20 Jan) mornings at 0.9; weekday afternoons at 0.4.
        let mut points: Vec<MoodPoint> = [6, 13, 20]
            .iter()
            .map(|&d| point(Mood::Happy, 0.9, d, 9))
            .collect();
        points.extend(
            [1, 2, 3, 8, 9, 10]
                .iter()
                .map(|&d| point(Mood::Sad, 0.4, d, 14)),
        );
        let a = run(&points);
        assert!(
            a.insights
                .contains(&"You feel best on Saturday mornings".to_owned()),
            "{:?}",
            a.insights
        );

        // Two Saturday mornings are too few to generalise from.
        let a = run(&points[1..]);
        assert!(
            a.insights.iter().all(|s| !s.starts_with("You feel best")),
            "{:?}",
            a.insights
        );

        // A best cell that barely beats the mean says nothing.
        for p in &mut points {
            p.valence = if p.mood == Mood::Happy { 0.5 } else { 0.45 };
        }
        let a = run(&points);
        assert!(
            a.insights.iter().all(|s| !s.starts_with("You feel best")),
            "{:?}",
            a.insights
        );
    }

    #[test]
    fn small_hours_belong_to_the_night_before() {
        // Sundays (7, 14, 21 Jan) at 01:00 are Saturday nights.
        let mut points: Vec<MoodPoint> = [7, 14, 21]
            .iter()
            .map(|&d| point(Mood::Excited, 0.9, d, 1))
            .collect();
        points.extend([1, 2, 3].iter().map(|&d| point(Mood::Bored, 0.3, d, 14)));
        let a = run(&points);
        assert!(
            a.insights
                .contains(&"You feel best on Saturday nights".to_owned()),
            "{:?}",
            a.insights
        );
        // The weekday buckets still use the calendar day.
        assert_eq!(a.mood_by_day_of_week[6].entries, 3);
    }

    #[test]
    fn the_most_frequent_mood_is_named_from_five_entries() {
        let moods = [Mood::Calm, Mood::Calm, Mood::Happy, Mood::Sad, Mood::Calm];
        let points: Vec<MoodPoint> = moods
            .iter()
            .enumerate()
            .map(|(i, &m)| point(m, 0.5, 1 + i as u32, 9))
            .collect();
        let a = run(&points);
        assert!(
            a.insights
                .contains(&"Your most frequent mood is calm (60% of entries)".to_owned()),
            "{:?}",
            a.insights
        );
        assert!(run(&points[..4])
            .insights
            .iter()
            .all(|s| !s.contains("most frequent")));

        // A tie at the top is not "the most frequent".
        let moods = [Mood::Calm, Mood::Calm, Mood::Happy, Mood::Happy, Mood::Sad];
        let points: Vec<MoodPoint> = moods
            .iter()
            .enumerate()
            .map(|(i, &m)| point(m, 0.5, 1 + i as u32, 9))
            .collect();
        assert!(run(&points)
            .insights
            .iter()
            .all(|s| !s.contains("most frequent")));
    }

    #[test]
    fn the_answer_does_not_depend_on_input_order() {
        let points = exercise_points("exercise");
        let mut reversed = points.clone();
        reversed.reverse();
        assert_eq!(run(&points), run(&reversed));
    }

    #[test]
    fn analytics_serialize_in_the_api_shape() {
        let a = analyze(
            Uuid::nil(),
            TimeRange::ThreeMonths,
            &exercise_points("exercise"),
        );
        let json = serde_json::to_value(&a).expect("serializable");
        for key in [
            "userId",
            "timeRange",
            "moodFrequency",
            "moodByDayOfWeek",
            "moodByTimeOfDay",
            "averageMood",
            "dominantMood",
            "moodVariability",
            "moodTrend",
            "correlations",
            "insights",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["timeRange"], "three_months");
        assert_eq!(json["moodByDayOfWeek"][0]["day"], "Monday");
        assert!(json["moodByDayOfWeek"][0].get("averageMood").is_some());
        assert_eq!(json["moodFrequency"][0]["mood"], "happy");
        let correlation = &json["correlations"][0];
        for key in [
            "kind",
            "factor",
            "coefficient",
            "sampleSize",
            "label",
            "valenceDifference",
        ] {
            assert!(correlation.get(key).is_some(), "missing {key}");
        }
        let kinds: Vec<&str> = json["correlations"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|c| c["kind"].as_str())
            .collect();
        assert!(
            kinds.contains(&"tag") && kinds.contains(&"time_of_day"),
            "{kinds:?}"
        );
        assert_eq!(
            serde_json::to_value(Trend::Improving).expect("serializable"),
            "IMPROVING"
        );
        assert_eq!(
            serde_json::to_value(Trend::Declining).expect("serializable"),
            "DECLINING"
        );
        assert_eq!(
            serde_json::to_value(Trend::Stable).expect("serializable"),
            "STABLE"
        );
        let empty = serde_json::to_value(run(&[])).expect("serializable");
        assert!(empty["dominantMood"].is_null());
    }

    fn many_points(n: u32) -> Vec<MoodPoint> {
        let start = at(1, 0);
        let tags = ["exercise", "work", "family", "sleep", "coffee"];
        (0..n)
            .map(|i| {
                let mood = Mood::ALL[(i * 7 % 10) as usize];
                MoodPoint {
                    mood,
                    valence: mood.default_affect().0,
                    tags: tags
                        .iter()
                        .enumerate()
                        .filter(|(t, _)| (i as usize + t).is_multiple_of(3))
                        .map(|(_, t)| (*t).to_owned())
                        .collect(),
                    // Scattered, not in time order.
                    created_at: start + chrono::Duration::minutes(i64::from(i * 7919 % 50_000)),
                }
            })
            .collect()
    }

    #[test]
    fn entries_at_the_same_instant_give_one_answer_whatever_their_order() {
        let mut points = exercise_points("exercise");
        // Two entries at one instant, each spelling the tag its own way.
        points[0].created_at = points[2].created_at;
        points[0].tags = vec!["exercise".into(), "EXERCISE".into()];
        points[2].tags = vec!["Exercise".into()];
        let forward = run(&points);
        points.swap(0, 2);
        assert_eq!(run(&points), forward);
        points.reverse();
        assert_eq!(run(&points), forward);
        assert!(forward.correlations.iter().any(|c| c.factor == "Exercise"));
    }

    #[test]
    fn ten_thousand_points_are_analysed_whole() {
        let points = many_points(10_000);
        let a = run(&points);
        assert_eq!(a.total_entries, 10_000);
        let by_day: u32 = a.mood_by_day_of_week.iter().map(|b| b.entries).sum();
        let by_hour: u32 = a.mood_by_time_of_day.iter().map(|b| b.entries).sum();
        assert_eq!((by_day, by_hour), (10_000, 10_000));
        assert!(!a.correlations.is_empty());
        let mut reversed = points.clone();
        reversed.reverse();
        assert_eq!(run(&reversed), a);
    }
}
