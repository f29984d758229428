//! Property tests: nothing a client sends — arbitrary JSON, arbitrary bytes, arbitrary
//! query strings, dates at the calendar's edges, huge integers, path segments,
//! Authorization headers, invented methods or floods of headers — makes the hub answer
//! anything but 2xx or 4xx, or drop the connection. Each property runs against its own
//! hub and user.

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

/// Not `POST /auth/logout`: it ends the fixture's session (whatever the body), after
/// which every other case would stop at 401.
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
            "/api/v1/friends/requests",
            true,
            &["userId"][..],
        ),
        route(
            Method::POST,
            "/api/v1/moods",
            true,
            &["mood", "intensity", "note", "tags", "isPublic"][..],
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

    /// Sends a request and fails the case on a transport error or any status but 2xx
    /// and 4xx.
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
            Ok((status, text)) if !(status.is_success() || status.is_client_error()) => {
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

/// Strings matching `re`, as JSON.
fn text(re: &str) -> BoxedStrategy<Value> {
    proptest::string::string_regex(re)
        .expect("valid regex")
        .prop_map(Value::String)
        .boxed()
}

/// A plausible value for a real field, so validation and the handlers behind it run.
fn plausible(field: &str, peer: &str) -> BoxedStrategy<Value> {
    let s = text;
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
        "showOnline" | "isPublic" => any::<bool>().prop_map(Value::Bool).boxed(),
        "mood" => prop_oneof![s("happy|sad|calm|anxious|angry|excited"), s("[a-z]{0,10}")].boxed(),
        "intensity" => huge_number().boxed(),
        "tags" => prop::collection::vec(s("\\PC{0,20}"), 0..12)
            .prop_map(Value::Array)
            .boxed(),
        _ => s("\\PC{0,60}"),
    }
}

/// A value the engine accepts for a real field, so that some bodies get past
/// validation into the handler's own work (and a 201).
fn valid(field: &str, peer: &str) -> BoxedStrategy<Value> {
    match field {
        "username" => text("[a-z][a-z0-9_]{2,20}"),
        "email" => text("[a-z0-9]{1,10}@[a-z]{1,10}\\.[a-z]{2,3}"),
        "password" => text("[ -~]{8,24}"),
        "displayName" => text("[A-Za-z][A-Za-z ]{0,20}"),
        "userId" => Just(Value::String(peer.to_owned())).boxed(),
        "mood" => text("happy|sad|calm|anxious|angry|excited"),
        "intensity" => (1i64..=10).prop_map(Value::from).boxed(),
        "note" => text("[a-zA-Z ]{0,60}"),
        "tags" => prop::collection::vec(text("[a-z]{1,12}"), 0..5)
            .prop_map(Value::Array)
            .boxed(),
        _ => plausible(field, peer),
    }
}

/// Numbers a field might be given: small ones, the edges of every integer width, and
/// numbers too long for any of them.
fn huge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-3i64..14).prop_map(Value::from),
        prop::sample::select(vec![
            i64::MIN,
            i64::from(i32::MIN),
            -1,
            i64::from(i32::MAX),
            i64::from(u32::MAX),
            i64::MAX,
        ])
        .prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{20,60}".prop_map(|digits| {
            serde_json::from_str::<Value>(&digits).unwrap_or(Value::String(digits))
        }),
    ]
}

/// An object with every one of the route's real fields, each valued as the engine
/// accepts it.
fn valid_body(fields: &'static [&'static str], peer: String) -> impl Strategy<Value = Value> {
    let per_field: Vec<BoxedStrategy<(String, Value)>> = fields
        .iter()
        .map(|field| {
            valid(field, &peer)
                .prop_map(move |v| ((*field).to_owned(), v))
                .boxed()
        })
        .collect();
    per_field.prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
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
        let body = prop_oneof![
            2 => json_value(),
            4 => shaped_body(routes_fields(i), peer.clone()),
            1 => valid_body(routes_fields(i), peer.clone()),
        ];
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
        &[200, 201, 400, 401],
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

/// A date or time a query bound might carry: the calendar's edges (the first and last
/// four-digit years, chrono's own limits and past them, leap days, leap seconds, the
/// widest offsets), and random years, months and days in and out of range.
fn date_value() -> impl Strategy<Value = String> {
    let edges = prop::sample::select(vec![
        "+262142-12-31",
        "-262143-01-01",
        "+262143-12-31",
        "-262144-01-01",
        "+999999999-01-01",
        "9999-12-31",
        "+10000-01-01",
        "0001-01-01",
        "0000-01-01",
        "-0001-12-31",
        "2024-02-29",
        "2023-02-29",
        "1900-02-29",
        "2000-02-29",
        "2026-12-31T23:59:60Z",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00+01:00",
        "2026-03-01T10:00:00.123456789012345678901234567890Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T10:00:00+99:99",
    ])
    .prop_map(str::to_owned);
    let day = (-300_000i64..300_000, 0u32..15, 0u32..34).prop_map(|(y, m, d)| {
        let sign = if y > 9999 { "+" } else { "" };
        format!("{sign}{y:04}-{m:02}-{d:02}")
    });
    let time = (
        -20i64..10_020,
        1u32..13,
        1u32..32,
        0u32..25,
        0u32..61,
        prop::option::of(-25i32..26),
    )
        .prop_map(|(y, mo, d, h, mi, offset)| {
            let zone = offset.map_or("Z".to_owned(), |o| format!("{o:+03}:00"));
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{zone}")
        });
    let digits = "[+-]?[0-9]{1,12}-[0-9]{1,3}-[0-9]{1,3}";
    prop_oneof![3 => edges, 2 => day, 2 => time, 1 => digits]
}

#[test]
fn date_bounds_at_the_calendars_edges_never_cause_server_errors() {
    let fx = Fixture::new();
    let routes: [(&str, &[&str]); 2] = [
        ("/api/v1/moods", &["start_date", "end_date"]),
        ("/api/v1/notifications", &["since"]),
    ];
    let query = (0..routes.len()).prop_flat_map(move |i| {
        let keys = routes[i].1;
        let pair = (prop::sample::select(keys), date_value());
        (Just(i), prop::collection::vec(pair, 1..3))
    });
    fx.run(query, |(i, pairs)| {
        let query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let url = format!("{}?{query}", fx.hub.url(routes[i].0));
        fx.check(fx.hub.client.get(&url).bearer_auth(&fx.token), &url)
    });
    fx.stop(
        "date_bounds_at_the_calendars_edges_never_cause_server_errors",
        &[200, 400],
    );
}

#[test]
fn invented_methods_never_cause_server_errors() {
    let fx = Fixture::new();
    let paths = [
        "/healthz",
        "/api/v1/users/me",
        "/api/v1/moods",
        "/api/v1/hugs",
        "/api/v1/events",
        "/api/v1/graphql",
        "/api/v1/nowhere",
    ];
    let method = prop_oneof![
        2 => "[A-Z]{1,12}[0-9]?",
        1 => "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}",
        1 => "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE",
        // Often enough that some case reaches a 200 however the rest fall.
        1 => Just("GET".to_owned()),
    ]
    .prop_filter("CONNECT asks for a tunnel, not a resource", |m| {
        !m.eq_ignore_ascii_case("CONNECT")
    });
    fx.run((0..paths.len(), method), |(i, method)| {
        let method = Method::from_bytes(method.as_bytes()).expect("a method token");
        let request = fx
            .hub
            .client
            .request(method.clone(), fx.hub.url(paths[i]))
            .bearer_auth(&fx.token);
        fx.check(request, &format!("{method} {}", paths[i]))
    });
    fx.stop("invented_methods_never_cause_server_errors", &[200, 405]);
}

#[test]
fn header_floods_never_cause_server_errors() {
    let fx = Fixture::new();
    let paths = ["/healthz", "/api/v1/users/me", "/api/v1/moods"];
    let header = ("x-[a-z0-9-]{1,24}", "[!-~]([ -~]{0,200}[!-~])?");
    let headers = prop_oneof![
        2 => prop::collection::vec(header, 0..40),
        1 => prop::collection::vec(header, 80..300),
    ];
    let big = prop::option::weighted(0.3, 1usize..80_000);
    fx.run((0..paths.len(), headers, big), |(i, headers, big)| {
        let mut request = fx
            .hub
            .client
            .get(fx.hub.url(paths[i]))
            .bearer_auth(&fx.token);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(len) = big {
            request = request.header("x-big", "b".repeat(len));
        }
        fx.check(
            request,
            &format!(
                "GET {} with {} headers, big {big:?}",
                paths[i],
                headers.len()
            ),
        )
    });
    fx.stop("header_floods_never_cause_server_errors", &[200, 431]);
}
