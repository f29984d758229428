//! Operation ids unique across the document, as client generators need: handlers are
//! named within their module (`list`, `get_one`), so the id is prefixed with the
//! operation's tag (`moods_list`, `hugs_get_one`).

use utoipa::openapi::OpenApi;

pub fn make_unique(document: &mut OpenApi) {
    for (_, _, operation) in super::operations(document) {
        let tag = operation.tags.iter().flatten().next().cloned();
        if let (Some(tag), Some(id)) = (tag, operation.operation_id.as_mut()) {
            *id = format!("{tag}_{id}");
        }
    }
}
