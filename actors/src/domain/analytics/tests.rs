//! Unit tests of the analytics rules.

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
        intensity: 5,
        valence,
        arousal: 0.5,
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
    assert!(a.tag_frequency.is_empty());
    assert!(a.mood_by_day_of_week.is_empty());
    assert!(a.mood_by_time_of_day.is_empty());
    assert_eq!(a.average_mood, 0.0);
    assert_eq!(a.average_intensity, 0.0);
    assert_eq!(a.average_arousal, 0.0);
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
                intensity: (i % 10 + 1) as u8,
                valence: mood.default_affect().0,
                arousal: mood.default_affect().1,
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
