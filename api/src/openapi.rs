//! The OpenAPI 3.1 document: general information and the bearer scheme; the paths
//! come from the handlers' own annotations as routers are assembled.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "HugMood hub", description = "Moods, hugs and realtime notifications."),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "users", description = "Profiles, search and privacy"),
        (name = "friends", description = "Friend requests and friendships"),
        (name = "blocks", description = "Blocking users"),
        (name = "moods", description = "Mood entries, analytics and streaks"),
        (name = "hugs", description = "Hugs"),
        (name = "collections", description = "Saved hugs (the hug jar)"),
        (name = "notifications", description = "The notification inbox"),
        (name = "realtime", description = "SSE stream and long-poll"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
