//! Reusable error answers, kept once under `components/responses`: handlers name the
//! ones that depend on what they do (`(status = 429, response = RateLimited)`), and
//! `common_errors` adds the ones that follow from an operation's shape.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::ToResponse;

/// An error answer in the spec's error JSON, with the headers it carries.
fn error_response(description: &str, headers: &[(&str, Type, &str)]) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
    );
    for (name, kind, text) in headers {
        let header = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(kind.clone()))
            .description(Some(*text))
            .build();
        response = response.header(*name, header);
    }
    response.build().into()
}

const RETRY_AFTER: (&str, Type, &str) = (
    "Retry-After",
    Type::Integer,
    "Seconds to wait before trying again",
);

/// Declares a unit type answering one reusable error response.
macro_rules! error_responses {
    ($($(#[$doc:meta])* $name:ident => $description:expr, [$($header:expr),*];)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), error_response($description, &[$($header),*]))
            }
        }
    )*};
}

error_responses! {
    /// 400: what any route with parameters or a body answers to bad input.
    BadRequest => "`invalid_json`, `invalid_body` or `validation_failed` (details name \
        each bad field)", [];
    /// 401: what any route that takes a bearer token answers without a valid one.
    Unauthorized => "`unauthorized` (no token), `invalid_token` (malformed, forged, \
        expired, or its account is gone) or `session_ended` (logged out)",
        [("WWW-Authenticate", Type::String, "`Bearer`")];
    /// 413: a JSON body over `body_limit_bytes`.
    PayloadTooLarge => "`payload_too_large`: the body is over the size limit", [];
    /// 415: a body that is not `application/json`.
    UnsupportedMediaType => "`unsupported_media_type`: send the body as \
        `application/json`", [];
    /// 429: a rate limit of this route (see the limits of the spec).
    RateLimited => "`rate_limited`: too many requests; `Retry-After` says when to try \
        again", [RETRY_AFTER];
    /// 503: any route while the database is unreachable or the node is overloaded.
    Unavailable => "`unavailable` (the database cannot be reached or the hub is busy; \
        `Retry-After` says when to try again) or `too_many_connections` (the node is at \
        `max_connections`)", [RETRY_AFTER];
}

/// Every reusable response, for `components/responses`.
pub fn all() -> Vec<(&'static str, RefOr<Response>)> {
    vec![
        BadRequest::response(),
        Unauthorized::response(),
        PayloadTooLarge::response(),
        UnsupportedMediaType::response(),
        RateLimited::response(),
        Unavailable::response(),
    ]
}
