//! The analytics figures of the mood screens — `averageIntensity`, `averageArousal`
//! and `tagFrequency` — exact on hand-made entries in REST, GraphQL and the OpenAPI
//! document, and the answer with no entries (empty day and hour lists).

mod common;

use common::{close, ok, TestHub, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ANALYTICS: &str = "/api/v1/moods/analytics?time_range=week";

const GRAPHQL_ANALYTICS: &str = "{ moodAnalytics(timeRange: \"week\") {
    totalEntries averageMood averageIntensity averageArousal dominantMood moodTrend
    moodFrequency { mood count percentage }
    tagFrequency { tag count percentage averageMood }
    moodByDayOfWeek { day averageMood entries }
    moodByTimeOfDay { hour averageMood entries }
    correlations { factor }
    insights
} }";

async fn post_moods(hub: &TestHub, user: &TestUser, entries: &[Value]) {
    for entry in entries {
        let (status, body) = hub
            .post_json("/api/v1/moods", user.token(), entry.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// Checks the figures of the four entries `analytics_of_hand_made_entries` posts, in
/// either API (their JSON shapes are the same).
fn assert_hand_made_figures(a: &Value) {
    assert_eq!(a["totalEntries"], 4, "{a}");
    // Intensity: (2 + 4 + 9 + 5) / 4 = 5.
    assert!(close(&a["averageIntensity"], 5.0), "{a}");
    // Arousal: 0.4, 0.8, 0 and neutral's 0.5 → 1.7 / 4 = 0.425.
    assert!(close(&a["averageArousal"], 0.425), "{a}");
    // Valence: 0.2, 0.6, 1.0 and neutral's 0.5 → 2.3 / 4 = 0.575.
    assert!(close(&a["averageMood"], 0.575), "{a}");
    let tags = a["tagFrequency"]
        .as_array()
        .expect("tagFrequency is a list");
    // "Work" is on three entries (as first spelled; "work" is the same tag), "rain"
    // and "tea" on one each, so they follow by name.
    let expected = [
        ("Work", 3, 0.75, (0.2 + 0.6 + 1.0) / 3.0),
        ("rain", 1, 0.25, 0.2),
        ("tea", 1, 0.25, 1.0),
    ];
    assert_eq!(tags.len(), expected.len(), "{a}");
    for (row, (tag, count, percentage, average)) in tags.iter().zip(expected) {
        assert_eq!((&row["tag"], &row["count"]), (&json!(tag), &json!(count)));
        assert!(close(&row["percentage"], percentage), "{row}");
        assert!(close(&row["averageMood"], average), "{row}");
        assert_eq!(row.as_object().map(|o| o.len()), Some(4), "{row}");
    }
    let days = a["moodByDayOfWeek"].as_array().expect("list");
    let hours = a["moodByTimeOfDay"].as_array().expect("list");
    assert_eq!((days.len(), hours.len()), (7, 24), "{a}");
}

#[tokio::test]
async fn analytics_of_hand_made_entries() {
    let hub = TestHub::start().await;
    let user = hub.register("figures").await;
    post_moods(
        &hub,
        &user,
        &[
            json!({"mood": "happy", "intensity": 2, "valence": 0.2, "arousal": 0.4, "tags": ["Work", "rain"]}),
            json!({"mood": "sad", "intensity": 4, "valence": 0.6, "arousal": 0.8, "tags": ["work"]}),
            json!({"mood": "calm", "intensity": 9, "valence": 1.0, "arousal": 0.0, "tags": ["tea", "WORK"]}),
            json!({"mood": "neutral", "intensity": 5}),
        ],
    )
    .await;

    let (status, rest) = hub.get(ANALYTICS, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_hand_made_figures(&rest);

    let data = ok(&hub, user.token(), GRAPHQL_ANALYTICS, Value::Null).await;
    let graphql = &data["moodAnalytics"];
    assert_hand_made_figures(graphql);
    for key in ["averageIntensity", "averageArousal", "tagFrequency"] {
        assert_eq!(graphql[key], rest[key], "{key}: GraphQL and REST agree");
    }
    hub.stop().await;
}

#[tokio::test]
async fn analytics_with_no_entries() {
    let hub = TestHub::start().await;
    let user = hub.register("noentries").await;
    let (status, rest) = hub.get(ANALYTICS, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    let data = ok(&hub, user.token(), GRAPHQL_ANALYTICS, Value::Null).await;
    let graphql = &data["moodAnalytics"];
    for a in [&rest, graphql] {
        for list in [
            "moodFrequency",
            "tagFrequency",
            "moodByDayOfWeek",
            "moodByTimeOfDay",
            "correlations",
            "insights",
        ] {
            assert_eq!(a[list], json!([]), "{list}: {a}");
        }
        for zero in [
            "averageMood",
            "averageIntensity",
            "averageArousal",
            "totalEntries",
        ] {
            assert!(close(&a[zero], 0.0), "{zero}: {a}");
        }
        assert_eq!(
            (&a["dominantMood"], &a["moodTrend"]),
            (&Value::Null, &json!("STABLE"))
        );
    }
    hub.stop().await;
}

/// The OpenAPI document describes the new figures, all required.
#[tokio::test]
async fn openapi_describes_the_figures() {
    let hub = TestHub::start().await;
    let doc = hub.openapi_document().await;
    let schemas = &doc["components"]["schemas"];
    let analytics = &schemas["Analytics"];
    let required = |schema: &Value, field: &str| {
        schema["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!(field)))
    };
    for (field, kind) in [
        ("averageIntensity", "number"),
        ("averageArousal", "number"),
        ("tagFrequency", "array"),
    ] {
        assert_eq!(
            analytics["properties"][field]["type"], kind,
            "{field}: {analytics}"
        );
        assert!(required(analytics, field), "{field} is required");
    }
    let item = &analytics["properties"]["tagFrequency"]["items"]["$ref"];
    assert_eq!(item, "#/components/schemas/TagCount", "{analytics}");
    let tag = &schemas["TagCount"];
    for (field, kind) in [
        ("tag", "string"),
        ("count", "integer"),
        ("percentage", "number"),
        ("averageMood", "number"),
    ] {
        assert_eq!(tag["properties"][field]["type"], kind, "{field}: {tag}");
        assert!(required(tag, field), "{field} is required: {tag}");
    }
    hub.stop().await;
}
