//! The public shape of records: what the API accepts and returns, and what the
//! services take and give. JSON field names are English snake_case; values in
//! Vietnamese. Inputs are full replacements (POST creates, PUT replaces).
//!
//! `POST` and `PUT` take the same `XxxInput`; a record's owner (issuer, plan, task)
//! cannot change through `PUT`.

mod auth;
mod code;
mod document;
mod evidence;
mod figures;
mod follow_up;
mod keys;
mod mail;
mod org;
mod plan;

pub use auth::*;
pub use code::Code;
pub use document::*;
pub use evidence::*;
pub use figures::*;
pub use follow_up::*;
pub use keys::*;
pub use mail::*;
pub use org::*;
pub use plan::*;

use poem_openapi::Object;

/// One page of a list.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Page<T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON> {
    /// The records on this page.
    pub items: Vec<T>,
    /// How many records match the filter in all.
    pub total: u64,
    /// This page, from 1.
    pub page: u64,
    /// Records per page.
    pub per_page: u64,
}

/// Which page of a list to return.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// From 1.
    pub page: u64,
    /// 1–500.
    pub per_page: u64,
}

impl Paging {
    /// Largest page size a client may ask for.
    pub const MAX_PER_PAGE: u64 = 500;
    /// Largest page number a client may ask for (the OpenAPI document says the same).
    pub const MAX_PAGE: u64 = 100_000;

    /// Checks the bounds; defaults: page 1, 50 per page.
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> crate::error::Result<Paging> {
        let paging = Paging { page: page.unwrap_or(1), per_page: per_page.unwrap_or(50) };
        crate::error::Check::new()
            .fail_if(paging.page == 0 || paging.page > Self::MAX_PAGE, "page", "Từ 1 đến 100000 / must be 1–100000")
            .fail_if(
                paging.per_page == 0 || paging.per_page > Self::MAX_PER_PAGE,
                "per_page",
                "Từ 1 đến 500 / must be 1–500",
            )
            .finish()?;
        Ok(paging)
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// A calendar date, written "YYYY-MM-DD" (OpenAPI `format: date`, so every client
/// and generator knows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Date(pub chrono::NaiveDate);

impl std::ops::Deref for Date {
    type Target = chrono::NaiveDate;
    fn deref(&self) -> &chrono::NaiveDate {
        &self.0
    }
}

impl From<chrono::NaiveDate> for Date {
    fn from(d: chrono::NaiveDate) -> Date {
        Date(d)
    }
}

impl From<Date> for chrono::NaiveDate {
    fn from(d: Date) -> chrono::NaiveDate {
        d.0
    }
}

mod date_type {
    use std::borrow::Cow;

    use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
    use poem_openapi::types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type};
    use serde_json::Value;

    use super::Date;

    impl Type for Date {
        const IS_REQUIRED: bool = true;
        type RawValueType = Self;
        type RawElementValueType = Self;

        fn name() -> Cow<'static, str> {
            "string_date".into()
        }

        fn schema_ref() -> MetaSchemaRef {
            MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date")))
        }

        fn as_raw_value(&self) -> Option<&Self> {
            Some(self)
        }

        fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
            Box::new(self.as_raw_value().into_iter())
        }
    }

    fn parse(s: &str) -> ParseResult<Date> {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| ParseError::custom("a date is written YYYY-MM-DD"))
    }

    impl ParseFromJSON for Date {
        fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
            match value.unwrap_or_default() {
                Value::String(s) => parse(&s),
                other => Err(ParseError::expected_type(other)),
            }
        }
    }

    impl ParseFromParameter for Date {
        fn parse_from_parameter(value: &str) -> ParseResult<Self> {
            parse(value)
        }
    }

    impl ToJSON for Date {
        fn to_json(&self) -> Option<Value> {
            Some(Value::String(self.0.format("%Y-%m-%d").to_string()))
        }
    }
}
