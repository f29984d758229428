//! Mood entries over HTTP: create (derived valence/arousal, idempotency), read, change,
//! delete, list filters and cap, visibility for a second user, validation, analytics
//! and streaks.

mod common;

use common::{
    assert_error, assert_invalid_fields, assert_names_field, ids, str_field, TestHub, TestUser,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(hub: &TestHub, user: &TestUser, body: Value) -> Value {
    let (status, entry) = hub.post_json("/api/v1/moods", user.token(), body).await;
    assert_eq!(status, StatusCode::CREATED, "create: {entry}");
    entry
}

#[tokio::test]
async fn create_derives_affect_and_keeps_a_given_zero() {
    let hub = TestHub::start().await;
    let user = hub.register("mood").await;
    let entry = create(
        &hub,
        &user,
        json!({"mood": "Happy", "intensity": 7, "note": "sunny", "tags": ["walk"]}),
    )
    .await;
    assert_eq!(entry["mood"], "happy", "stored lower-case");
    assert_eq!(
        (entry["valence"].as_f64(), entry["arousal"].as_f64()),
        (Some(0.8), Some(0.6))
    );
    assert_eq!(entry["userId"], user.id.as_str());
    assert_eq!(entry["isPublic"], false);
    assert_eq!(entry["tags"], json!(["walk"]));
    for key in ["id", "intensity", "note", "createdAt", "updatedAt"] {
        assert!(entry.get(key).is_some(), "{key} missing in {entry}");
    }
    let zero = create(
        &hub,
        &user,
        json!({"mood": "excited", "intensity": 1, "valence": 0, "arousal": 0}),
    )
    .await;
    assert_eq!(
        (zero["valence"].as_f64(), zero["arousal"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    let id = str_field(&entry, "id");
    let (status, read) = hub.get(&format!("/api/v1/moods/{id}"), user.token()).await;
    assert_eq!((status, read), (StatusCode::OK, entry));
}

#[tokio::test]
async fn invalid_bodies_name_the_field() {
    let hub = TestHub::start().await;
    let user = hub.register("bad").await;
    let cases = [
        (json!({"mood": "joyful", "intensity": 5}), "mood"),
        (json!({"mood": "happy", "intensity": 0}), "intensity"),
        (json!({"mood": "happy", "intensity": 11}), "intensity"),
        (json!({"mood": "happy", "intensity": "five"}), "intensity"),
        (json!({"mood": "happy", "intensity": 5.5}), "intensity"),
        (
            json!({"mood": "happy", "intensity": 5, "valence": 1.5}),
            "valence",
        ),
        (
            json!({"mood": "happy", "intensity": 5, "arousal": -0.1}),
            "arousal",
        ),
        (
            json!({"mood": "happy", "intensity": 5, "note": "x".repeat(1001)}),
            "note",
        ),
        (
            json!({"mood": "happy", "intensity": 5, "tags": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "tags",
        ),
        (
            json!({"mood": "happy", "intensity": 5, "tags": ["x".repeat(33)]}),
            "tags",
        ),
        (json!({"intensity": 5}), "mood"),
    ];
    for (body, field) in cases {
        let (status, error) = hub
            .post_json("/api/v1/moods", user.token(), body.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {error}");
        assert_names_field(&error, field);
    }
    let (_, error) = hub
        .post_json("/api/v1/moods", user.token(), json!({}))
        .await;
    assert_invalid_fields(&error, &["intensity", "mood"]);
    let (status, list) = hub.get("/api/v1/moods", user.token()).await;
    assert_eq!(
        (status, list["total"].as_u64()),
        (StatusCode::OK, Some(0)),
        "nothing was created"
    );
}

/// What the OpenAPI document admits is accepted, and what it refuses is refused:
/// JSON Schema's `integer` includes `6.0`; an RFC 3339 time whose offset carries it
/// past the calendar's first or last day is a bound at that edge; more than 10 tags
/// are too many even when some repeat.
#[tokio::test]
async fn the_documented_rules_are_the_rules() {
    let hub = TestHub::start().await;
    let user = hub.register("documented").await;
    let entry = create(&hub, &user, json!({"mood": "calm", "intensity": 6.0})).await;
    assert_eq!(entry["intensity"], json!(6));
    let path = format!("/api/v1/moods/{}", str_field(&entry, "id"));
    let (status, patched) = hub
        .patch_json(&path, user.token(), json!({"intensity": 1e1}))
        .await;
    assert_eq!(
        (status, &patched["intensity"]),
        (StatusCode::OK, &json!(10))
    );
    for query in [
        "start_date=0001-01-01T00:30:00%2B01:00",
        "end_date=9999-12-31T23:30:00-01:00",
        "start_date=0000-12-31T23:00:00Z&end_date=9999-12-31",
    ] {
        let (status, page) = hub
            .get(&format!("/api/v1/moods?{query}"), user.token())
            .await;
        assert_eq!(
            (status, page["total"].as_u64()),
            (StatusCode::OK, Some(1)),
            "{query}: {page}"
        );
    }
    let (status, inbox) = hub
        .get(
            "/api/v1/notifications?since=0001-01-01T00:00:00%2B05:00",
            user.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{inbox}");

    let ten = vec!["same"; 10];
    let kept = create(
        &hub,
        &user,
        json!({"mood": "calm", "intensity": 2, "tags": ten}),
    )
    .await;
    assert_eq!(kept["tags"], json!(["same"]), "repeats are dropped");
    let (status, error) = hub
        .post_json(
            "/api/v1/moods",
            user.token(),
            json!({"mood": "calm", "intensity": 2, "tags": vec!["same"; 11]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_names_field(&error, "tags");
}

#[tokio::test]
async fn idempotent_create_answers_the_first_entry() {
    let hub = TestHub::start().await;
    let user = hub.register("idem").await;
    let body = json!({"mood": "calm", "intensity": 4});
    let post = |key: &'static str, body: Value| {
        let hub = &hub;
        let token = user.access.clone();
        async move {
            let response = hub
                .client
                .post(hub.url("/api/v1/moods"))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect("request");
            common::read_reply(response).await
        }
    };
    let first = post("offline-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = post("offline-1", body.clone()).await;
    assert_eq!(
        (again.status, &again.body),
        (StatusCode::CREATED, &first.body),
        "the first answer again"
    );
    let other_key = post("offline-2", body.clone()).await;
    assert_ne!(
        other_key.body["id"], first.body["id"],
        "a new key makes a new entry"
    );
    let reused = post("offline-1", json!({"mood": "sad", "intensity": 4})).await;
    assert_eq!(reused.status, StatusCode::CONFLICT);
    assert_error(&reused.body, "idempotency_key_reused");
    let bad = post("has space", body.clone()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_names_field(&bad.body, "Idempotency-Key");
    let (_, list) = hub.get("/api/v1/moods", user.token()).await;
    assert_eq!(list["total"], 2, "exactly two entries: {list}");
    let stranger = hub.register("other").await;
    let theirs = hub
        .client
        .post(hub.url("/api/v1/moods"))
        .bearer_auth(&stranger.access)
        .header("Idempotency-Key", "offline-1")
        .json(&body)
        .send()
        .await
        .expect("request");
    let theirs = common::read_reply(theirs).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.body["id"], first.body["id"], "keys are per user");
}

#[tokio::test]
async fn update_replace_patch_and_delete_are_for_the_owner() {
    let hub = TestHub::start().await;
    let (owner, other) = (hub.register("own").await, hub.register("oth").await);
    let entry = create(
        &hub,
        &owner,
        json!({"mood": "happy", "intensity": 5, "note": "n", "isPublic": true, "tags": ["a"]}),
    )
    .await;
    let path = format!("/api/v1/moods/{}", str_field(&entry, "id"));
    let (status, patched) = hub
        .patch_json(&path, owner.token(), json!({"intensity": 9, "note": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (
            patched["intensity"].as_u64(),
            &patched["note"],
            &patched["mood"]
        ),
        (Some(9), &Value::Null, &json!("happy"))
    );
    assert_eq!(patched["tags"], json!(["a"]), "untouched fields stay");
    let (status, replaced) = hub
        .put_json(
            &path,
            owner.token(),
            json!({"mood": "sad", "intensity": 2, "isPublic": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        (replaced["valence"].as_f64(), replaced["tags"].clone()),
        (Some(0.2), json!([])),
        "PUT replaces"
    );
    let (status, error) = hub
        .put_json(&path, owner.token(), json!({"intensity": 2}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "PUT needs a complete entry"
    );
    assert_names_field(&error, "mood");
    // The other user can see the public entry but not change it.
    let (status, error) = hub
        .patch_json(&path, other.token(), json!({"intensity": 1}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&error, "not_owner");
    let (status, _) = hub.delete(&path, other.token()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = hub.delete(&path, owner.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, error) = hub.get(&path, owner.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, "not_found");
}

#[tokio::test]
async fn list_filters_and_per_page_cap() {
    let hub = TestHub::start().await;
    let user = hub.register("lister").await;
    for (mood, n) in [("happy", 3), ("sad", 2)] {
        for _ in 0..n {
            create(&hub, &user, json!({"mood": mood, "intensity": 5})).await;
        }
    }
    let (_, all) = hub.get("/api/v1/moods", user.token()).await;
    assert_eq!(
        (
            all["total"].as_u64(),
            all["page"].as_u64(),
            all["perPage"].as_u64(),
            all["pages"].as_u64()
        ),
        (Some(5), Some(1), Some(20), Some(1))
    );
    let times: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["createdAt"].as_str())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let (_, sad) = hub.get("/api/v1/moods?mood_type=SAD", user.token()).await;
    assert_eq!(sad["total"], 2);
    let today = chrono::Utc::now().date_naive();
    let (_, by_date) = hub
        .get(
            &format!("/api/v1/moods?start_date={today}&end_date={today}"),
            user.token(),
        )
        .await;
    assert_eq!(by_date["total"], 5, "end_date includes its whole day");
    let yesterday = today - chrono::Duration::days(1);
    let (_, before) = hub
        .get(&format!("/api/v1/moods?end_date={yesterday}"), user.token())
        .await;
    assert_eq!(before["total"], 0);
    let (_, page) = hub
        .get("/api/v1/moods?page=2&per_page=2", user.token())
        .await;
    assert_eq!(
        (
            page["items"].as_array().map(Vec::len),
            page["pages"].as_u64()
        ),
        (Some(2), Some(3))
    );
    let (status, capped) = hub.get("/api/v1/moods?per_page=500", user.token()).await;
    assert_eq!(
        (status, capped["perPage"].as_u64()),
        (StatusCode::OK, Some(100))
    );
    for (query, field) in [
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-02-30", "end_date"),
        // Past chrono's last day plus one: the end-of-day arithmetic used to panic and
        // the client got no answer at all.
        ("end_date=%2B262142-12-31", "end_date"),
        ("start_date=%2B262143-12-31", "start_date"),
        ("end_date=%2B10000-01-01", "end_date"),
        ("start_date=0000-01-01", "start_date"),
        ("start_date=2026-05-02&end_date=2026-05-01", "end_date"),
        ("mood_type=joyful", "mood_type"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("user_id=not-a-uuid", "user_id"),
    ] {
        let (status, error) = hub
            .get(&format!("/api/v1/moods?{query}"), user.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {error}");
        assert_names_field(&error, field);
    }
}

/// What `viewer` sees of `owner`'s entries: the listing's ids, and per entry whether
/// GET /moods/{id} answers 200.
async fn seen_by(
    hub: &TestHub,
    viewer: &TestUser,
    owner: &TestUser,
    entries: &[&Value],
) -> (Vec<String>, Vec<bool>) {
    let (status, list) = hub
        .get(
            &format!("/api/v1/moods?user_id={}", owner.id),
            viewer.token(),
        )
        .await;
    let listed = if status == StatusCode::OK {
        ids(&list["items"])
    } else {
        vec![]
    };
    let mut readable = Vec::new();
    for entry in entries {
        let reply = hub
            .send(
                Method::GET,
                &format!("/api/v1/moods/{}", str_field(entry, "id")),
                viewer.token(),
                None,
            )
            .await;
        readable.push(reply.status == StatusCode::OK);
    }
    (listed, readable)
}

#[tokio::test]
async fn visibility_for_a_second_user() {
    let hub = TestHub::start().await;
    let owner = hub.register("owner").await;
    let (friend, stranger) = (hub.register("friend").await, hub.register("stranger").await);
    hub.befriend(&owner, &friend).await;
    let public = create(
        &hub,
        &owner,
        json!({"mood": "happy", "intensity": 5, "isPublic": true}),
    )
    .await;
    let private = create(&hub, &owner, json!({"mood": "sad", "intensity": 5})).await;
    let (pub_id, priv_id) = (str_field(&public, "id"), str_field(&private, "id"));
    let set = |visibility: &'static str| {
        let hub = &hub;
        let token = owner.access.clone();
        async move {
            let (status, _) = hub
                .put_json(
                    "/api/v1/users/me/privacy",
                    Some(&token),
                    json!({"moodVisibility": visibility}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    };
    // friends (the default): friends see everything, others only public entries.
    let (listed, readable) = seen_by(&hub, &friend, &owner, &[&public, &private]).await;
    assert_eq!((listed.len(), readable), (2, vec![true, true]));
    let (listed, readable) = seen_by(&hub, &stranger, &owner, &[&public, &private]).await;
    assert_eq!(
        (listed, readable),
        (vec![pub_id.clone()], vec![true, false])
    );
    // private: only public entries, even for friends.
    set("private").await;
    let (listed, readable) = seen_by(&hub, &friend, &owner, &[&public, &private]).await;
    assert_eq!(
        (listed, readable),
        (vec![pub_id.clone()], vec![true, false])
    );
    // public: everyone sees everything.
    set("public").await;
    let (listed, readable) = seen_by(&hub, &stranger, &owner, &[&public, &private]).await;
    assert_eq!((listed.len(), readable), (2, vec![true, true]));
    assert!(listed.contains(&priv_id));
    // blocked: nothing at all, and the owner is not found.
    let (status, _) = hub
        .post_empty(&format!("/api/v1/blocks/{}", stranger.id), owner.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (listed, readable) = seen_by(&hub, &stranger, &owner, &[&public, &private]).await;
    assert_eq!(
        (listed, readable),
        (Vec::<String>::new(), vec![false, false])
    );
    let (status, error) = hub
        .get(
            &format!("/api/v1/moods?user_id={}", owner.id),
            stranger.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, "not_found");
    let (status, _) = hub
        .get(
            &format!("/api/v1/moods/analytics?user_id={}", owner.id),
            stranger.token(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn analytics_and_streak() {
    let hub = TestHub::start().await;
    let user = hub.register("stats").await;
    let (status, empty) = hub.get("/api/v1/moods/analytics", user.token()).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(
        (
            empty["timeRange"].as_str(),
            empty["dominantMood"].clone(),
            empty["moodTrend"].as_str()
        ),
        (Some("month"), Value::Null, Some("STABLE"))
    );
    assert_eq!(empty["moodByDayOfWeek"], json!([]), "no entries, no rows");
    assert_eq!(empty["moodByTimeOfDay"], json!([]));
    assert_eq!(empty["moodFrequency"], json!([]));
    for mood in ["happy", "happy", "sad"] {
        create(&hub, &user, json!({"mood": mood, "intensity": 5})).await;
    }
    let (_, stats) = hub
        .get("/api/v1/moods/analytics?time_range=week", user.token())
        .await;
    assert_eq!(stats["timeRange"], "week");
    assert_eq!(stats["dominantMood"], "happy");
    let average = stats["averageMood"].as_f64().expect("averageMood");
    assert!(
        (average - 0.6).abs() < 1e-9,
        "mean of .8, .8, .2: {average}"
    );
    let frequency = stats["moodFrequency"].as_array().expect("frequency");
    let total: f64 = frequency
        .iter()
        .filter_map(|f| f["percentage"].as_f64())
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "fractions sum to 1: {stats}");
    assert_eq!(stats["correlations"], json!([]), "fewer than 10 entries");
    let (status, error) = hub
        .get("/api/v1/moods/analytics?time_range=decade", user.token())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_names_field(&error, "time_range");
    let (status, streak) = hub.get("/api/v1/moods/streak", user.token()).await;
    assert_eq!(status, StatusCode::OK);
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        streak,
        json!({"current": 1, "longest": 1, "lastEntryDate": today})
    );
}
