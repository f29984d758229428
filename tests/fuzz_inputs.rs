//! Property tests: nothing a client sends — arbitrary JSON, arbitrary bytes, arbitrary
//! query strings, path segments or Authorization headers — makes the hub answer 5xx or
//! drop the connection. Each property runs against its own hub and user.

mod common;

use common::TestHub;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::runtime::Runtime;

const CASES: u32 = 200;

/// A body route: method, path, whether it needs the token, and its real field names.
struct BodyRoute {
    method: Method,
    path: &'static str,
    auth: bool,
    fields: &'static [&'static str],
}

fn body_routes() -> Vec<BodyRoute> {
    let route = |method, path, auth, fields| BodyRoute {
        method,
        path,
        auth,
        fields,
    };
    vec![
        route(
            Method::POST,
            "/api/v1/auth/register",
            false,
            &["username", "email", "password", "displayName"][..],
        ),
        route(
            Method::POST,
            "/api/v1/auth/login",
            false,
            &["login", "password"][..],
        ),
        route(
            Method::POST,
            "/api/v1/auth/refresh",
            false,
            &["refreshToken"][..],
        ),
        route(
            Method::POST,
            "/api/v1/auth/logout",
            true,
            &["refreshToken"][..],
        ),
        route(
            Method::POST,
            "/api/v1/friends/requests",
            true,
            &["userId"][..],
        ),
        route(
            Method::PATCH,
            "/api/v1/users/me",
            true,
            &["displayName", "bio", "profileImage", "status"][..],
        ),
        route(
            Method::PUT,
            "/api/v1/users/me/privacy",
            true,
            &["moodVisibility", "allowHugsFrom", "showOnline"][..],
        ),
    ]
}

/// One hub with a registered user and a peer (a real target for friend requests), and
/// the runtime that drives them.
struct Fixture {
    rt: Runtime,
    hub: TestHub,
    token: String,
    peer_id: String,
    /// How often each status was answered, to show the inputs reach past the first check.
    seen: Mutex<BTreeMap<u16, u32>>,
}

impl Fixture {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (hub, token, peer_id) = rt.block_on(async {
            let hub = TestHub::start().await;
            let user = hub.register("fuzz").await;
            let peer = hub.register("peer").await;
            (hub, user.access, peer.id)
        });
        Self {
            rt,
            hub,
            token,
            peer_id,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sends a request and fails the case on a 5xx or a transport error.
    fn check(&self, request: reqwest::RequestBuilder, what: &str) -> Result<(), TestCaseError> {
        let outcome = self.rt.block_on(async {
            let response = request
                .send()
                .await
                .map_err(|e| format!("connection failed: {e:?}"))?;
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| format!("body not read: {e:?}"))?;
            Ok::<_, String>((status, text))
        });
        if let Ok((status, _)) = &outcome {
            *self
                .seen
                .lock()
                .expect("status tally")
                .entry(status.as_u16())
                .or_default() += 1;
        }
        match outcome {
            Err(e) => Err(TestCaseError::fail(format!("{what}: {e}"))),
            Ok((status, text)) if status.is_server_error() => {
                Err(TestCaseError::fail(format!("{what}: {status} {text}")))
            }
            Ok(_) => Ok(()),
        }
    }

    fn run<S: Strategy>(&self, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        let config = ProptestConfig {
            cases: CASES,
            failure_persistence: None,
            max_shrink_iters: 256,
            ..ProptestConfig::default()
        };
        let mut runner = TestRunner::new(config);
        if let Err(err) = runner.run(&strategy, test) {
            panic!("{err}");
        }
    }

    /// Stops the hub, checking that every status in `expected` was answered at least once.
    fn stop(self, name: &str, expected: &[u16]) {
        let Self { rt, hub, seen, .. } = self;
        let seen = seen.into_inner().expect("status tally");
        eprintln!("{name}: statuses {seen:?}");
        for status in expected {
            assert!(
                seen.contains_key(status),
                "{name}: no input reached a {status}; saw {seen:?}"
            );
        }
        rt.block_on(hub.stop());
    }
}

/// Arbitrary JSON: scalars of every kind, nested arrays and objects.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,12}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A plausible value for a real field, so validation and the handlers behind it run.
fn plausible(field: &str, peer: &str) -> BoxedStrategy<Value> {
    let s = |re: &str| {
        proptest::string::string_regex(re)
            .expect("valid regex")
            .prop_map(Value::String)
            .boxed()
    };
    match field {
        "username" => s("[A-Za-z0-9_]{1,32}"),
        "email" => s("[a-z0-9.]{0,10}@[a-z.]{0,10}\\.[a-z]{2,3}"),
        "password" => s("[ -~]{6,24}"),
        "login" => prop_oneof![s("[A-Za-z0-9_]{1,20}"), s("[a-z]{1,8}@[a-z]{1,8}\\.com")].boxed(),
        "refreshToken" => s("[A-Za-z0-9_-]{40,44}"),
        "userId" => prop_oneof![
            any::<u128>().prop_map(|n| Value::String(uuid::Uuid::from_u128(n).to_string())),
            Just(Value::String(peer.to_owned())),
            s("[0-9a-f-]{30,40}"),
        ]
        .boxed(),
        "profileImage" => s("(https?|ftp|javascript)://[a-z0-9./ ]{0,40}"),
        "moodVisibility" => prop_oneof![s("public|friends|private"), s("[a-zA-Z]{0,10}")].boxed(),
        "allowHugsFrom" => prop_oneof![s("everyone|friends|nobody"), s("[a-zA-Z]{0,10}")].boxed(),
        "showOnline" => any::<bool>().prop_map(Value::Bool).boxed(),
        _ => s("\\PC{0,60}"),
    }
}

/// An object with some of the route's real fields, each valued plausibly, as a random
/// string or as arbitrary JSON, plus maybe a stray key.
fn shaped_body(fields: &'static [&'static str], peer: String) -> impl Strategy<Value = Value> {
    let per_field: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|field| {
            let value = prop_oneof![
                3 => plausible(field, &peer),
                2 => ".{0,80}".prop_map(Value::String),
                2 => json_value(),
            ];
            prop::option::weighted(0.8, value.prop_map(move |v| ((*field).to_owned(), v))).boxed()
        })
        .collect();
    let stray = prop::option::of(("[a-zA-Z]{1,12}", json_value()));
    (per_field, stray).prop_map(|(pairs, stray)| {
        let mut object: Map<String, Value> = pairs.into_iter().flatten().collect();
        if let Some((key, value)) = stray {
            object.entry(key).or_insert(value);
        }
        Value::Object(object)
    })
}

#[test]
fn json_bodies_never_cause_server_errors() {
    let fx = Fixture::new();
    let routes = body_routes();
    let peer = fx.peer_id.clone();
    let strategy = (0..routes.len()).prop_flat_map(move |i| {
        let body = prop_oneof![1 => json_value(), 2 => shaped_body(routes_fields(i), peer.clone())];
        (Just(i), body)
    });
    fx.run(strategy, |(i, body)| {
        let route = &routes[i];
        let mut request = fx
            .hub
            .client
            .request(route.method.clone(), fx.hub.url(route.path))
            .json(&body);
        if route.auth {
            request = request.bearer_auth(&fx.token);
        }
        fx.check(request, &format!("{} {} {body}", route.method, route.path))
    });
    fx.stop(
        "json_bodies_never_cause_server_errors",
        &[200, 204, 400, 401],
    );
}

/// The field names of body route `i` (a `'static` view usable inside strategies).
fn routes_fields(i: usize) -> &'static [&'static str] {
    body_routes()[i].fields
}

#[test]
fn raw_bodies_never_cause_server_errors() {
    let fx = Fixture::new();
    let routes = body_routes();
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        "[\\[\\]{}\":,.0-9a-zA-Z\\\\ eE+-]{0,120}".prop_map(String::into_bytes),
        "\\{\"[a-zA-Z]{1,14}\": ?(\"\\PC{0,20}\"|[0-9.eE+-]{1,25}|true|null|\\[|\\{)\\}?"
            .prop_map(String::into_bytes),
    ];
    let content_type = prop_oneof![
        3 => Just(Some("application/json")),
        1 => Just(Some("application/json; charset=latin1")),
        1 => Just(Some("text/plain")),
        1 => Just(Some("application/problem+json")),
        1 => Just(None),
    ];
    fx.run(
        (0..routes.len(), bytes, content_type),
        |(i, body, content_type)| {
            let route = &routes[i];
            let mut request = fx
                .hub
                .client
                .request(route.method.clone(), fx.hub.url(route.path))
                .body(body.clone());
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            if route.auth {
                request = request.bearer_auth(&fx.token);
            }
            fx.check(
                request,
                &format!(
                    "{} {} {:?}",
                    route.method,
                    route.path,
                    String::from_utf8_lossy(&body)
                ),
            )
        },
    );
    fx.stop("raw_bodies_never_cause_server_errors", &[400, 415]);
}

/// Percent-encodes every byte but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<i128>().prop_map(|n| n.to_string()),
        "[0-9]{15,45}",
        "-[0-9]{1,30}",
        "[0-9]{0,3}\\.[0-9]{0,3}(e[0-9]{1,3})?",
        Just(String::new()),
        "incoming|outgoing|INCOMING|sideways",
        "\\PC{0,30}".prop_map(|s| encode(&s)),
        "(%[0-9A-Fa-f]{2}|%[g-zG-Z]{1,2}|%|\\+|[a-z0-9]){0,12}",
        (0..2000usize).prop_map(|n| "q".repeat(n)),
    ]
}

#[test]
fn query_strings_never_cause_server_errors() {
    let fx = Fixture::new();
    let paths = [
        "/api/v1/users",
        "/api/v1/friends",
        "/api/v1/friends/requests",
    ];
    let key = prop_oneof![
        4 => "page|per_page|q|direction".prop_map(String::from),
        1 => "[a-z_\\[\\]%0-9]{0,10}".prop_map(String::from),
    ];
    let pair = (key, query_value(), any::<bool>());
    let query = prop::collection::vec(pair, 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v, with_eq)| {
                if with_eq || !v.is_empty() {
                    format!("{k}={v}")
                } else {
                    k
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    fx.run((0..paths.len(), query), |(i, query)| {
        let url = format!("{}?{query}", fx.hub.url(paths[i]));
        fx.check(fx.hub.client.get(&url).bearer_auth(&fx.token), &url)
    });
    fx.stop("query_strings_never_cause_server_errors", &[200, 400]);
}

#[test]
fn path_segments_and_auth_headers_never_cause_server_errors() {
    let fx = Fixture::new();
    let templates: [(Method, &str); 7] = [
        (Method::GET, "/api/v1/users/{}"),
        (Method::DELETE, "/api/v1/friends/{}"),
        (Method::POST, "/api/v1/blocks/{}"),
        (Method::DELETE, "/api/v1/blocks/{}"),
        (Method::POST, "/api/v1/friends/requests/{}/accept"),
        (Method::POST, "/api/v1/friends/requests/{}/decline"),
        (Method::GET, "/api/v1/{}"),
    ];
    let segment = prop_oneof![
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).simple().to_string().to_uppercase()),
        "\\PC{0,40}".prop_map(|s| encode(&s)),
        "[0-9a-fA-F-]{0,40}",
        "(%[0-9A-Fa-f]{2}|[a-z0-9]){1,20}",
        Just(fx.peer_id.clone()),
    ];
    let auth = prop_oneof![
        3 => Just(Some(format!("Bearer {}", fx.token))),
        1 => Just(None),
        1 => "[ -~]{0,200}".prop_map(Some),
        1 => "Bearer [A-Za-z0-9._-]{0,300}".prop_map(Some),
        1 => "(Bearer|bearer|Basic) [A-Za-z0-9+/=]{0,40}\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,40}".prop_map(Some),
    ];
    fx.run((0..templates.len(), segment, auth), |(i, segment, auth)| {
        let (method, template) = &templates[i];
        // Never aim a DELETE at the fixture's own account.
        if segment.eq_ignore_ascii_case("me") {
            return Ok(());
        }
        let url = fx.hub.url(&template.replace("{}", &segment));
        let mut request = fx.hub.client.request(method.clone(), &url);
        if let Some(auth) = &auth {
            request = request.header("authorization", auth);
        }
        fx.check(request, &format!("{method} {url} auth={auth:?}"))
    });
    fx.stop(
        "path_segments_and_auth_headers_never_cause_server_errors",
        &[400, 401, 404],
    );
}
