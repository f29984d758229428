//! Streaks: how many consecutive UTC days a person has recorded a mood, and the lengths
//! that earn a `streak_milestone` notification.

use chrono::NaiveDate;
use serde::Serialize;

/// The answer of `GET /moods/streak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Streak {
    /// The run ending today, or yesterday while today has no entry yet; else 0.
    pub current: u32,
    /// The longest run ever; never less than `current`.
    pub longest: u32,
    /// The latest day with an entry, not counting days after today.
    pub last_entry_date: Option<NaiveDate>,
}

/// Streak lengths that earn a `streak_milestone` notification.
pub const MILESTONES: [u32; 4] = [3, 7, 30, 100];

/// The streak on `today`.
///
/// `days`: the UTC dates that have at least one entry, in any order, duplicates allowed.
/// Days after `today` (a client clock running ahead) are ignored. A streak is not broken
/// until a whole day passes without an entry, so a run ending yesterday is still current.
pub fn streak(days: &[NaiveDate], today: NaiveDate) -> Streak {
    let mut past: Vec<NaiveDate> = days.iter().copied().filter(|d| *d <= today).collect();
    past.sort_unstable();
    past.dedup();
    let Some(&last) = past.last() else {
        return Streak::default();
    };

    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<NaiveDate> = None;
    for &day in &past {
        run = if previous.and_then(|p| p.succ_opt()) == Some(day) {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
        previous = Some(day);
    }

    // `run` is now the run ending on `last`.
    let alive = last == today || today.pred_opt() == Some(last);
    Streak {
        current: if alive { run } else { 0 },
        longest,
        last_entry_date: Some(last),
    }
}

/// The milestone reached when the current streak grows from `before` to `after` (e.g.
/// 2 → 3 gives `Some(3)`), if any. Should one step cross several milestones, the highest
/// is the one reached.
pub fn milestone_reached(before: u32, after: u32) -> Option<u32> {
    MILESTONES
        .iter()
        .rev()
        .copied()
        .find(|&m| before < m && m <= after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).expect("a valid March 2024 date")
    }

    #[test]
    fn no_entries_no_streak() {
        assert_eq!(
            streak(&[], day(10)),
            Streak {
                current: 0,
                longest: 0,
                last_entry_date: None
            }
        );
    }

    #[test]
    fn a_single_entry_today_is_a_streak_of_one() {
        assert_eq!(
            streak(&[day(10)], day(10)),
            Streak {
                current: 1,
                longest: 1,
                last_entry_date: Some(day(10))
            }
        );
    }

    #[test]
    fn a_run_ending_yesterday_still_counts() {
        let s = streak(&[day(7), day(8), day(9)], day(10));
        assert_eq!((s.current, s.longest), (3, 3));
        assert_eq!(s.last_entry_date, Some(day(9)));
    }

    #[test]
    fn a_whole_day_without_an_entry_ends_the_streak() {
        let s = streak(&[day(7), day(8)], day(10));
        assert_eq!((s.current, s.longest), (0, 2));
        assert_eq!(s.last_entry_date, Some(day(8)));
    }

    #[test]
    fn a_gap_resets_current_but_longest_keeps_the_older_run() {
        let days = [day(1), day(2), day(3), day(4), day(6), day(7)];
        let s = streak(&days, day(7));
        assert_eq!((s.current, s.longest), (2, 4));
    }

    #[test]
    fn duplicates_count_once() {
        let days = [day(9), day(9), day(10), day(10), day(10)];
        let s = streak(&days, day(10));
        assert_eq!((s.current, s.longest), (2, 2));
    }

    #[test]
    fn input_order_does_not_matter() {
        let days = [day(10), day(3), day(9), day(1), day(8), day(2)];
        let s = streak(&days, day(10));
        assert_eq!((s.current, s.longest), (3, 3));
        assert_eq!(s.last_entry_date, Some(day(10)));
    }

    #[test]
    fn future_days_are_ignored() {
        let s = streak(&[day(9), day(10), day(11), day(12)], day(10));
        assert_eq!((s.current, s.longest), (2, 2));
        assert_eq!(s.last_entry_date, Some(day(10)));
        assert_eq!(streak(&[day(20)], day(10)), Streak::default());
    }

    #[test]
    fn runs_cross_month_ends() {
        let feb_29 = NaiveDate::from_ymd_opt(2024, 2, 29).expect("a leap day");
        let s = streak(&[feb_29, day(1)], day(1));
        assert_eq!((s.current, s.longest), (2, 2));
    }

    #[test]
    fn milestones_are_reached_once() {
        assert_eq!(milestone_reached(2, 3), Some(3));
        assert_eq!(milestone_reached(3, 3), None);
        assert_eq!(milestone_reached(3, 4), None);
        assert_eq!(milestone_reached(6, 8), Some(7));
        assert_eq!(milestone_reached(0, 1), None);
        assert_eq!(milestone_reached(29, 30), Some(30));
        assert_eq!(milestone_reached(99, 100), Some(100));
        assert_eq!(milestone_reached(100, 101), None);
        assert_eq!(milestone_reached(2, 8), Some(7));
        assert_eq!(milestone_reached(5, 1), None);
    }

    #[test]
    fn streaks_serialize_in_camel_case() {
        let json = serde_json::to_value(streak(&[day(10)], day(10))).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"current": 1, "longest": 1, "lastEntryDate": "2024-03-10"})
        );
    }
}
