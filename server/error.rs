//! The one error type of the services; `http::error` alone turns it into a status.
//!
//! Services return `AppError`; `http/error.rs` maps it to a status and a JSON body
//! `{code, message, fields}`. Errors poem raises before a handler runs (bad JSON, bad
//! parameters, unknown routes) are caught at the router and get the same shape. A
//! database constraint that still fires is a 409 with a code (`From<DbErr>`), never a
//! 500.

use std::collections::BTreeMap;

use sea_orm::{DbErr, SqlErr};

/// Result alias used across the services.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Field name → what is wrong with it (Vietnamese / English).
pub type FieldErrors = BTreeMap<String, String>;

/// Everything a service can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The record named in the path does not exist (or is not visible to the actor).
    #[error("{entity} not found")]
    NotFound {
        /// Kind of record, e.g. "task".
        entity: &'static str,
    },
    /// The input is well-formed but breaks a rule; one message per field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The change clashes with stored data (duplicate code, record still in use).
    #[error("{message}")]
    Conflict {
        /// Stable machine code, e.g. "duplicate_task_code".
        code: &'static str,
        /// Bilingual message.
        message: String,
    },
    /// The actor may not do this.
    #[error("forbidden")]
    Forbidden,
    /// An upload is larger than allowed.
    #[error("payload too large: {0}")]
    TooLarge(String),
    /// An upload is of a type that is refused.
    #[error("unsupported file type: {0}")]
    UnsupportedType(String),
    /// Too many failed attempts; try again after the given number of seconds.
    #[error("too many attempts")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: i64,
    },
    /// No valid credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// A login with a wrong username or password.
    #[error("bad credentials")]
    BadCredentials,
    /// A browser request that changes something came without its CSRF token.
    #[error("csrf token missing or wrong")]
    CsrfRejected,
    /// The Nghị định 30 check found errors: the document may not go on until they are fixed.
    #[error("the document has {} error(s) under Nghị định 30", .0.iter().filter(|f| f.severity == crate::domain::check::Severity::Error).count())]
    CheckFailed(Vec<crate::domain::check::Finding>),
    /// The server cannot do it now (busy); the message says when to try again.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The database failed; details are logged, never sent.
    #[error("database error: {0}")]
    Db(DbErr),
    /// Any other failure; details are logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status of this error: the one mapping, read by the API and the
    /// pages alike (a file too large is 413 on both).
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound { .. } => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict { .. } | AppError::CheckFailed(_) => 409,
            AppError::Forbidden | AppError::CsrfRejected => 403,
            AppError::TooLarge(_) => 413,
            AppError::UnsupportedType(_) => 415,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Unavailable(_) => 503,
            AppError::Db(_) | AppError::Internal(_) => 500,
        }
    }

    /// The stable machine code of this error, as the API's `code` says it.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound { .. } => "not_found",
            AppError::Invalid(_) => "validation_failed",
            AppError::Conflict { code, .. } => code,
            AppError::CheckFailed(_) => "nd30_check_failed",
            AppError::Forbidden => "forbidden",
            AppError::CsrfRejected => "csrf_token_invalid",
            AppError::TooLarge(_) => "payload_too_large",
            AppError::UnsupportedType(_) => "file_type_refused",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Unauthorized => "unauthorized",
            AppError::BadCredentials => "invalid_credentials",
            AppError::Unavailable(_) => "busy",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }
}

/// Any constraint the database enforces becomes a 409 with a stable code, never a
/// 500: a service that checks first names the record in its own words, and this is
/// the net under it.
impl From<DbErr> for AppError {
    fn from(e: DbErr) -> AppError {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(
                "duplicate",
                "Đã có bản ghi trùng (mã hoặc tên đã dùng) / a record with this code or name already exists",
            ),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::conflict(
                "in_use",
                "Bản ghi đang được sử dụng hoặc tham chiếu không tồn tại / the record is in use or a reference does not exist",
            ),
            _ if is_transient(&e) => AppError::Unavailable(BUSY.to_owned()),
            _ => AppError::Db(e),
        }
    }
}

const BUSY: &str = "Máy chủ đang bận, vui lòng thử lại sau ít giây; không có thay đổi nào được lưu / the server is busy, try again in a few seconds; nothing was changed";

/// A failure that passes with time, not a fault: no connection free within the
/// acquire timeout, or SQLite's file still locked after the busy timeout. The
/// transaction was rolled back, so the caller may simply try again.
fn is_transient(e: &DbErr) -> bool {
    if matches!(e, DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)) {
        return true;
    }
    // SQLite's words for SQLITE_BUSY (with its extended codes) and SQLITE_LOCKED.
    let text = e.to_string();
    text.contains("database is locked") || text.contains("database table is locked")
}

impl AppError {
    /// A one-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(BTreeMap::from([(field.to_owned(), message.into())]))
    }

    /// A conflict with a stable code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Conflict { code, message: message.into() }
    }

    /// Maps a unique-key violation to `conflict`, a foreign-key violation to
    /// `in_use`, and leaves other database errors as they are.
    pub fn from_db(e: DbErr, code: &'static str, message: &str) -> AppError {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(code, message),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::conflict(
                "in_use",
                "Bản ghi đang được sử dụng hoặc tham chiếu không tồn tại / the record is in use or a reference does not exist",
            ),
            _ => AppError::from(e),
        }
    }
}

/// Collects field errors and fails once with all of them.
#[derive(Debug, Default)]
pub struct Check(FieldErrors);

impl Check {
    /// An empty collector.
    pub fn new() -> Check {
        Check::default()
    }

    /// Records `message` for `field` when `bad` holds (the first message per field wins).
    pub fn fail_if(&mut self, bad: bool, field: &str, message: &str) -> &mut Check {
        if bad {
            self.0.entry(field.to_owned()).or_insert_with(|| message.to_owned());
        }
        self
    }

    /// Records a non-empty, trimmed text requirement.
    pub fn required(&mut self, field: &str, value: &str) -> &mut Check {
        self.fail_if(value.trim().is_empty(), field, "Không được để trống / must not be empty")
    }

    /// Records a message unconditionally.
    pub fn add(&mut self, field: &str, message: impl Into<String>) -> &mut Check {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
        self
    }

    /// Records a problem with a one-line text: too long, a line break, a control or
    /// bidi character (see [`crate::domain::text`]).
    pub fn line(&mut self, field: &str, value: &str, max: usize) -> &mut Check {
        match crate::domain::text::problem(value, max, false) {
            Some(m) => self.add(field, m),
            None => self,
        }
    }

    /// Like [`Check::line`] for text of several paragraphs (line breaks allowed).
    pub fn paragraphs(&mut self, field: &str, value: &str, max: usize) -> &mut Check {
        match crate::domain::text::problem(value, max, true) {
            Some(m) => self.add(field, m),
            None => self,
        }
    }

    /// [`Check::line`] for an optional value.
    pub fn opt_line(&mut self, field: &str, value: Option<&str>, max: usize) -> &mut Check {
        match value {
            Some(v) => self.line(field, v, max),
            None => self,
        }
    }

    /// Records a date outside the years the register can hold (2000–2100).
    pub fn date(&mut self, field: &str, value: Option<chrono::NaiveDate>) -> &mut Check {
        use chrono::Datelike;
        self.fail_if(
            value.is_some_and(|d| !(2000..=2100).contains(&d.year())),
            field,
            "Ngày phải trong khoảng năm 2000–2100 / the date must fall in 2000–2100",
        )
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(&mut self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(std::mem::take(&mut self.0))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_a_503_to_retry_and_other_failures_stay_internal() {
        let timeout = AppError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert!(matches!(timeout, AppError::Unavailable(ref m) if m.contains("thử lại")), "{timeout:?}");
        let locked = AppError::from(DbErr::Custom("error returned from database: (code: 5) database is locked".into()));
        assert!(matches!(locked, AppError::Unavailable(_)), "{locked:?}");
        let other = AppError::from(DbErr::Custom("disk I/O error".into()));
        assert!(matches!(other, AppError::Db(_)), "{other:?}");
    }
}
