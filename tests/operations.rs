//! Operations routes over real HTTP: health, readiness and the OpenAPI document (and
//! the properties of it that `scripts/schemathesis.sh` holds the hub to).

mod common;

use common::TestHub;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

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
    let doc = hub.openapi_document().await;
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

/// Every operation of a served OpenAPI document: `(method, path, operation)`.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let paths = doc["paths"]
        .as_object()
        .unwrap_or_else(|| panic!("no paths in {doc}"));
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in ["get", "put", "post", "delete", "patch"] {
            if let Some(operation) = item.get(method) {
                found.push((method.to_owned(), path.clone(), operation));
            }
        }
    }
    found
}

async fn served_document() -> Value {
    let hub = TestHub::start().await;
    let doc = hub.openapi_document().await;
    hub.stop().await;
    doc
}

/// The answers any route can give because of its shape are documented on every
/// operation of that shape, so a client generated from the document handles them:
/// 401 where a bearer token is taken, 400 where there is input, 413 and 415 where a
/// JSON body is read, 503 everywhere; 429 (with `Retry-After`) where a rate limit
/// applies. Operation ids are unique, and pages start at 1.
#[tokio::test]
async fn openapi_document_lists_the_error_answers_of_every_operation() {
    let doc = served_document().await;
    let operations = operations(&doc);
    assert!(operations.len() > 40, "{} operations", operations.len());
    let mut ids = HashSet::new();
    for (method, path, operation) in &operations {
        let label = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_owned()),
            "{label}: operationId {id:?} twice"
        );
        let responses = &operation["responses"];
        let documents = |status: &str| responses.get(status).is_some();
        let bearer = operation["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        if bearer {
            assert!(
                documents("401"),
                "{label} takes a bearer token: {responses}"
            );
        }
        let params = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let body = operation.get("requestBody");
        if !params.is_empty() || body.is_some() {
            assert!(documents("400"), "{label} has input: {responses}");
        }
        if body.is_some_and(|b| b["content"].get("application/json").is_some()) {
            assert!(documents("413") && documents("415"), "{label}: {responses}");
        }
        assert!(documents("503"), "{label}: {responses}");
        for param in &params {
            let schema = &param["schema"];
            match param["name"].as_str() {
                Some("page") => assert_eq!(
                    (schema["minimum"].as_u64(), schema["maximum"].as_u64()),
                    (Some(1), Some(u64::from(u32::MAX))),
                    "{label}: {param}"
                ),
                Some("per_page") => {
                    assert_eq!(schema["minimum"].as_u64(), Some(1), "{label}: {param}")
                }
                _ => {}
            }
        }
    }
    let paginated = operations
        .iter()
        .filter(|(_, _, op)| op["parameters"].to_string().contains("\"per_page\""))
        .count();
    assert!(paginated >= 9, "{paginated} paginated operations");

    let rate_limited = [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/anonymous"),
        ("post", "/api/v1/moods"),
        ("post", "/api/v1/friends/requests"),
        ("post", "/api/v1/hugs"),
        ("post", "/api/v1/hugs/{id}/reciprocate"),
    ];
    for (method, path) in rate_limited {
        let answer = &doc["paths"][path][method]["responses"]["429"];
        assert_eq!(
            answer["$ref"], "#/components/responses/RateLimited",
            "{method} {path}: {answer}"
        );
    }
    for name in ["RateLimited", "Unavailable"] {
        let response = &doc["components"]["responses"][name];
        assert!(
            response["headers"].get("Retry-After").is_some(),
            "{name}: {response}"
        );
        assert_eq!(
            response["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
    }
}

/// The rules of the bodies the run depends on: what is required, what is an enum,
/// what may be left out. A create needs `mood` and `intensity`, a PATCH nothing; a
/// hug back may be sent without a body (but not with a JSON `null`); the stream and
/// events routes take a ticket or the stream cookie instead of a bearer token.
#[tokio::test]
async fn openapi_document_states_what_bodies_require() {
    let doc = served_document().await;
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        serde_json::from_value(schemas[name]["required"].clone()).unwrap_or_default()
    };
    assert_eq!(required("MoodEntryBody"), ["mood", "intensity"]);
    assert!(required("MoodBody").is_empty(), "{}", schemas["MoodBody"]);
    assert_eq!(required("HugBody"), ["recipientId", "hugType"]);
    assert_eq!(required("RegisterBody"), ["username", "email", "password"]);
    assert_eq!(required("LoginBody"), ["login", "password"]);
    assert_eq!(
        schemas["HugBody"]["properties"]["hugType"]["enum"],
        json!(["warm", "bear", "side", "group", "healing", "celebration"])
    );
    assert_eq!(
        schemas["MoodEntryBody"]["properties"]["intensity"],
        json!({"type": "integer", "minimum": 1, "maximum": 10, "description": "1–10"})
    );
    let moods = &doc["paths"]["/api/v1/moods"];
    assert_eq!(
        moods["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/MoodEntryBody"
    );
    let back = &doc["paths"]["/api/v1/hugs/{id}/reciprocate"]["post"]["requestBody"];
    assert_ne!(back["required"], json!(true), "{back}");
    assert_eq!(
        back["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ReciprocateBody"})
    );
    for path in ["/api/v1/events", "/api/v1/sse/stream"] {
        assert_eq!(
            doc["paths"][path]["get"]["security"],
            json!([{"bearer": []}, {"ticket": []}, {"stream_cookie": []}]),
            "{path}"
        );
    }
}
