//! Mood entries: the ten moods with their default valence and arousal, and the rules
//! an entry's fields must follow.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::domain::validation::{self, FieldErrors};

/// The moods a person can record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Mood {
    Happy,
    Excited,
    Content,
    Calm,
    Neutral,
    Bored,
    Sad,
    Anxious,
    Angry,
    Frustrated,
}

impl Mood {
    pub const ALL: [Mood; 10] = [
        Mood::Happy,
        Mood::Excited,
        Mood::Content,
        Mood::Calm,
        Mood::Neutral,
        Mood::Bored,
        Mood::Sad,
        Mood::Anxious,
        Mood::Angry,
        Mood::Frustrated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mood::Happy => "happy",
            Mood::Excited => "excited",
            Mood::Content => "content",
            Mood::Calm => "calm",
            Mood::Neutral => "neutral",
            Mood::Bored => "bored",
            Mood::Sad => "sad",
            Mood::Anxious => "anxious",
            Mood::Angry => "angry",
            Mood::Frustrated => "frustrated",
        }
    }

    /// The (valence, arousal) an entry gets when it does not say.
    pub fn default_affect(self) -> (f64, f64) {
        match self {
            Mood::Happy => (0.8, 0.6),
            Mood::Excited => (0.9, 0.9),
            Mood::Content => (0.7, 0.3),
            Mood::Calm => (0.6, 0.2),
            Mood::Neutral => (0.5, 0.5),
            Mood::Bored => (0.3, 0.2),
            Mood::Sad => (0.2, 0.3),
            Mood::Anxious => (0.3, 0.8),
            Mood::Angry => (0.2, 0.9),
            Mood::Frustrated => (0.3, 0.7),
        }
    }
}

impl fmt::Display for Mood {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mood {
    type Err = String;

    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_ascii_lowercase();
        Mood::ALL
            .into_iter()
            .find(|m| m.as_str() == lower)
            .ok_or_else(|| format!("must be one of {}", Mood::ALL.map(Mood::as_str).join(", ")))
    }
}

pub const INTENSITY_MIN: i64 = 1;
pub const INTENSITY_MAX: i64 = 10;
pub const NOTE_MAX: usize = 1000;
pub const TAGS_MAX: usize = 10;
pub const TAG_MAX: usize = 32;

/// A stored mood entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoodEntry {
    pub id: Uuid,
    pub user_id: Uuid,
    pub mood: Mood,
    pub intensity: u8,
    pub valence: f64,
    pub arousal: f64,
    pub note: Option<String>,
    pub is_public: bool,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields of an entry as a client sends them, before validation. `None` means
/// "not sent"; for `note`, `Some(None)` means "sent as null".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoodDraft {
    pub mood: Option<String>,
    pub intensity: Option<i64>,
    pub valence: Option<f64>,
    pub arousal: Option<f64>,
    pub note: Option<Option<String>>,
    pub is_public: Option<bool>,
    pub tags: Option<Vec<String>>,
}

/// Validated content of an entry, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodContent {
    pub mood: Mood,
    pub intensity: u8,
    pub valence: f64,
    pub arousal: f64,
    pub note: Option<String>,
    pub is_public: bool,
    pub tags: Vec<String>,
}

impl MoodDraft {
    /// A complete entry (create, PUT): `mood` and `intensity` are required; valence and
    /// arousal default from the mood when absent (a given 0 is kept).
    pub fn complete(self) -> Result<MoodContent, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.mood.is_none() {
            errors.add("mood", "is required");
        }
        if self.intensity.is_none() {
            errors.add("intensity", "is required");
        }
        let base = MoodContent {
            mood: Mood::Neutral,
            intensity: 1,
            valence: 0.5,
            arousal: 0.5,
            note: None,
            is_public: false,
            tags: Vec::new(),
        };
        let merged = self.apply_checked(&base, true, &mut errors);
        errors.into_result(merged)
    }

    /// A partial update (PATCH) of `current`. When the mood changes and valence or
    /// arousal are not sent, they follow the new mood's defaults.
    pub fn patch(self, current: &MoodContent) -> Result<MoodContent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let merged = self.apply_checked(current, false, &mut errors);
        errors.into_result(merged)
    }

    fn apply_checked(
        self,
        base: &MoodContent,
        fresh: bool,
        errors: &mut FieldErrors,
    ) -> MoodContent {
        let mut out = base.clone();
        let mut mood_changed = fresh;
        if let Some(text) = &self.mood {
            match text.parse::<Mood>() {
                Ok(m) => {
                    mood_changed |= m != base.mood;
                    out.mood = m;
                }
                Err(e) => errors.add("mood", e),
            }
        }
        if let Some(i) = self.intensity {
            if (INTENSITY_MIN..=INTENSITY_MAX).contains(&i) {
                out.intensity = i as u8;
            } else {
                errors.add(
                    "intensity",
                    format!("must be a whole number from {INTENSITY_MIN} to {INTENSITY_MAX}"),
                );
            }
        }
        let (default_valence, default_arousal) = out.mood.default_affect();
        out.valence = unit_interval(errors, "valence", self.valence).unwrap_or(if mood_changed {
            default_valence
        } else {
            base.valence
        });
        out.arousal = unit_interval(errors, "arousal", self.arousal).unwrap_or(if mood_changed {
            default_arousal
        } else {
            base.arousal
        });
        if let Some(note) = self.note {
            if let Some(text) = &note {
                errors.check("note", validation::max_chars(text, NOTE_MAX));
            }
            out.note = note;
        }
        if let Some(public) = self.is_public {
            out.is_public = public;
        }
        if let Some(tags) = self.tags {
            match normalize_tags(tags) {
                Ok(tags) => out.tags = tags,
                Err(e) => errors.add("tags", e),
            }
        }
        out
    }
}

/// A number in [0, 1], or an error recorded for `field`.
fn unit_interval(errors: &mut FieldErrors, field: &str, value: Option<f64>) -> Option<f64> {
    let v = value?;
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Some(v)
    } else {
        errors.add(field, "must be a number from 0 to 1");
        None
    }
}

/// Trims tags, drops duplicates (keeping the first spelling), and checks the limits:
/// at most 10 tags as sent (duplicates count), so a list is valid or not by its length.
pub fn normalize_tags(tags: Vec<String>) -> Result<Vec<String>, String> {
    if tags.len() > TAGS_MAX {
        return Err(format!("at most {TAGS_MAX} tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_owned();
        let len = tag.chars().count();
        if len == 0 || len > TAG_MAX {
            return Err(format!("each tag must be 1 to {TAG_MAX} characters"));
        }
        if tag.chars().any(char::is_control) {
            return Err("tags must not contain control characters".into());
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            out.push(tag);
        }
    }
    Ok(out)
}

impl MoodEntry {
    /// A new entry of `user_id` with `content`, created (and last changed) `at`.
    pub fn new(user_id: Uuid, content: MoodContent, at: DateTime<Utc>) -> Self {
        Self {
            id: super::row_id::new_row_id(),
            user_id,
            created_at: at,
            updated_at: at,
            mood: content.mood,
            intensity: content.intensity,
            valence: content.valence,
            arousal: content.arousal,
            note: content.note,
            is_public: content.is_public,
            tags: content.tags,
        }
    }

    /// The content part of the entry.
    pub fn content(&self) -> MoodContent {
        MoodContent {
            mood: self.mood,
            intensity: self.intensity,
            valence: self.valence,
            arousal: self.arousal,
            note: self.note.clone(),
            is_public: self.is_public,
            tags: self.tags.clone(),
        }
    }

    /// The entry with `content` in place of its own.
    pub fn with_content(self, content: MoodContent, updated_at: DateTime<Utc>) -> Self {
        Self {
            mood: content.mood,
            intensity: content.intensity,
            valence: content.valence,
            arousal: content.arousal,
            note: content.note,
            is_public: content.is_public,
            tags: content.tags,
            updated_at,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(mood: &str, intensity: i64) -> MoodDraft {
        MoodDraft {
            mood: Some(mood.into()),
            intensity: Some(intensity),
            ..Default::default()
        }
    }

    #[test]
    fn moods_parse_case_insensitively() {
        assert_eq!("HaPpY".parse::<Mood>(), Ok(Mood::Happy));
        assert!("joyful".parse::<Mood>().is_err());
        for m in Mood::ALL {
            assert_eq!(m.as_str().parse::<Mood>(), Ok(m));
        }
    }

    #[test]
    fn valence_and_arousal_derive_from_the_mood() {
        let expected = [
            ("happy", 0.8, 0.6),
            ("excited", 0.9, 0.9),
            ("content", 0.7, 0.3),
            ("calm", 0.6, 0.2),
            ("neutral", 0.5, 0.5),
            ("bored", 0.3, 0.2),
            ("sad", 0.2, 0.3),
            ("anxious", 0.3, 0.8),
            ("angry", 0.2, 0.9),
            ("frustrated", 0.3, 0.7),
        ];
        for (mood, valence, arousal) in expected {
            let content = draft(mood, 5).complete().expect("valid");
            assert_eq!(
                (content.valence, content.arousal),
                (valence, arousal),
                "{mood}"
            );
        }
    }

    #[test]
    fn a_given_zero_is_kept() {
        let content = MoodDraft {
            valence: Some(0.0),
            arousal: Some(0.0),
            ..draft("happy", 5)
        }
        .complete()
        .expect("valid");
        assert_eq!((content.valence, content.arousal), (0.0, 0.0));
    }

    #[test]
    fn invalid_fields_are_each_named() {
        let bad = MoodDraft {
            mood: Some("joyful".into()),
            intensity: Some(11),
            valence: Some(1.5),
            arousal: Some(f64::NAN),
            note: Some(Some("x".repeat(1001))),
            is_public: None,
            tags: Some((0..11).map(|i| format!("t{i}")).collect()),
        };
        let err = bad.complete().expect_err("invalid");
        let fields: Vec<&str> = err.fields().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            vec!["arousal", "intensity", "mood", "note", "tags", "valence"]
        );
        assert!(draft("happy", 0).complete().is_err());
        assert!(MoodDraft::default().complete().is_err());
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        assert_eq!(
            normalize_tags(vec![" a ".into(), "A".into(), "b".into()]),
            Ok(vec!["a".into(), "b".into()])
        );
        assert!(normalize_tags(vec!["".into()]).is_err());
        assert!(normalize_tags(vec!["x".repeat(33)]).is_err());
        let repeated = vec!["same".to_owned(); TAGS_MAX + 1];
        assert!(normalize_tags(repeated).is_err(), "duplicates count");
    }

    #[test]
    fn patch_follows_a_new_mood_unless_values_are_given() {
        let current = draft("happy", 5).complete().expect("valid");
        let sad = draft("sad", 5).patch(&current).expect("valid");
        assert_eq!((sad.valence, sad.arousal), (0.2, 0.3));
        let kept = MoodDraft {
            intensity: Some(7),
            ..Default::default()
        }
        .patch(&current)
        .expect("valid");
        assert_eq!((kept.valence, kept.intensity), (0.8, 7));
        let cleared = MoodDraft {
            note: Some(None),
            ..Default::default()
        }
        .patch(&current)
        .expect("valid");
        assert_eq!(cleared.note, None);
    }
}
