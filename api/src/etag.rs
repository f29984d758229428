//! ETags for polling clients (`GET /notifications`, `GET /events` without waiting): the
//! tag is a digest of the user's log version (one indexed read, no page of the inbox
//! or the log) and of the request, so a client polling every few seconds is answered
//! 304 with no body until something it would see has changed.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hugmood_actors::store::LogVersion;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

/// The `If-None-Match` request header, for the OpenAPI document: the `ETag` of an
/// earlier answer, which gets 304 with no body while it is still current.
#[derive(IntoParams)]
#[into_params(names("If-None-Match"), parameter_in = Header)]
pub struct IfNoneMatch(#[allow(dead_code)] Option<String>);

/// A weak tag (`W/"…"`): answers with the same tag differ only in their `timestamp`.
pub struct Etag(HeaderValue);

impl Etag {
    /// The tag of an answer that depends on `version` and on `request` (the query as the
    /// handler read it, and whatever else the answer shows).
    pub fn new(version: &LogVersion, request: &str) -> Self {
        let newest = version
            .newest_notification
            .map_or(0, |at| at.timestamp_micros());
        let oldest = version.bounds.oldest.unwrap_or(0);
        let key = format!(
            "{}.{oldest}.{}.{}.{newest}\n{request}",
            version.bounds.last, version.retracted, version.notifications,
        );
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Self(HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex digits are a header value"))
    }

    /// Whether the request's `If-None-Match` names this tag or is `*`.
    pub fn matches(&self, headers: &HeaderMap) -> bool {
        if_none_match_names(headers, &self.0)
    }

    /// 304 Not Modified, with the tag and no body.
    pub fn not_modified(self) -> Response {
        (StatusCode::NOT_MODIFIED, [(header::ETAG, self.0)]).into_response()
    }

    /// `answer` with the tag.
    pub fn attach(self, answer: impl IntoResponse) -> Response {
        let mut response = answer.into_response();
        response.headers_mut().insert(header::ETAG, self.0);
        response
    }
}

/// Whether the request's `If-None-Match` lists `tag` or is `*`, comparing weakly (as
/// for any GET: `W/"x"` and `"x"` name the same answer).
pub fn if_none_match_names(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let ours = opaque(tag.as_bytes());
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .flat_map(|value| value.as_bytes().split(|b| *b == b','))
        .map(<[u8]>::trim_ascii)
        .any(|listed| listed == b"*" || opaque(listed) == ours)
}

/// A tag without its weakness marker.
fn opaque(tag: &[u8]) -> &[u8] {
    tag.strip_prefix(b"W/").unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugmood_actors::store::EventBounds;

    fn version(last: i64) -> LogVersion {
        LogVersion {
            bounds: EventBounds {
                oldest: Some(1),
                last,
            },
            retracted: 0,
            notifications: 2,
            newest_notification: None,
        }
    }

    fn asking(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(value).expect("ASCII"),
        );
        headers
    }

    #[test]
    fn a_tag_changes_with_the_version_and_the_request() {
        let tag = Etag::new(&version(5), "page=1").0;
        assert_eq!(tag, Etag::new(&version(5), "page=1").0);
        assert_ne!(tag, Etag::new(&version(6), "page=1").0);
        assert_ne!(tag, Etag::new(&version(5), "page=2").0);
        assert!(tag
            .to_str()
            .is_ok_and(|t| t.starts_with("W/\"") && t.ends_with('"')));
    }

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let etag = Etag::new(&version(5), "");
        let tag = etag.0.to_str().expect("ASCII").to_owned();
        let strong = tag.trim_start_matches("W/").to_owned();
        assert!(etag.matches(&asking(&tag)));
        assert!(etag.matches(&asking(&strong)));
        assert!(etag.matches(&asking(&format!("\"other\", {tag}"))));
        assert!(etag.matches(&asking("*")));
        assert!(!etag.matches(&asking("\"other\"")));
        assert!(!etag.matches(&HeaderMap::new()));
    }
}
