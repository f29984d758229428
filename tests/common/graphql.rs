//! Running GraphQL operations at `/graphql` against a test hub.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::TestHub;

/// Runs `query` and returns the whole GraphQL response (which is always HTTP 200).
pub async fn gql(hub: &TestHub, token: Option<&str>, query: &str, variables: Value) -> Value {
    let (status, body) = hub
        .post_json(
            "/graphql",
            token,
            json!({"query": query, "variables": variables}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

/// Runs `query`, which must succeed, and returns its `data`.
pub async fn ok(hub: &TestHub, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = gql(hub, token, query, variables).await;
    assert!(
        body.get("errors").is_none(),
        "{query}: unexpected errors in {body}"
    );
    body["data"].clone()
}

/// Runs `query`, which must fail with exactly one error coded `code`; returns the body.
pub async fn fails(
    hub: &TestHub,
    token: Option<&str>,
    query: &str,
    variables: Value,
    code: &str,
) -> Value {
    let body = gql(hub, token, query, variables).await;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{query}: no errors in {body}"));
    assert_eq!(errors.len(), 1, "{query}: {body}");
    assert_eq!(
        errors[0]["extensions"]["code"],
        json!(code),
        "{query}: {body}"
    );
    assert!(
        errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// The `details` of the first error, with the names of the fields it lists.
pub fn detail_fields(body: &Value) -> Vec<String> {
    let details = body["errors"][0]["extensions"]["details"]
        .as_object()
        .unwrap_or_else(|| panic!("no details in {body}"));
    details.keys().cloned().collect()
}
