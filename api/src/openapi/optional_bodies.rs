//! Optional request bodies as they are read: utoipa renders an `Option<T>` body as
//! `oneOf: [null, T]`, but "optional" means the body may be left out; a JSON `null`
//! body is refused like any body that is not an object.

use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Required};

pub fn unwrap_null(document: &mut OpenApi) {
    for (_, _, operation) in super::operations(document) {
        let Some(body) = operation.request_body.as_mut() else {
            continue;
        };
        if body.required == Some(Required::True) {
            continue;
        }
        for content in body.content.values_mut() {
            if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                let mut rest = one_of.items.iter().filter(|item| !is_null(item));
                if let (Some(only), None) = (rest.next(), rest.next()) {
                    content.schema = Some(only.clone());
                }
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == SchemaType::Type(Type::Null))
}
