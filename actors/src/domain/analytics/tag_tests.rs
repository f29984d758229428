//! Unit tests of `tagFrequency` and the intensity and arousal averages.

use super::*;
use chrono::TimeZone;

fn entry(intensity: u8, valence: f64, arousal: f64, minute: u32, tags: &[&str]) -> MoodPoint {
    MoodPoint {
        mood: Mood::Calm,
        intensity,
        valence,
        arousal,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        created_at: Utc
            .with_ymd_and_hms(2024, 3, 4, 9, minute, 0)
            .single()
            .expect("a valid time"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn averages_and_tags_of_four_entries() {
    let points = [
        entry(2, 0.2, 0.4, 0, &["Work", "rain"]),
        entry(4, 0.6, 0.8, 1, &["work"]),
        entry(9, 1.0, 0.0, 2, &["tea", "WORK", "work"]),
        entry(5, 0.4, 0.6, 3, &[]),
    ];
    let a = analyze(Uuid::nil(), TimeRange::Week, &points);
    // Intensity (2 + 4 + 9 + 5) / 4 = 5; arousal (0.4 + 0.8 + 0 + 0.6) / 4 = 0.45.
    assert!(close(a.average_intensity, 5.0), "{}", a.average_intensity);
    assert!(close(a.average_arousal, 0.45), "{}", a.average_arousal);
    let tags: Vec<(&str, u32)> = a
        .tag_frequency
        .iter()
        .map(|t| (t.tag.as_str(), t.count))
        .collect();
    // "work" is on three entries (once each, whatever the spelling, as first spelled);
    // "rain" and "tea" tie at one and go by name.
    assert_eq!(tags, [("Work", 3), ("rain", 1), ("tea", 1)]);
    let work = &a.tag_frequency[0];
    assert!(close(work.percentage, 0.75), "3 of 4 entries");
    assert!(close(work.average_mood, 0.6), "(0.2 + 0.6 + 1.0) / 3");
    assert!(close(a.tag_frequency[1].average_mood, 0.2));
    assert!(close(a.tag_frequency[2].percentage, 0.25));
}

#[test]
fn at_most_twenty_tags_are_listed_the_most_used_first() {
    let names: Vec<String> = (0..25).map(|i| format!("tag{i:02}")).collect();
    let mut points = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // tag24 is on the most entries, tag00 on one.
        for _ in 0..=i {
            points.push(entry(5, 0.5, 0.5, 0, &[name.as_str()]));
        }
    }
    let a = analyze(Uuid::nil(), TimeRange::Week, &points);
    assert_eq!(a.tag_frequency.len(), 20);
    assert_eq!(a.tag_frequency[0].tag, "tag24");
    assert_eq!(a.tag_frequency[0].count, 25);
    assert_eq!(a.tag_frequency[19].tag, "tag05");
}

#[test]
fn new_figures_serialize_in_the_api_shape() {
    let a = analyze(
        Uuid::nil(),
        TimeRange::Week,
        &[entry(3, 0.5, 0.5, 0, &["tea"])],
    );
    let json = serde_json::to_value(&a).expect("serializable");
    assert_eq!(json["averageIntensity"], 3.0);
    assert_eq!(json["averageArousal"], 0.5);
    assert_eq!(
        json["tagFrequency"],
        serde_json::json!([{"tag": "tea", "count": 1, "percentage": 1.0, "averageMood": 0.5}])
    );
    assert_eq!(json["moodByDayOfWeek"].as_array().map(Vec::len), Some(7));
    assert_eq!(json["moodByTimeOfDay"].as_array().map(Vec::len), Some(24));
}
