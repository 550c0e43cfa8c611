//! One public async function per user action. Services validate input, own the
//! transaction, write the audit event in it, and return API models.
//!
//! One user action, one service call, one transaction: a result with its targets' values
//! and its step (`results::report`), a task with its targets (`TaskInput.set_targets`), a
//! document saved and submitted (`issuing::save_and_submit`) are each one function that
//! owns its transaction; a refused part writes nothing, not even an audit event. Services
//! import each other in one direction only: reads several need (a plan, a task) live in
//! `storage/` (`plans::get`, `tasks::get`), the result lock and delete guards in
//! `integrity`, the image check in `images`, the local date here;
//! `tests/api/structure.rs` fails on a cycle.

pub(crate) mod access;
pub mod accounts;
pub mod audit_log;
pub mod auth;
pub mod auth_sessions;
pub mod calendars;
pub mod contributions;
pub mod credentials;
pub mod deadline_requests;
pub mod deadline_rules;
pub mod demo;
pub mod documents;
pub mod drafts;
pub mod escalation;
pub mod evidence;
pub mod figures;
pub(crate) mod follow_up_mail;
pub mod follow_up_reads;
pub mod follow_ups;
pub mod groups;
pub mod images;
pub(crate) mod integrity;
pub mod issuers;
pub mod keys;
pub mod outbox;
pub mod passwords;
pub mod plans;
pub mod proposals;
pub mod reminders;
pub mod results;
pub mod rubrics;
pub mod setup;
pub mod sign_in;
pub(crate) mod spreadsheet_import;
pub(crate) mod spreadsheet_rows;
pub mod spreadsheets;
pub mod summary;
pub mod targets;
pub mod task_history;
pub mod task_lists;
pub mod tasks;
pub mod units;
pub mod urging;
pub mod users;

pub use documents::{checks, drafting, issuing, printing, signatures};
pub(crate) use documents::{
    print_letter, print_plan, print_register, print_report, signature_agency, signature_approve, signature_handoff,
    signature_keys, signature_verify,
};

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use crate::error::{AppError, Result};
pub(crate) use crate::storage::audit::Change;
/// Appends one audit event inside the caller's transaction (`storage::audit::record`).
pub(crate) use crate::storage::audit::record as audited;

/// What the document services work with besides who acts and when: the database,
/// the renderer, the file store and the signing keys, travelling as one (the state
/// hands them out with `AppState::tools`).
#[derive(Clone, Copy)]
pub struct Tools<'a> {
    /// The database.
    pub db: &'a crate::storage::Db,
    /// Templates and fonts.
    pub renderer: &'a std::sync::Arc<crate::render::Renderer>,
    /// Evidence, images and issued PDFs.
    pub files: &'a std::sync::Arc<dyn crate::storage::files::BlobStore>,
    /// Signing keys and trusted roots.
    pub signing: &'a signatures::Signing,
}

/// The current time at the precision the database keeps (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Where requests read the time: the system clock, or a fixed instant (tests, and
/// a replay of a given day). Pages and the API's "today" (deadlines due, overdue)
/// read it from the state; a session's age is always measured on the system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that always says `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock { fixed: Some(at.trunc_subsecs(6)) }
    }

    /// The current time at the precision the database keeps.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(now)
    }

    /// Today's date in Vietnam.
    pub fn today(&self) -> chrono::NaiveDate {
        local_date(self.now())
    }
}

/// The calendar date in Vietnam (UTC+7) at `now`: documents are dated locally.
pub fn local_date(now: DateTime<Utc>) -> chrono::NaiveDate {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    now.with_timezone(&vn).date_naive()
}

/// The reason given for an archive or a correction, trimmed: required, at most
/// 2,000 characters of plain paragraphs.
pub(crate) fn reason(text: &str) -> Result<String> {
    let reason = text.trim();
    crate::error::Check::new()
        .required("reason", reason)
        .paragraphs("reason", reason, crate::domain::text::TEXT)
        .fail_if(reason.chars().count() > 2000, "reason", "Tối đa 2000 ký tự / at most 2000 characters")
        .finish()?;
    Ok(reason.to_owned())
}

/// Reads a JSON list column written by this server.
pub(crate) fn json_list<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Vec<T> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// Writes a list as a JSON column.
pub(crate) fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The position after `last` (1 when there is none), refused past `max` (the bound
/// the OpenAPI document states for `position`).
pub(crate) fn position_after(last: Option<i32>, max: i32) -> Result<i32> {
    let next = last.map_or(1, |p| p.saturating_add(1));
    if next > max {
        return Err(AppError::field(
            "position",
            format!("Đã hết vị trí (tối đa {max}); nhập vị trí cụ thể / no position left after {max}; give one"),
        ));
    }
    Ok(next)
}

/// The error for a record that does not exist.
pub(crate) fn not_found(entity: &'static str) -> AppError {
    AppError::NotFound { entity }
}

/// A message for a reference in the body that names no record.
pub(crate) fn unknown_ref(what: &str) -> String {
    let (vi, en) = what.split_once(" / ").unwrap_or((what, what));
    format!("Không tồn tại {vi} với mã này / no {en} with this id")
}

/// Whether a trimmed string looks like an e-mail address (one @, a dot in the domain).
pub(crate) fn is_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}
