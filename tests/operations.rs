//! Operations routes over real HTTP: health, readiness and the OpenAPI document.

mod common;

use common::TestHub;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let hub = TestHub::start().await;
    let (status, body) = hub.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"status": "ok"}));
    let (status, body) = hub.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"status": "ready"}));
    hub.stop().await;
}

#[tokio::test]
async fn readiness_is_503_when_the_database_does_not_answer() {
    let hub = TestHub::start().await;
    hub.hub.as_ref().expect("hub running").store().close().await;
    let (status, body) = hub.get("/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    common::assert_error(&body, "not_ready");
    let (status, _) = hub.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "the process still lives");
    hub.stop().await;
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let hub = TestHub::start().await;
    let (status, doc) = hub.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1: {}",
        doc["openapi"]
    );
    let paths = doc["paths"]
        .as_object()
        .unwrap_or_else(|| panic!("no paths in {doc}"));
    let routes: &[(&str, &[&str])] = &[
        ("/api/v1/auth/register", &["post"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/refresh", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
        ("/api/v1/auth/anonymous", &["post"]),
        ("/api/v1/users/me", &["get", "patch", "delete"]),
        ("/api/v1/users/{id}", &["get"]),
        ("/api/v1/users", &["get"]),
        ("/api/v1/users/me/privacy", &["get", "put"]),
        ("/api/v1/friends/requests", &["get", "post"]),
        ("/api/v1/friends/requests/{id}/accept", &["post"]),
        ("/api/v1/friends/requests/{id}/decline", &["post"]),
        ("/api/v1/friends", &["get"]),
        ("/api/v1/friends/{userId}", &["delete"]),
        ("/api/v1/blocks/{userId}", &["post", "delete"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
    ];
    for (path, methods) in routes {
        let item = paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} missing from {:?}", paths.keys()));
        for method in *methods {
            assert!(
                item.get(*method).is_some(),
                "{method} {path} missing: {item}"
            );
        }
    }
    // Every documented path and method is routed.
    for path in paths.keys() {
        let concrete = path
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{userId}", &uuid::Uuid::new_v4().to_string());
        let methods: Vec<&String> = paths[path]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        for method in methods {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let reply = hub.send(method.clone(), &concrete, None, None).await;
            // Without a token nothing is looked up, so a 404 or 405 can only mean no route.
            assert_ne!(
                reply.status,
                StatusCode::NOT_FOUND,
                "documented {method} {path} has no route"
            );
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "documented {method} {path}"
            );
        }
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert!(
        schemes.as_object().is_some_and(|s| !s.is_empty()),
        "bearer scheme documented: {schemes}"
    );
    assert_eq!(
        doc["info"]["title"].as_str().map(str::is_empty),
        Some(false)
    );
}

/// An invented method is answered, and `/metrics` gains no series named after it: every
/// method outside the standard ones is labelled `other`, so a client cannot grow the
/// exporter's memory by making up methods.
#[tokio::test]
async fn invented_methods_do_not_create_metric_series() {
    let hub = TestHub::start().await;
    for name in ["FOO1", "FOO2", "BREW"] {
        let method = Method::from_bytes(name.as_bytes()).expect("a token");
        let reply = hub
            .client
            .request(method, hub.url("/healthz"))
            .send()
            .await
            .expect("an answer to an invented method");
        assert!(
            reply.status().is_client_error(),
            "{name}: {}",
            reply.status()
        );
    }
    let metrics = hub.metrics().await;
    for name in ["FOO1", "FOO2", "BREW"] {
        assert!(
            !metrics.contains(&format!("method=\"{name}\"")),
            "{name} became a label:\n{metrics}"
        );
    }
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("hugmood_http_requests_total") && l.contains("method=\"other\"")),
        "invented methods are counted as other:\n{metrics}"
    );
    hub.stop().await;
}
