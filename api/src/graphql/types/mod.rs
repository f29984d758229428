//! GraphQL object and input types, one file per resource. Each output type is built
//! from the REST view of the same thing, so both APIs show the same fields the same way.

pub mod analytics;
pub mod auth;
pub mod event;
pub mod hug;
pub mod mood;
pub mod notification;
pub mod social;
pub mod user;

use async_graphql::ID;
use uuid::Uuid;

use super::error::invalid;

/// The GraphQL id of an engine id.
pub(crate) fn id(value: Uuid) -> ID {
    ID(value.to_string())
}

/// The UUID an `ID` argument named `field` holds, or a validation error naming it.
pub(crate) fn parse_id(field: &str, value: &ID) -> async_graphql::Result<Uuid> {
    Uuid::parse_str(value.as_str()).map_err(|_| invalid(field, "must be a UUID"))
}
