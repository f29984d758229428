//! Tags grouped case-insensitively, resolved once per point before the time-ordered
//! pass, and how often each occurs.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::ops::Range;

use super::{MoodPoint, TagCount};

/// One tag, grouped case-insensitively.
pub(super) struct TagStats {
    /// The spelling on the earliest entry using the tag: the first one that entry lists;
    /// between entries made at the same instant, the spelling that sorts first.
    pub(super) spelling: String,
    pub(super) first_at: DateTime<Utc>,
    pub(super) entries: u32,
    pub(super) valence_sum: f64,
}

/// Tags grouped case-insensitively, and each point's groups.
#[derive(Default)]
pub(super) struct TagTable {
    pub(super) groups: Vec<TagStats>,
    /// Lower-cased tag → index into `groups`.
    pub(super) index: HashMap<String, u32>,
    /// Every point's group ids, one run per point, each group at most once a run.
    pub(super) ids: Vec<u32>,
    /// Reused for lower-casing, so looking a known tag up allocates nothing.
    pub(super) scratch: String,
}

impl TagTable {
    /// Records the tags of `point` and returns its run in `ids`.
    pub(super) fn resolve(&mut self, point: &MoodPoint) -> Range<usize> {
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

    /// The `max` most used tags of `total` entries, most used first; between tags used
    /// equally often, by name (case-insensitively, then as spelled).
    pub(super) fn frequency(&self, total: u32, max: usize) -> Vec<TagCount> {
        let mut groups: Vec<&TagStats> = self.groups.iter().filter(|g| g.entries > 0).collect();
        groups.sort_by(|a, b| {
            b.entries
                .cmp(&a.entries)
                .then_with(|| a.spelling.to_lowercase().cmp(&b.spelling.to_lowercase()))
                .then_with(|| a.spelling.cmp(&b.spelling))
        });
        groups
            .into_iter()
            .take(max)
            .map(|g| TagCount {
                tag: g.spelling.clone(),
                count: g.entries,
                percentage: f64::from(g.entries) / f64::from(total.max(1)),
                average_mood: g.valence_sum / f64::from(g.entries),
            })
            .collect()
    }
}
