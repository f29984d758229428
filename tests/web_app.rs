//! The web app the hub serves at `/`: every file under `web/` (but its tests) is
//! served with its content type, the strict Content-Security-Policy and an ETag; no
//! file names another origin; every file the page, its modules and the service
//! worker ask for exists; an unknown file is a 404 in the error JSON.

mod common;

use common::*;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The SVG namespace is a name, never fetched: the only `://` the files may hold.
const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// Paths under `web/` of the app's files (the browser tests and their packages aside).
fn app_files() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read web/") {
            let path = entry.expect("dir entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("under web/")
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "tests" {
                continue;
            }
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(&web_dir(), &web_dir(), &mut out);
    out.sort();
    out
}

/// The URL path a file is served at.
fn url_of(file: &str) -> String {
    if file == "index.html" {
        "/".into()
    } else {
        format!("/{file}")
    }
}

fn expected_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("webmanifest") => "application/manifest+json",
        other => panic!("web/{file}: no content type is expected for {other:?}"),
    }
}

/// The quoted strings after each `marker` in `text` (`from '` → module specifiers).
fn quoted_after(text: &str, marker: &str) -> Vec<String> {
    let quote = marker.chars().last().expect("marker ends with its quote");
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            rest.find(quote).map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// `target` (relative) resolved against the directory of `file`, both under `web/`.
fn resolve(file: &str, target: &str) -> String {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for piece in target.split('/') {
        match piece {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn every_file_is_served_with_its_type_the_policy_and_an_etag() {
    let hub = TestHub::start().await;
    let files = app_files();
    assert!(files.contains(&"index.html".to_owned()), "{files:?}");
    for file in &files {
        let response = hub
            .client
            .get(hub.url(&url_of(file)))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let headers = response.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], expected_type(file), "{file}");
        assert_eq!(
            headers["content-security-policy"],
            hugmood_api::web::CONTENT_SECURITY_POLICY,
            "{file}"
        );
        assert!(hugmood_api::web::CONTENT_SECURITY_POLICY.starts_with("default-src 'self';"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{file}");
        assert_eq!(headers["cache-control"], "no-cache", "{file}");
        let body = response.bytes().await.expect("body");
        let on_disk = std::fs::read(web_dir().join(file)).expect("read file");
        assert!(
            body == on_disk,
            "web/{file}: the hub serves another version of it"
        );

        // Revalidation: the same tag answers 304 with no body.
        let again = hub
            .client
            .get(hub.url(&url_of(file)))
            .header(IF_NONE_MATCH, headers[ETAG].clone())
            .send()
            .await
            .expect("GET");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{file}");
        assert!(again.bytes().await.expect("body").is_empty());
    }
    hub.stop().await;
}

#[test]
fn no_file_names_another_origin() {
    for file in app_files() {
        let text = std::fs::read_to_string(web_dir().join(&file)).expect("text file");
        let text = text.replace(SVG_NAMESPACE, "");
        for needle in [
            "://",
            "src=\"//",
            "href=\"//",
            "url(//",
            "'//",
            "\"//",
            "`//",
        ] {
            assert!(
                !text.contains(needle),
                "web/{file} holds {needle:?}: the app loads nothing from another origin \
                 and uses relative URLs only"
            );
        }
    }
}

#[tokio::test]
async fn what_the_page_its_modules_and_the_service_worker_ask_for_is_served() {
    let hub = TestHub::start().await;
    let mut wanted = BTreeSet::new();
    let files = app_files();
    for file in &files {
        let text = std::fs::read_to_string(web_dir().join(file)).expect("text file");
        if file.ends_with(".html") {
            for target in quoted_after(&text, "src=\"")
                .into_iter()
                .chain(quoted_after(&text, "href=\""))
                .filter(|t| !t.starts_with('#'))
            {
                wanted.insert(resolve(file, &target));
            }
        }
        if file.ends_with(".js") {
            for target in quoted_after(&text, "from '") {
                wanted.insert(resolve(file, &target));
            }
        }
    }
    // The service worker's shell: every asset, so the app opens offline.
    let sw = std::fs::read_to_string(web_dir().join("sw.js")).expect("sw.js");
    let shell: BTreeSet<String> = quoted_after(&sw, "  '")
        .into_iter()
        .map(|t| if t == "./" { "index.html".into() } else { t })
        .collect();
    for file in files.iter().filter(|f| f.starts_with("assets/")) {
        assert!(shell.contains(file), "sw.js does not cache web/{file}");
    }
    wanted.extend(shell);
    assert!(wanted.len() > 10, "{wanted:?}");
    for file in wanted {
        let (status, _) = hub.get(&url_of(&file), None).await;
        assert_eq!(status, StatusCode::OK, "{file} is asked for but not served");
    }
    hub.stop().await;
}

#[tokio::test]
async fn an_unknown_file_is_a_404_in_the_error_json() {
    let hub = TestHub::start().await;
    for path in [
        "/assets/nope.js",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/%FF%FE.js",
        "/assets/app%2Ecss",
        "/assets/js/",
        "/assets/tests/package.json",
        "/index.html/x",
        "/tests/e2e/live.test.mjs",
    ] {
        let (status, body) = hub.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "not_found");
    }
    let head = hub.client.head(hub.url("/")).send().await.expect("HEAD");
    assert_eq!(head.status(), StatusCode::OK);
    let post = hub.post_empty("/", None).await;
    assert_eq!(post.0, StatusCode::METHOD_NOT_ALLOWED);
    hub.stop().await;
}
