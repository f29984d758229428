//! Files embedded in the binary and served as they are: those of the web app, by
//! their path under `web/` (a file added to `web/` must be listed here as well;
//! `tests/web_app.rs` checks every file there is served), and, through `embed!`, the
//! GraphiQL page's (`graphql::graphiql`).

use axum::http::HeaderValue;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// One embedded file.
pub struct Asset {
    /// Path under its folder, as requested (`assets/app.css`).
    pub path: &'static str,
    pub body: &'static [u8],
    /// The strong `ETag`, a digest of `body`, computed on first use.
    etag: OnceLock<HeaderValue>,
}

impl Asset {
    /// The file `body` at `path`; its `ETag` is computed on first use.
    pub const fn new(path: &'static str, body: &'static [u8]) -> Self {
        Self {
            path,
            body,
            etag: OnceLock::new(),
        }
    }

    pub fn content_type(&self) -> &'static str {
        content_type(self.path)
    }

    /// `"<first 16 bytes of the body's SHA-256, in hex>"`.
    pub fn etag(&self) -> HeaderValue {
        self.etag
            .get_or_init(|| {
                let digest = Sha256::digest(self.body);
                let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
                HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex digits are a header value")
            })
            .clone()
    }
}

/// The content type of a file, from its extension (only those the app uses).
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// An `Asset` for each `<dir><path>`, embedded at build time; `dir` is relative to the
/// api crate's folder and ends with `/`.
macro_rules! embed {
    ($dir:literal; $($path:literal),+ $(,)?) => {
        [$($crate::web::Asset::new(
            $path,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, $path)),
        )),+]
    };
}
pub(crate) use embed;

/// Every file of the app.
pub static ASSETS: [Asset; 22] = embed![
    "../web/";
    "index.html",
    "sw.js",
    "assets/app.css",
    "assets/icon.svg",
    "assets/manifest.webmanifest",
    "assets/js/main.js",
    "assets/js/api.js",
    "assets/js/session.js",
    "assets/js/live.js",
    "assets/js/outbox.js",
    "assets/js/charts.js",
    "assets/js/dom.js",
    "assets/js/state.js",
    "assets/js/views/analytics.js",
    "assets/js/views/auth.js",
    "assets/js/views/checkin.js",
    "assets/js/views/friends.js",
    "assets/js/views/home.js",
    "assets/js/views/hugs.js",
    "assets/js/views/inbox.js",
    "assets/js/views/jar.js",
    "assets/js/views/settings.js",
];

/// The file at `path`, if the app has one.
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/b.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("i.svg"), "image/svg+xml");
        assert_eq!(content_type("js"), "application/octet-stream");
    }

    #[test]
    fn no_file_is_listed_twice() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert!(
                ASSETS[i + 1..].iter().all(|b| b.path != a.path),
                "{}",
                a.path
            );
        }
    }
}
