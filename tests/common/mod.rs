//! Shared harness for the black-box tests: a real hub on an ephemeral port with its own
//! SQLite file, a JSON client, and helpers to create users and check error bodies.
#![allow(dead_code, unused_imports)]

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tempfile::TempDir;

mod cluster;
mod graphql;
mod process;
mod served;
mod social;
mod sse;
mod tokens;

pub use cluster::*;
pub use graphql::*;
pub use hugmood::Config;
pub use process::*;
pub use served::*;
pub use social::*;
pub use sse::*;
pub use tokens::*;

/// Password every helper-registered user gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// A running hub with its own database; dropped with the test.
pub struct TestHub {
    pub hub: Option<hugmood::Hub>,
    pub base: String,
    pub client: Client,
    pub config: Config,
    pub dir: TempDir,
}

/// A registered user and the tokens of their session.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

impl TestUser {
    pub fn token(&self) -> Option<&str> {
        Some(&self.access)
    }
}

/// A full response: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name unique within this process and (very likely) across processes:
/// `<prefix>_<counter>_<random>`, cut to stay within 30 characters.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let salt = (nanos ^ std::process::id().rotate_left(16)) % 1_000_000;
    let mut prefix: String = prefix
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    prefix.truncate(14);
    if prefix.is_empty() {
        prefix.push('u');
    }
    let name = format!("{prefix}_{n}_{salt:06}");
    name.chars().take(30).collect()
}

/// Rate limits wide enough for tests that sign many users up from one address; the
/// tests of the limits themselves set theirs.
pub const ROOMY_LIMITS: [(&str, u32); 4] = [
    ("LOGIN_RATE_PER_MINUTE", 100_000),
    ("REGISTER_RATE_PER_HOUR", 1_000_000),
    ("MOOD_RATE_PER_MINUTE", 100_000),
    ("FRIEND_REQUEST_RATE_PER_HOUR", 1_000_000),
];

fn roomy_limits(config: &mut Config) {
    let [login, register, mood, friend] = ROOMY_LIMITS.map(|(_, n)| n);
    config.login_rate_per_minute = login;
    config.register_rate_per_hour = register;
    config.mood_rate_per_minute = mood;
    config.friend_request_rate_per_hour = friend;
}

impl TestHub {
    /// A hub with the default configuration (but roomy rate limits) on a fresh
    /// database.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A hub whose configuration `tweak` may change before it starts.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.database_url = format!("sqlite://{}/hub.db", dir.path().display());
        config.bind = "127.0.0.1:0".into();
        roomy_limits(&mut config);
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port");
        let hub = hugmood::run(config.clone(), listener)
            .await
            .expect("hub starts");
        let base = format!("http://{}", hub.local_addr());
        let client = Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("http client");
        Self {
            hub: Some(hub),
            base,
            client,
            config,
            dir,
        }
    }

    /// A handle on a hub running elsewhere (another process) at `base`, whose
    /// configuration is `config`.
    pub fn remote(base: String, config: Config) -> Self {
        Self {
            hub: None,
            base,
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("http client"),
            config,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Stops the hub gracefully.
    pub async fn stop(mut self) {
        if let Some(hub) = self.hub.take() {
            hub.shutdown().await.expect("clean shutdown");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with an optional bearer token and optional JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        read_reply(response).await
    }

    /// Sends raw bytes with the given content type (none if `None`).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path)).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        read_reply(response).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(Method::POST, path, token, Some(&body))
            .await
            .pair()
    }

    /// POST without any body (e.g. `/auth/anonymous`, accept/decline, blocks).
    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::POST, path, token, None).await.pair()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await.pair()
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, token, Some(&body))
            .await
            .pair()
    }

    pub async fn put_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(Method::PUT, path, token, Some(&body))
            .await
            .pair()
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, token, None).await.pair()
    }

    /// Registers a new user whose username starts with `prefix` (made unique).
    pub async fn register(&self, prefix: &str) -> TestUser {
        let username = unique_name(prefix);
        let email = format!("{}@example.test", username.to_lowercase());
        let (status, body) = self
            .post_json(
                "/api/v1/auth/register",
                None,
                json!({"username": username, "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "register {username}: {body}");
        TestUser {
            id: str_field(&body["user"], "id"),
            username,
            email,
            password: PASSWORD.to_owned(),
            access: str_field(&body, "accessToken"),
            refresh: str_field(&body, "refreshToken"),
        }
    }

    /// Registers `n` users.
    pub async fn register_many(&self, prefix: &str, n: usize) -> Vec<TestUser> {
        let mut users = Vec::with_capacity(n);
        for _ in 0..n {
            users.push(self.register(prefix).await);
        }
        users
    }

    /// Makes `a` and `b` friends through a request from `a` accepted by `b`.
    pub async fn befriend(&self, a: &TestUser, b: &TestUser) {
        let (status, request) = self
            .post_json(
                "/api/v1/friends/requests",
                a.token(),
                json!({"userId": b.id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "friend request: {request}");
        let id = str_field(&request, "id");
        let (status, body) = self
            .post_empty(&format!("/api/v1/friends/requests/{id}/accept"), b.token())
            .await;
        assert_eq!(status, StatusCode::OK, "accept: {body}");
    }

    /// A new session of `user` (a login from another device).
    pub async fn login_again(&self, user: &TestUser) -> TestUser {
        let (status, body) = self
            .post_json(
                "/api/v1/auth/login",
                None,
                json!({"login": user.username, "password": user.password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {}: {body}", user.username);
        TestUser {
            access: str_field(&body, "accessToken"),
            refresh: str_field(&body, "refreshToken"),
            ..user.clone()
        }
    }

    /// POST /auth/refresh with `token`.
    pub async fn refresh(&self, token: &Value) -> (StatusCode, Value) {
        self.post_json("/api/v1/auth/refresh", None, json!({"refreshToken": token}))
            .await
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// The value of one series of `/metrics` (`name{labels}` exactly as exported).
    pub async fn metric(&self, series: &str) -> Option<f64> {
        let prefix = format!("{series} ");
        self.metrics()
            .await
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .and_then(|n| n.trim().parse().ok())
    }

    /// The OpenAPI document the hub serves.
    pub async fn openapi_document(&self) -> Value {
        let (status, doc) = self.get("/api/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        doc
    }

    /// Ids of `user`'s friends (first page of 100).
    pub async fn friend_ids(&self, user: &TestUser) -> Vec<String> {
        let (status, body) = self.get("/api/v1/friends?per_page=100", user.token()).await;
        assert_eq!(status, StatusCode::OK, "friends: {body}");
        ids(&body["items"])
    }
}

impl Reply {
    pub fn pair(self) -> (StatusCode, Value) {
        (self.status, self.body)
    }
}

/// Reads status, headers and body; an empty body is `Null`, a non-JSON body is kept
/// as a string so the assertion message shows it.
pub async fn read_reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("read the response body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
    };
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// Asserts `reply` is a 429 `rate_limited` whose `Retry-After` is 1 to `within_secs`.
pub fn assert_rate_limited(reply: &Reply, within_secs: u64) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "rate_limited");
    let wait: u64 = reply
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", reply.headers))
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("seconds");
    assert!((1..=within_secs).contains(&wait), "Retry-After {wait}");
}

/// The string field `key` of `value`; panics with the value when missing.
pub fn str_field(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {value}"))
        .to_owned()
}

/// Whether `a` is a number within 1e-9 of `b`.
pub fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

/// The `id` of every element of a JSON array.
pub fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|item| str_field(item, "id"))
        .collect()
}

/// Checks the spec's error shape `{"error": {"code", "message", "details"?}}` with `code`.
pub fn assert_error(value: &Value, code: &str) {
    let error = value
        .get("error")
        .unwrap_or_else(|| panic!("no \"error\" object in {value}"));
    assert!(error.is_object(), "error is not an object: {value}");
    assert_eq!(
        error["code"].as_str(),
        Some(code),
        "wrong error code in {value}"
    );
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {value}"));
    assert!(!message.is_empty(), "empty message in {value}");
    if let Some(details) = error.get("details") {
        assert!(details.is_object(), "details is not an object: {value}");
    }
    let keys: Vec<&String> = error
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    for key in keys {
        assert!(
            ["code", "message", "details"].contains(&key.as_str()),
            "unexpected key {key} in {value}"
        );
    }
    assert_eq!(
        value.as_object().map(|o| o.len()),
        Some(1),
        "extra top-level keys in {value}"
    );
}

/// Checks a 400 `validation_failed` whose details name exactly `fields`.
pub fn assert_invalid_fields(value: &Value, fields: &[&str]) {
    assert_error(value, "validation_failed");
    let details = value["error"]["details"]
        .as_object()
        .unwrap_or_else(|| panic!("no details in {value}"));
    let mut got: Vec<&str> = details.keys().map(String::as_str).collect();
    got.sort_unstable();
    let mut want = fields.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "fields named in {value}");
    for (field, message) in details {
        assert!(
            message.as_str().is_some_and(|m| !m.is_empty()),
            "no message for {field} in {value}"
        );
    }
}

/// Checks a 400 `validation_failed` whose details name at least `field`.
pub fn assert_names_field(value: &Value, field: &str) {
    assert_error(value, "validation_failed");
    assert!(
        value["error"]["details"].get(field).is_some(),
        "details do not name {field:?}: {value}"
    );
}
