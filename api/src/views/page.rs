//! The spec's paginated list: `{items, total, pages, page, perPage}`.

use hugmood_actors::domain::page::Paged;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub pages: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> PageView<T> {
    pub fn from_paged<U>(paged: Paged<U>, view: impl FnMut(U) -> T) -> Self {
        let (total, pages, request) = (paged.total, paged.pages(), paged.request);
        Self {
            items: paged.items.into_iter().map(view).collect(),
            total,
            pages,
            page: request.page,
            per_page: request.per_page,
        }
    }
}
