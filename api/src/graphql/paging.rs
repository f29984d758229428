//! `limit`/`offset` arguments of the list fields: any offset from 0 and a limit of 1
//! to 100, asked of the store as one request for exactly that slice.

use hugmood_actors::domain::page::PageRequest;
use hugmood_actors::domain::validation::FieldErrors;

use super::error::invalid_fields;

/// Largest `limit` of any list.
pub const MAX_LIMIT: i32 = 100;

/// The slice `limit`/`offset` name; a null offset is 0. Bad values are a
/// `validation_failed` error naming them.
pub(crate) fn page(limit: i32, offset: Option<i32>) -> async_graphql::Result<PageRequest> {
    page_request(limit, offset.unwrap_or(0)).map_err(|e| invalid_fields(&e))
}

fn page_request(limit: i32, offset: i32) -> Result<PageRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let limit = u32::try_from(limit)
        .ok()
        .filter(|l| (1..=MAX_LIMIT.unsigned_abs()).contains(l));
    if limit.is_none() {
        errors.add(
            "limit",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        );
    }
    let offset = u32::try_from(offset).ok();
    if offset.is_none() {
        errors.add("offset", "must not be negative");
    }
    match (limit, offset) {
        (Some(limit), Some(offset)) => Ok(PageRequest::at_offset(offset, limit)),
        _ => Err(errors),
    }
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

    fn slice(limit: i32, offset: i32) -> Option<(i64, i64)> {
        page_request(limit, offset)
            .ok()
            .map(|p| (p.offset(), p.limit()))
    }

    #[test]
    fn any_offset_is_the_slice_from_it() {
        assert_eq!(slice(10, 0), Some((0, 10)));
        assert_eq!(slice(10, 5), Some((5, 10)));
        assert_eq!(slice(10, 7), Some((7, 10)));
        assert_eq!(slice(10, 30), Some((30, 10)));
        assert_eq!(slice(1, 0), Some((0, 1)));
        assert_eq!(slice(100, 250), Some((250, 100)));
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(fields(0, 0), ["limit"]);
        assert_eq!(fields(101, 0), ["limit"]);
        assert_eq!(fields(-1, 0), ["limit"]);
        assert_eq!(fields(10, -10), ["offset"]);
        assert_eq!(fields(0, -1), ["limit", "offset"]);
        assert_eq!(fields(10, 15), Vec::<String>::new());
    }

    #[test]
    fn lists_cost_by_page_size() {
        assert_eq!(list_cost(5, 10), 11);
        assert_eq!(list_cost(10, 10), 21);
        assert_eq!(list_cost(1000, 10), 111);
        assert_eq!(list_cost(-5, 10), 11);
    }
}
