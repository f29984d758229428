//! Framework-level rejections in the spec's error JSON (malformed bodies, content types,
//! body limits, unknown routes and methods, bad query and path values, missing tokens),
//! the health routes and the OpenAPI document.

mod common;

use common::{assert_error, assert_names_field, TestHub};
use reqwest::{Method, StatusCode};
use serde_json::json;

const REGISTER: &str = "/api/v1/auth/register";

#[tokio::test]
async fn malformed_json_is_invalid_json() {
    let hub = TestHub::start().await;
    let user = hub.register("malformed").await;
    let bodies: [&[u8]; 7] = [
        b"{\"username\":",
        b"{} x",
        b"{}{}",
        b"",
        b"{'a': 1}",
        b"\xff\xfe{}",
        b"{\"bio\": \"x\",}",
    ];
    for body in bodies {
        let reply = hub
            .send_raw(
                Method::POST,
                REGISTER,
                None,
                Some("application/json"),
                body.to_vec(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{:?}: {}",
            String::from_utf8_lossy(body),
            reply.text
        );
        assert_error(&reply.body, "invalid_json");
        let reply = hub
            .send_raw(
                Method::PATCH,
                "/api/v1/users/me",
                user.token(),
                Some("application/json"),
                body.to_vec(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        assert_error(&reply.body, "invalid_json");
    }
    // The message never carries a stack trace or internals.
    let reply = hub
        .send_raw(
            Method::POST,
            REGISTER,
            None,
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    assert!(
        !reply.text.contains("src/") && !reply.text.contains("panicked"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_validation_error() {
    let hub = TestHub::start().await;
    for (body, field) in [
        (json!([]), "body"),
        (json!("text"), "body"),
        (json!(12), "body"),
        (json!(null), "body"),
        (json!({"username": ["x"]}), "username"),
        (json!({"password": {"a": 1}}), "password"),
    ] {
        let (status, answer) = hub.post_json(REGISTER, None, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_names_field(&answer, field);
    }
}

/// serde lets a struct be read from a JSON array of its fields in order, so unless the
/// extractor insists on an object, `["name", "mail", "password"]` registers an account.
/// The API's bodies are objects: any other root type is a 400 naming `body`.
#[tokio::test]
async fn an_array_body_is_not_taken_for_an_object() {
    let hub = TestHub::start().await;
    let body = json!(["arr_user", "arr@example.test", "password123", "Arr"]);
    let (status, answer) = hub.post_json(REGISTER, None, body).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an array registered an account: {answer}"
    );
    assert_names_field(&answer, "body");
    let user = hub.register("arr").await;
    let (status, answer) = hub
        .put_json(
            "/api/v1/users/me/privacy",
            user.token(),
            json!(["public", "nobody", false]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an array set privacy: {answer}"
    );
    assert_names_field(&answer, "body");
}

#[tokio::test]
async fn a_body_without_json_content_type_is_415() {
    let hub = TestHub::start().await;
    let user = hub.register("ctype").await;
    let body = br#"{"login": "x", "password": "y"}"#.to_vec();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("json"),
    ] {
        let reply = hub
            .send_raw(
                Method::POST,
                "/api/v1/auth/login",
                None,
                content_type,
                body.clone(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {}",
            reply.text
        );
        assert_error(&reply.body, "unsupported_media_type");
    }
    let reply = hub
        .send_raw(
            Method::PUT,
            "/api/v1/users/me/privacy",
            user.token(),
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "unsupported_media_type");

    // JSON content types with parameters or a +json suffix are fine.
    for content_type in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json",
    ] {
        let reply = hub
            .send_raw(
                Method::PATCH,
                "/api/v1/users/me",
                user.token(),
                Some(content_type),
                br#"{"bio": "hi"}"#.to_vec(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{content_type}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn a_body_over_the_configured_limit_is_413() {
    let hub = TestHub::start_with(|c| c.body_limit_bytes = 2048).await;
    let user = hub.register("limit").await;
    let big = serde_json::to_vec(&json!({"bio": "x".repeat(10 * 1024)})).expect("encode");
    let reply = hub
        .send_raw(
            Method::PATCH,
            "/api/v1/users/me",
            user.token(),
            Some("application/json"),
            big.clone(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "payload_too_large");
    let reply = hub
        .send_raw(
            Method::POST,
            REGISTER,
            None,
            Some("application/json"),
            big.clone(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "payload_too_large");

    // Without a Content-Length (chunked), the limit holds as well.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(1000).map(|c| Ok(c.to_vec())).collect();
    let response = hub
        .client
        .post(hub.url(REGISTER))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("chunked request");
    let reply = common::read_reply(response).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "payload_too_large");

    // Just under the limit is read and handled normally.
    let (status, body) = hub
        .patch_json(
            "/api/v1/users/me",
            user.token(),
            json!({"bio": "y".repeat(450)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = hub.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "the hub still serves");
}

#[tokio::test]
async fn a_body_over_the_default_limit_is_413() {
    let hub = TestHub::start().await;
    assert_eq!(hub.config.body_limit_bytes, 1024 * 1024);
    let big = serde_json::to_vec(&json!({"login": "x".repeat(1536 * 1024), "password": "y"}))
        .expect("encode");
    let reply = hub
        .send_raw(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some("application/json"),
            big,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "payload_too_large");
}

#[tokio::test]
async fn unknown_routes_are_404_json() {
    let hub = TestHub::start().await;
    let user = hub.register("lost").await;
    for path in [
        "/nope",
        "/api/v1/nope",
        "/api/v2/users/me",
        "/api/v1/users/me/extra/deep",
        "/api/v1/friends/requests/x/y/z",
    ] {
        for token in [None, user.token()] {
            let (status, body) = hub.get(path, token).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert_error(&body, "not_found");
        }
    }
    let (status, body) = hub.post_json("/api/v1/nothing-here", None, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
}

#[tokio::test]
async fn wrong_methods_are_405_json() {
    let hub = TestHub::start().await;
    let user = hub.register("method").await;
    for (method, path) in [
        (Method::GET, "/api/v1/auth/register"),
        (Method::PUT, "/api/v1/auth/login"),
        (Method::DELETE, "/api/v1/auth/refresh"),
        (Method::POST, "/api/v1/users/me"),
        (Method::PUT, "/api/v1/users/me"),
        (Method::PATCH, "/api/v1/users/me/privacy"),
        (Method::PUT, "/api/v1/friends"),
        (
            Method::PATCH,
            "/api/v1/blocks/6f1c5f6e-8a43-4a59-9a2a-0d8c7b8f2a11",
        ),
        (
            Method::GET,
            "/api/v1/friends/requests/6f1c5f6e-8a43-4a59-9a2a-0d8c7b8f2a11/accept",
        ),
        (Method::POST, "/healthz"),
        (Method::DELETE, "/readyz"),
    ] {
        let reply = hub.send(method.clone(), path, user.token(), None).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            reply.text
        );
        assert_error(&reply.body, "method_not_allowed");
    }
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_them() {
    let hub = TestHub::start().await;
    let user = hub.register("query").await;
    for (path, field) in [
        ("/api/v1/users?q=a&page=0", "page"),
        ("/api/v1/users?q=a&per_page=abc", "per_page"),
        ("/api/v1/users?page=1", "q"),
        ("/api/v1/friends?page=-1", "page"),
        ("/api/v1/friends?per_page=0", "per_page"),
        ("/api/v1/friends?page=18446744073709551616", "page"),
        ("/api/v1/friends/requests?direction=up", "direction"),
        ("/api/v1/friends/requests?per_page=-2", "per_page"),
    ] {
        let (status, body) = hub.get(path, user.token()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_names_field(&body, field);
    }
    // Unknown parameters are ignored.
    let (status, body) = hub.get("/api/v1/friends?colour=blue", user.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn non_uuid_path_ids_are_400() {
    let hub = TestHub::start().await;
    let user = hub.register("paths").await;
    for (method, path) in [
        (Method::GET, "/api/v1/users/not-a-uuid"),
        (Method::GET, "/api/v1/users/12345"),
        (Method::DELETE, "/api/v1/friends/xyz"),
        (Method::POST, "/api/v1/blocks/xyz"),
        (Method::DELETE, "/api/v1/blocks/%F0%9F%98%80"),
        (Method::POST, "/api/v1/friends/requests/xyz/accept"),
        (
            Method::POST,
            "/api/v1/friends/requests/6f1c5f6e-8a43-4a59-9a2a/decline",
        ),
    ] {
        let reply = hub.send(method.clone(), path, user.token(), None).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            reply.text
        );
        assert_error(&reply.body, "validation_failed");
    }
}

#[tokio::test]
async fn every_protected_route_needs_a_token() {
    let hub = TestHub::start().await;
    let id = uuid::Uuid::new_v4();
    let routes = [
        (Method::GET, "/api/v1/users/me".to_owned()),
        (Method::PATCH, "/api/v1/users/me".to_owned()),
        (Method::DELETE, "/api/v1/users/me".to_owned()),
        (Method::GET, format!("/api/v1/users/{id}")),
        (Method::GET, "/api/v1/users?q=a".to_owned()),
        (Method::GET, "/api/v1/users/me/privacy".to_owned()),
        (Method::PUT, "/api/v1/users/me/privacy".to_owned()),
        (Method::POST, "/api/v1/auth/logout".to_owned()),
        (Method::GET, "/api/v1/friends".to_owned()),
        (Method::DELETE, format!("/api/v1/friends/{id}")),
        (Method::GET, "/api/v1/friends/requests".to_owned()),
        (Method::POST, "/api/v1/friends/requests".to_owned()),
        (
            Method::POST,
            format!("/api/v1/friends/requests/{id}/accept"),
        ),
        (
            Method::POST,
            format!("/api/v1/friends/requests/{id}/decline"),
        ),
        (Method::POST, format!("/api/v1/blocks/{id}")),
        (Method::DELETE, format!("/api/v1/blocks/{id}")),
    ];
    for (method, path) in routes {
        let body = matches!(method, Method::POST | Method::PATCH | Method::PUT).then(|| json!({}));
        let reply = hub.send(method.clone(), &path, None, body.as_ref()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {}",
            reply.text
        );
        assert_error(&reply.body, "unauthorized");
        assert_eq!(
            reply
                .headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
        let reply = hub
            .send(method.clone(), &path, Some("garbage"), body.as_ref())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {}",
            reply.text
        );
        assert_error(&reply.body, "invalid_token");
    }
}
