//! The `page` / `per_page` query parameters shared by list routes.

use hugmood_actors::domain::page::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page (default 20; capped per route).
    pub per_page: Option<i64>,
}

impl PageQuery {
    /// The validated request, with `per_page` lowered to `cap`.
    pub fn request(&self, cap: u32) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.page, self.per_page, cap).map_err(|e| ApiError::validation(&e))
    }
}
