//! Pagination: which slice of a list is asked for, and a slice with its total. REST
//! asks by (page, per_page); GraphQL by (offset, limit), with any offset.

use crate::domain::validation::FieldErrors;

/// A validated page request: `page` counts from 1, `per_page` is within the route's cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
    /// Items skipped on top of the pages before `page`: 0 for a REST page; for an
    /// offset that is not a multiple of the limit, what is left over (see
    /// [`PageRequest::at_offset`]).
    pub skip: u32,
}

/// Default `per_page` when a request does not say.
pub const DEFAULT_PER_PAGE: u32 = 20;

impl PageRequest {
    /// Validates raw query values. `per_page` above `cap` is lowered to the cap (the
    /// answer reports the size used); zero or negative values are errors.
    pub fn new(page: Option<i64>, per_page: Option<i64>, cap: u32) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let page = match page {
            None => 1,
            Some(p) if (1..=i64::from(u32::MAX)).contains(&p) => p as u32,
            Some(_) => {
                errors.add("page", "must be a whole number from 1");
                1
            }
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE.min(cap),
            Some(n) if n >= 1 => n.min(i64::from(cap)) as u32,
            Some(_) => {
                errors.add("per_page", "must be a whole number from 1");
                1
            }
        };
        errors.into_result(Self {
            page,
            per_page,
            skip: 0,
        })
    }

    /// The first `per_page` items.
    pub const fn first(per_page: u32) -> Self {
        Self {
            page: 1,
            per_page,
            skip: 0,
        }
    }

    /// The `limit` items from `offset` on, whatever the offset; `limit` must be at
    /// least 1 (the caller validates it).
    pub fn at_offset(offset: u32, limit: u32) -> Self {
        let limit = limit.max(1);
        Self {
            page: offset / limit + 1,
            per_page: limit,
            skip: offset % limit,
        }
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page) + i64::from(self.skip)
    }
}

/// One page of a list, with the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub request: PageRequest,
}

impl<T> Paged<T> {
    /// Number of pages the whole list spans (0 for an empty list).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.request.per_page))
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            request: self.request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_cap() {
        let p = PageRequest::new(None, None, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.page, p.per_page), (1, 20));
        let p = PageRequest::new(Some(3), Some(500), 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.page, p.per_page, p.offset()), (3, 100, 200));
    }

    #[test]
    fn any_offset_is_one_request() {
        let at = |offset, limit| {
            let p = PageRequest::at_offset(offset, limit);
            (p.offset(), p.limit())
        };
        assert_eq!(at(0, 10), (0, 10));
        assert_eq!(at(5, 10), (5, 10));
        assert_eq!(at(7, 10), (7, 10));
        assert_eq!(at(30, 10), (30, 10));
        assert_eq!(at(1003, 100), (1003, 100));
        let multiple = PageRequest::at_offset(30, 10);
        assert_eq!(
            (multiple.page, multiple.skip),
            (4, 0),
            "a multiple is a plain page"
        );
    }

    #[test]
    fn rejects_zero_and_negative() {
        let err = PageRequest::new(Some(0), Some(-5), 50)
            .err()
            .map(|e| e.fields().count());
        assert_eq!(err, Some(2));
    }

    #[test]
    fn pages_rounds_up() {
        let request = PageRequest::first(20);
        let paged = Paged {
            items: Vec::<u8>::new(),
            total: 41,
            request,
        };
        assert_eq!(paged.pages(), 3);
        assert_eq!(
            Paged {
                items: Vec::<u8>::new(),
                total: 0,
                request
            }
            .pages(),
            0
        );
    }
}
