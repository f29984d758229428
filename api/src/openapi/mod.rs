//! The OpenAPI 3.1 document: general information here; the paths come from the
//! handlers' own annotations as routers are assembled, and `finish` then completes
//! every operation with what follows from its shape (the error answers any route of
//! that kind can give, a unique operation id), so no handler repeats them. `fields`
//! and `responses` hold the schemas and answers that handlers share.

mod common_errors;
pub(crate) mod fields;
mod operation_ids;
mod optional_bodies;
pub(crate) mod responses;
mod security;

use security::BearerScheme;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "HugMood hub", description = "Moods, hugs and realtime notifications. \
        Pages of other web origins may call it with credentials when the hub lists their \
        origin in `cors_origins` (CORS); others get no CORS headers."),
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

/// Completes the assembled document: optional bodies, common error answers, unique
/// operation ids.
pub fn finish(document: &mut utoipa::openapi::OpenApi) {
    optional_bodies::unwrap_null(document);
    common_errors::add(document);
    operation_ids::make_unique(document);
}

/// Every operation of the document with its path and lower-case method.
fn operations(
    document: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &'static str, &mut utoipa::openapi::path::Operation)> {
    document.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ]
        .into_iter()
        .filter_map(move |(method, slot)| slot.as_mut().map(|op| (path.as_str(), method, op)))
    })
}
