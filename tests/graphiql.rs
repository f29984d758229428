//! GraphiQL at `GET /graphql` comes from the hub alone: the page refers only to files
//! of its own (relative URLs, no other origin), each of them is served with its type,
//! the page's Content-Security-Policy and an `ETag`, every file of the pinned copy is
//! among them, and the start-up script sends subscriptions to `/graphql/stream`.

mod common;

use common::*;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn graphiql_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src/graphql/graphiql")
}

/// The `src="…"` and `href="…"` values of `html`.
fn references(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|marker| {
            html.match_indices(marker).filter_map(move |(at, _)| {
                let rest = &html[at + marker.len()..];
                rest.find('"').map(|end| rest[..end].to_owned())
            })
        })
        .collect()
}

/// The files the page may load: everything in the folder but the page itself, its
/// README, the record of where the copy came from and the licences.
fn served_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for sub in ["", "vendor/"] {
        for entry in std::fs::read_dir(graphiql_dir().join(sub)).expect("read the folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            if path.is_file() && !["index.html", "README.md", "SOURCES"].contains(&name.as_str()) {
                files.insert(format!("{sub}{name}"));
            }
        }
    }
    files
}

async fn get_page(hub: &TestHub) -> reqwest::Response {
    hub.client
        .get(hub.url("/graphql"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("GET /graphql")
}

/// The status of a GET of `url` asking with the `ETag` of `headers`.
async fn revalidate(hub: &TestHub, url: &str, headers: &HeaderMap) -> StatusCode {
    hub.client
        .get(hub.url(url))
        .header(IF_NONE_MATCH, headers[ETAG].clone())
        .send()
        .await
        .expect("GET")
        .status()
}

#[tokio::test]
async fn the_page_loads_only_files_the_hub_serves() {
    let hub = TestHub::start().await;
    let page = get_page(&hub).await;
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = headers["content-security-policy"].to_str().expect("ASCII");
    assert_eq!(
        policy,
        hugmood_api::graphql::GRAPHIQL_CONTENT_SECURITY_POLICY
    );
    assert!(policy.starts_with("default-src 'self';"), "{policy}");
    assert!(
        !policy.contains("http") && !policy.contains('*'),
        "{policy}"
    );
    let html = page.text().await.expect("body");
    assert!(
        !html.contains("://"),
        "the page names another origin:\n{html}"
    );

    let mut references = references(&html);
    // The icon is the web app's.
    let icon = references.iter().position(|r| r == "assets/icon.svg");
    references.remove(icon.expect("the page has the app's icon"));
    let (status, _) = hub.get("/assets/icon.svg", None).await;
    assert_eq!(status, StatusCode::OK);
    let mut loaded = BTreeSet::new();
    for reference in &references {
        let file = reference
            .strip_prefix("graphiql/")
            .unwrap_or_else(|| panic!("{reference}: not a relative URL of the page's files"));
        loaded.insert(file.to_owned());
        let url = format!("/graphiql/{file}");
        let response = hub.client.get(hub.url(&url)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let headers = response.headers().clone();
        let wanted_type = if file.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(headers[CONTENT_TYPE], wanted_type, "{url}");
        assert_eq!(headers["content-security-policy"], policy, "{url}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{url}");
        let body = response.bytes().await.expect("body");
        let on_disk = std::fs::read(graphiql_dir().join(file)).expect("read the file");
        assert!(body == on_disk, "{url}: another version is served");
        assert_eq!(
            revalidate(&hub, &url, &headers).await,
            StatusCode::NOT_MODIFIED,
            "{url}"
        );
    }
    // Every file of the folder is loaded by the page, and nothing else.
    assert_eq!(
        loaded,
        served_files(),
        "the page's files and the folder's differ"
    );
    assert!(loaded.contains("vendor/graphiql.min.js"), "{loaded:?}");

    // The page itself revalidates too.
    assert_eq!(
        revalidate(&hub, "/graphql", &headers).await,
        StatusCode::NOT_MODIFIED
    );
    hub.stop().await;
}

#[tokio::test]
async fn the_start_up_script_sends_subscriptions_to_the_sse_endpoint() {
    let hub = TestHub::start().await;
    let response = hub
        .client
        .get(hub.url("/graphiql/hugmood-graphiql.js"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let script = response.text().await.expect("body");
    assert!(script.contains("new URL('graphql/stream'"), "{script}");
    assert!(script.contains("singleConnection: false"), "{script}");
    assert!(
        !script.contains("://") && !script.contains("ws:"),
        "{script}"
    );
    hub.stop().await;
}

#[tokio::test]
async fn an_unknown_file_is_a_404_in_the_error_json() {
    let hub = TestHub::start().await;
    for path in [
        "/graphiql/nope.js",
        "/graphiql/index.html",
        "/graphiql/README.md",
        "/graphiql/vendor/SOURCES",
        "/graphiql/vendor/licenses/react.LICENSE",
        "/graphiql/../Cargo.toml",
        "/graphiql/vendor%2Fgraphiql.min.js",
    ] {
        let (status, body) = hub.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error(&body, "not_found");
    }
    hub.stop().await;
}
