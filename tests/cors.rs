//! CORS over real HTTP: a listed origin's preflight is answered with its origin,
//! credentials, the API's methods and headers; its requests (REST, GraphQL, the SSE
//! stream) carry the headers a browser needs to read them. An unlisted origin, and
//! every origin when `cors_origins` is empty, gets no CORS header at all. The stream
//! cookie a listed origin's page gets is one a cross-site `EventSource` may send
//! back (SameSite=None; Secure; Partitioned), and logout clears that same cookie.

mod common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

const APP: &str = "http://app.example.test:5173";
const OTHER: &str = "https://evil.example.test";

async fn hub_for_app() -> TestHub {
    TestHub::start_with(|c| c.cors_origins = vec![APP.into()]).await
}

/// The `access-control-*` headers of an answer.
fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}: {headers:?}"))
        .to_str()
        .expect("ASCII")
}

/// The comma-separated items of a header, lower-cased.
fn items(headers: &HeaderMap, name: &str) -> Vec<String> {
    header(headers, name)
        .split(',')
        .map(|item| item.trim().to_ascii_lowercase())
        .collect()
}

async fn preflight(hub: &TestHub, path: &str, origin: &str, method: &str, asked: &str) -> Reply {
    let response = hub
        .client
        .request(Method::OPTIONS, hub.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", asked)
        .send()
        .await
        .expect("OPTIONS");
    read_reply(response).await
}

/// `GET /users/me` of `user` from a page of `origin`, which must answer 200.
async fn get_me(hub: &TestHub, origin: &str, user: &TestUser) -> reqwest::Response {
    let me = hub
        .client
        .get(hub.url("/api/v1/users/me"))
        .header("Origin", origin)
        .bearer_auth(&user.access)
        .send()
        .await
        .expect("GET");
    assert_eq!(me.status(), StatusCode::OK, "{origin}");
    me
}

#[tokio::test]
async fn a_listed_origin_gets_its_preflights_answered() {
    let hub = hub_for_app().await;
    for (path, method, asked) in [
        ("/api/v1/users/me", "GET", "authorization"),
        (
            "/api/v1/hugs",
            "POST",
            "authorization,content-type,idempotency-key",
        ),
        ("/api/v1/moods/0", "PATCH", "authorization,content-type"),
        ("/api/v1/friends/0", "DELETE", "authorization"),
        (
            "/api/v1/notifications",
            "GET",
            "authorization,if-none-match",
        ),
        ("/api/v1/sse/stream", "GET", "last-event-id"),
        ("/graphql", "POST", "authorization,content-type"),
        ("/graphql/stream", "POST", "authorization,content-type"),
    ] {
        let reply = preflight(&hub, path, APP, method, asked).await;
        let h = &reply.headers;
        assert!(reply.status.is_success(), "{path}: {}", reply.status);
        assert_eq!(header(h, "access-control-allow-origin"), APP, "{path}");
        assert_eq!(
            header(h, "access-control-allow-credentials"),
            "true",
            "{path}"
        );
        assert!(
            items(h, "access-control-allow-methods").contains(&method.to_ascii_lowercase()),
            "{path}: {h:?}"
        );
        let allowed = items(h, "access-control-allow-headers");
        for wanted in asked.split(',') {
            assert!(
                allowed.iter().any(|a| a == wanted),
                "{path}: {wanted} {h:?}"
            );
        }
        assert!(header(h, "access-control-max-age").parse::<u32>().is_ok());
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_listed_origin_may_read_rest_graphql_and_the_stream() {
    let hub = hub_for_app().await;
    let alice = hub.register("corsread").await;
    let me = get_me(&hub, APP, &alice).await;
    let h = me.headers();
    assert_eq!(header(h, "access-control-allow-origin"), APP);
    assert_eq!(header(h, "access-control-allow-credentials"), "true");
    let exposed = items(h, "access-control-expose-headers");
    for wanted in ["etag", "retry-after", "location"] {
        assert!(exposed.iter().any(|e| e == wanted), "{wanted}: {h:?}");
    }
    assert!(items(h, "vary").contains(&"origin".to_owned()), "{h:?}");

    let graphql = hub
        .client
        .post(hub.url("/graphql"))
        .header("Origin", APP)
        .bearer_auth(&alice.access)
        .json(&json!({"query": "{ me { username } }"}))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(
        header(graphql.headers(), "access-control-allow-origin"),
        APP
    );

    // The SSE stream takes the server's lean path; its head carries the headers too.
    let (_, ticket) = hub.post_empty("/api/v1/sse/ticket", alice.token()).await;
    let ticket = str_field(&ticket, "ticket");
    let stream = hub
        .client
        .get(hub.url(&format!("/api/v1/sse/stream?ticket={ticket}")))
        .header("Origin", APP)
        .header("Accept", "text/event-stream")
        .send()
        .await
        .expect("GET the stream");
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(header(stream.headers(), "access-control-allow-origin"), APP);
    assert_eq!(
        header(stream.headers(), "access-control-allow-credentials"),
        "true"
    );
    drop(stream);
    hub.stop().await;
}

#[tokio::test]
async fn an_unlisted_origin_gets_no_cors_header() {
    let listing = hub_for_app().await;
    let empty = TestHub::start().await;
    for hub in [&listing, &empty] {
        let user = hub.register("corsnot").await;
        for origin in [OTHER, "http://app.example.test", "null"] {
            let reply = preflight(hub, "/api/v1/users/me", origin, "GET", "authorization").await;
            assert_eq!(
                cors_headers(&reply.headers),
                Vec::<String>::new(),
                "{origin}"
            );
            // Not answered as a preflight: the route has no OPTIONS.
            assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{origin}");
            let me = get_me(hub, origin, &user).await;
            assert_eq!(cors_headers(me.headers()), Vec::<String>::new(), "{origin}");
        }
        // Nor does a request without an Origin.
        let (status, _) = hub.get("/api/v1/users/me", user.token()).await;
        assert_eq!(status, StatusCode::OK);
    }
    listing.stop().await;
    empty.stop().await;
}

fn set_cookie(reply: &Reply) -> String {
    header(&reply.headers, "set-cookie").to_owned()
}

#[tokio::test]
async fn a_listed_origin_gets_a_stream_cookie_it_may_send_cross_site() {
    let hub = hub_for_app().await;
    let alice = hub.register("corscookie").await;
    let ticket = |origin: Option<&'static str>| {
        let mut request = hub
            .client
            .post(hub.url("/api/v1/sse/ticket"))
            .bearer_auth(&alice.access);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        async move { read_reply(request.send().await.expect("ticket")).await }
    };
    let cross = set_cookie(&ticket(Some(APP)).await);
    let attributes: Vec<String> = cross
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in [
        "httponly",
        "samesite=none",
        "secure",
        "partitioned",
        "path=/api/v1",
    ] {
        assert!(attributes.iter().any(|a| a == wanted), "{wanted}: {cross}");
    }
    for origin in [None, Some(OTHER)] {
        let own = set_cookie(&ticket(origin).await);
        assert!(own.contains("SameSite=Strict"), "{origin:?}: {own}");
        assert!(!own.contains("Partitioned"), "{origin:?}: {own}");
    }
    // Logout from the app's page clears that same (partitioned) cookie.
    let logout = hub
        .client
        .post(hub.url("/api/v1/auth/logout"))
        .header("Origin", APP)
        .bearer_auth(&alice.access)
        .json(&json!({"refreshToken": alice.refresh}))
        .send()
        .await
        .expect("logout");
    let logout = read_reply(logout).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let cleared = set_cookie(&logout);
    assert!(cleared.starts_with("hugmood_stream=;"), "{cleared}");
    for wanted in ["SameSite=None", "Secure", "Partitioned", "Max-Age=0"] {
        assert!(cleared.contains(wanted), "{wanted}: {cleared}");
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_bad_origin_stops_the_start_with_the_key_named() {
    for (origins, wanted) in [
        ("*", "cors_origins: \"*\" is not allowed"),
        (
            "https://app.example.com/",
            "cors_origins: \"https://app.example.com/\" is not an origin",
        ),
        ("app.example.com", "scheme://host[:port]"),
    ] {
        let err = Config::from_layers(None, [("HUGMOOD_CORS_ORIGINS".into(), origins.into())])
            .err()
            .unwrap_or_else(|| panic!("{origins} accepted"));
        let text = format!("{err:#}");
        assert!(text.contains(wanted), "{origins}: {text}");
    }
}
