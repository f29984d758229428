//! The security schemes: `bearer` (`Authorization: Bearer <access JWT>`) everywhere,
//! and for the stream and events routes, which EventSource calls without headers, a
//! one-time `?ticket=` or the `hugmood_stream` cookie.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

/// Name of the scheme that operations list in their `security`.
pub const BEARER: &str = "bearer";

pub struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "ticket",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "ticket",
                "One-time ticket from POST /api/v1/sse/ticket, valid 60 s",
            ))),
        );
        components.add_security_scheme(
            "stream_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::STREAM_COOKIE,
                "Set by POST /api/v1/sse/ticket; carries EventSource reconnections (those of \
                 a page of a `cors_origins` origin too: SameSite=None, Partitioned)",
            ))),
        );
    }
}
