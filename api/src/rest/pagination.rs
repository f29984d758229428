//! The `page` / `per_page` query parameters shared by list routes.

use hugmood_actors::domain::page::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::openapi::fields;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(schema_with = fields::page)]
    pub page: Option<i64>,
    #[param(schema_with = fields::per_page)]
    pub per_page: Option<i64>,
}

impl PageQuery {
    /// The validated request, with `per_page` lowered to `cap`.
    pub fn request(&self, cap: u32) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.page, self.per_page, cap).map_err(|e| ApiError::validation(&e))
    }
}
