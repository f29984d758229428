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
