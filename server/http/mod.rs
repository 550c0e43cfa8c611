//! HTTP: the JSON API under `/api/v1`, its OpenAPI document and Swagger UI,
//! and `/healthz`.

pub mod allow;
pub mod api;
pub mod auth;
pub mod conn;
pub mod error;
pub mod limit;
pub mod spec;
pub mod strict;

pub use error::{ApiError, ApiResult, ErrorBody};
