//! The error answers an operation can give because of its shape, added to every
//! operation that has that shape: 401 where it takes a bearer token, 400 where it has
//! parameters or a body, 413 and 415 where it reads a JSON body, and 503 everywhere
//! (an unreachable database, a busy hub, a node at its connection limit). An answer a
//! handler documents itself is kept.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, Ref};
use utoipa::ToResponse;

use super::responses::{
    self, BadRequest, PayloadTooLarge, Unauthorized, Unavailable, UnsupportedMediaType,
};
use super::security::BEARER;

pub fn add(document: &mut OpenApi) {
    for (_, _, operation) in super::operations(document) {
        let bearer = takes_bearer(operation);
        let inputs = operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
            || operation.request_body.is_some();
        let json_body = operation
            .request_body
            .as_ref()
            .is_some_and(|b| b.content.contains_key("application/json"));
        let mut add = |status: &str, (name, _): (&str, _)| {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| Ref::from_response_name(name).into());
        };
        if bearer {
            add("401", Unauthorized::response());
        }
        if inputs {
            add("400", BadRequest::response());
        }
        if json_body {
            add("413", PayloadTooLarge::response());
            add("415", UnsupportedMediaType::response());
        }
        add("503", Unavailable::response());
    }
    let components = document.components.get_or_insert_with(Default::default);
    for (name, response) in responses::all() {
        components.responses.insert(name.to_owned(), response);
    }
}

/// Whether the operation's security names the bearer scheme.
fn takes_bearer(operation: &Operation) -> bool {
    operation
        .security
        .iter()
        .flatten()
        .any(|requirement| serde_json::to_value(requirement).is_ok_and(|v| v.get(BEARER).is_some()))
}
