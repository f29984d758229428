//! User search over real HTTP: what matches, what is left out, wildcard escaping,
//! pagination and parameter validation.

mod common;

use common::{assert_names_field, ids, register_named, search_names, str_field, TestHub};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn search_matches_usernames_and_display_names() {
    let hub = TestHub::start().await;
    let viewer = register_named(&hub, "viewer", "Viewer").await;
    register_named(&hub, "Zebra_One", "First").await;
    register_named(&hub, "plain_two", "The ZEBRA crossing").await;
    register_named(&hub, "other", "Unrelated").await;
    let (status, anon) = hub.post_empty("/api/v1/auth/anonymous", None).await;
    assert_eq!(status, StatusCode::CREATED, "{anon}");
    let anon_name = str_field(&anon["user"], "username");

    for q in ["zebra", "ZEBRA", "ebr", "  zebra  "] {
        assert_eq!(
            search_names(&hub, &viewer, q).await,
            vec!["Zebra_One", "plain_two"],
            "q={q:?}"
        );
    }
    assert_eq!(
        search_names(&hub, &viewer, "crossing").await,
        vec!["plain_two"]
    );
    assert!(search_names(&hub, &viewer, "nothing-like-this")
        .await
        .is_empty());
    assert!(
        search_names(&hub, &viewer, &anon_name).await.is_empty(),
        "anonymous users are not listed"
    );
    assert!(
        search_names(&hub, &viewer, "anonymous").await.is_empty(),
        "not by display name either"
    );

    let (status, page) = hub.get("/api/v1/users?q=zebra", viewer.token()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (
            &page["total"],
            &page["pages"],
            &page["page"],
            &page["perPage"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(20))
    );
    for item in page["items"].as_array().expect("items") {
        assert!(
            item.get("email").is_none(),
            "search shows public profiles: {item}"
        );
    }
}

#[tokio::test]
async fn search_treats_wildcards_literally() {
    let hub = TestHub::start().await;
    let viewer = register_named(&hub, "viewer", "Viewer").await;
    register_named(&hub, "under_score", "U1").await;
    register_named(&hub, "underXscore", "U2").await;
    register_named(&hub, "percent", "100% sure").await;
    register_named(&hub, "thousand", "1000 sure").await;
    register_named(&hub, "slashy", "back\\slash").await;
    register_named(&hub, "backXslash", "no slash").await;
    assert_eq!(
        search_names(&hub, &viewer, "r_s").await,
        vec!["under_score"]
    );
    assert_eq!(search_names(&hub, &viewer, "_").await, vec!["under_score"]);
    assert_eq!(search_names(&hub, &viewer, "0%").await, vec!["percent"]);
    assert_eq!(search_names(&hub, &viewer, "%").await, vec!["percent"]);
    assert_eq!(search_names(&hub, &viewer, "k\\s").await, vec!["slashy"]);
    assert!(search_names(&hub, &viewer, "\\")
        .await
        .contains(&"slashy".to_owned()));
}

/// SQLite's `lower()` folds ASCII only, while the pattern is lowered with Unicode
/// rules, so a display name with a non-ASCII capital is not found even by its exact text.
#[tokio::test]
async fn search_matches_non_ascii_display_names_case_insensitively() {
    let hub = TestHub::start().await;
    let viewer = register_named(&hub, "viewer", "Viewer").await;
    register_named(&hub, "emile", "Émile Zola").await;
    for q in ["Émile", "émile", "ÉMILE", "mile Zola"] {
        assert_eq!(
            search_names(&hub, &viewer, q).await,
            vec!["emile"],
            "q={q:?}"
        );
    }
}

#[tokio::test]
async fn search_paginates_and_caps_per_page() {
    let hub = TestHub::start().await;
    let viewer = register_named(&hub, "viewer", "Viewer").await;
    for i in 0..5 {
        register_named(&hub, &format!("pgn_{i}"), "Paged").await;
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (status, body) = hub
            .get(
                &format!("/api/v1/users?q=pgn&page={page}&per_page=2"),
                viewer.token(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (
                &body["total"],
                &body["pages"],
                &body["page"],
                &body["perPage"]
            ),
            (&json!(5), &json!(3), &json!(page), &json!(2))
        );
        let want = if page == 3 { 1 } else { 2 };
        assert_eq!(body["items"].as_array().map(Vec::len), Some(want), "{body}");
        seen.extend(ids(&body["items"]));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "pages do not overlap");
    let (status, body) = hub
        .get("/api/v1/users?q=pgn&page=4&per_page=2", viewer.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["total"], 5);

    let (status, body) = hub
        .get("/api/v1/users?q=pgn&per_page=500", viewer.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["perPage"], 100);
    assert_eq!(body["items"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn search_rejects_bad_parameters() {
    let hub = TestHub::start().await;
    let viewer = hub.register("viewer").await;
    let long_q = "q".repeat(101);
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "q"),
        ("q=".into(), "q"),
        ("q=%20%20".into(), "q"),
        (format!("q={long_q}"), "q"),
        ("q=a&page=0".into(), "page"),
        ("q=a&page=-1".into(), "page"),
        ("q=a&page=abc".into(), "page"),
        ("q=a&page=1.5".into(), "page"),
        ("q=a&per_page=0".into(), "per_page"),
        ("q=a&per_page=-3".into(), "per_page"),
        ("q=a&per_page=lots".into(), "per_page"),
        ("q=a&page=99999999999999999999999".into(), "page"),
    ];
    for (query, field) in cases {
        let (status, body) = hub
            .get(&format!("/api/v1/users?{query}"), viewer.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_names_field(&body, field);
    }
    let (status, body) = hub
        .get(
            &format!("/api/v1/users?q={}", "q".repeat(100)),
            viewer.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "100 characters are allowed: {body}");
}
