//! `limit`/`offset` arguments on the engine's page model, which pages by
//! (page, per_page): an offset must therefore be a multiple of the limit.

use hugmood_actors::domain::page::PageRequest;
use hugmood_actors::domain::validation::FieldErrors;

use super::error::invalid_fields;

/// Largest `limit` of any list; larger values are lowered to it.
pub const MAX_LIMIT: i32 = 100;

/// The page `limit`/`offset` name, or `None` for `limit: 0` (nothing to fetch). A null
/// offset is 0; bad values are a `validation_failed` error naming them.
pub(crate) fn page(limit: i32, offset: Option<i32>) -> async_graphql::Result<Option<PageRequest>> {
    page_request(limit, offset.unwrap_or(0)).map_err(|e| invalid_fields(&e))
}

fn page_request(limit: i32, offset: i32) -> Result<Option<PageRequest>, FieldErrors> {
    let mut errors = FieldErrors::default();
    if limit < 0 {
        errors.add("limit", "must not be negative");
    }
    if offset < 0 {
        errors.add("offset", "must not be negative");
    }
    let limit = limit.clamp(0, MAX_LIMIT);
    if limit > 0 && offset > 0 && offset % limit != 0 {
        errors.add(
            "offset",
            format!("must be a multiple of limit ({limit}; limit is at most {MAX_LIMIT})"),
        );
    }
    errors.into_result(())?;
    if limit == 0 {
        return Ok(None);
    }
    let per_page = limit.unsigned_abs();
    Ok(Some(PageRequest {
        page: offset.unsigned_abs() / per_page + 1,
        per_page,
    }))
}

/// Complexity of a list field: its items' cost once per started ten items asked for,
/// so one query cannot fetch many large pages through aliases.
pub(crate) fn list_cost(limit: i32, child_complexity: usize) -> usize {
    let tens = limit.clamp(0, MAX_LIMIT).unsigned_abs() as usize / 10 + 1;
    child_complexity.saturating_mul(tens).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(limit: i32, offset: i32) -> Vec<String> {
        page_request(limit, offset)
            .err()
            .map(|e| e.fields().map(|(f, _)| f.to_owned()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn offsets_become_pages() {
        assert_eq!(
            page_request(10, 0),
            Ok(Some(PageRequest {
                page: 1,
                per_page: 10
            }))
        );
        assert_eq!(
            page_request(10, 30),
            Ok(Some(PageRequest {
                page: 4,
                per_page: 10
            }))
        );
        assert_eq!(
            page_request(500, 200),
            Ok(Some(PageRequest {
                page: 3,
                per_page: 100
            }))
        );
        assert_eq!(page_request(0, 7), Ok(None));
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(fields(-1, 0), ["limit"]);
        assert_eq!(fields(10, -10), ["offset"]);
        assert_eq!(fields(-1, -1), ["limit", "offset"]);
        assert_eq!(fields(10, 15), ["offset"]);
    }

    #[test]
    fn lists_cost_by_page_size() {
        assert_eq!(list_cost(5, 10), 11);
        assert_eq!(list_cost(10, 10), 21);
        assert_eq!(list_cost(1000, 10), 111);
        assert_eq!(list_cost(-5, 10), 11);
    }
}
