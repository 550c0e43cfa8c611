//! The administrators' audit log — newest first, each action and kind of record in
//! words, who did it by name — and the outbox of the office and administrators, with
//! its mail test and resending.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::web::Path;
use poem::{Response, handler};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::view::Word;
use super::{Ctx, Page, Posted};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{OutboxMessage, Paging};
use crate::services::{audit_log, outbox};

/// The audit log page.
#[derive(Serialize)]
struct AuditView<'a> {
    events: Vec<Event<'a>>,
    total: u64,
}

/// One event of the log, in words.
#[derive(Serialize)]
struct Event<'a> {
    seq: i64,
    at: String,
    actor: Option<String>,
    action: &'static str,
    entity: &'static str,
    record: Option<String>,
    entity_id: Option<Uuid>,
    short_id: Option<String>,
    client: Option<&'a str>,
    hash: &'a str,
}

#[handler]
pub(crate) async fn audit(c: Ctx) -> Page {
    let page = audit_log::list_audit(
        &c.state.db,
        &c.actor,
        audit_log::AuditFilter::default(),
        Paging { page: 1, per_page: 200 },
    )
    .await?;
    // Who did it, by name: the few people behind a page of events, read once each.
    let mut name_of: HashMap<Uuid, String> = HashMap::new();
    for id in page.items.iter().filter_map(|e| e.actor_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = name_of.entry(id)
            && let Ok(u) = crate::services::users::get_user(&c.state.db, &c.actor, id).await
        {
            slot.insert(format!("{} ({})", u.data.name, u.data.username));
        }
    }
    // Newest first, as the log is read.
    let events = page
        .items
        .iter()
        .map(|e| Event {
            seq: e.seq,
            at: super::view::vn_time(e.at),
            actor: e.actor_id.map(|a| name_of.get(&a).cloned().unwrap_or_else(|| a.to_string())),
            action: e.action.label(),
            entity: entity_label(&e.entity),
            record: record_name(e),
            entity_id: e.entity_id,
            short_id: e.entity_id.map(|i| i.simple().to_string()[..8].to_owned()),
            client: e.client_addr.as_deref(),
            hash: &e.hash[..12.min(e.hash.len())],
        })
        .collect();
    Ok(c.page("audit.html", StatusCode::OK, AuditView { events, total: page.total }))
}

/// The record an event is about, as a person names it, from what the event itself
/// stored (a task's code, a document's subject, a person's name…); `None` when it
/// stored nothing to go by.
fn record_name(e: &crate::model::AuditEvent) -> Option<String> {
    let snapshot = e.after.as_ref().or(e.before.as_ref())?;
    // Some events store [record, co-operating units].
    let record = if snapshot.is_array() { snapshot.get(0)? } else { snapshot };
    let field = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = match e.entity.as_str() {
        "tasks" | "task" => field("code").map(|c| format!("nhiệm vụ {c}")),
        "documents" => field("subject"),
        "users" | "user" => field("name").or_else(|| field("username")),
        "units" => field("short_name").or_else(|| field("name")),
        "plans" | "task_groups" => field("title"),
        "evidence" => field("file_name"),
        "issuers" => field("short_name").or_else(|| field("full_name")),
        "rubrics" => field("name"),
        "targets" => field("description"),
        _ => None,
    }?;
    Some(name.chars().take(80).collect())
}

/// A kind of record as the log page names it.
fn entity_label(code: &str) -> &'static str {
    match code {
        "plans" => "Kế hoạch",
        "task_groups" => "Nhóm nhiệm vụ",
        "tasks" | "task" => "Nhiệm vụ",
        "targets" => "Chỉ tiêu",
        "results" => "Kết quả",
        "contributions" => "Ý kiến phối hợp",
        "evidence" => "Minh chứng",
        "documents" => "Văn bản",
        "proposals" => "Đề xuất",
        "issuers" => "Cơ quan",
        "units" => "Đơn vị",
        "users" | "user" => "Người dùng",
        "sessions" => "Phiên đăng nhập",
        "rubrics" => "Bộ tiêu chí",
        "outbox" => "Thư đi",
        "signing_keys" => "Khóa ký số",
        _ => "Bản ghi khác",
    }
}

/// A message of the outbox, as its table and the dashboard show it.
#[derive(Serialize)]
pub(super) struct Mail<'a> {
    id: Uuid,
    to: &'a str,
    label: Option<&'a str>,
    subject: &'a str,
    state: Word,
    attempts: i32,
    error: Option<&'a str>,
    document_id: Option<Uuid>,
    sent_at: Option<String>,
}

impl<'a> Mail<'a> {
    /// The message `m` as pages show it.
    pub(super) fn of(m: &'a OutboxMessage) -> Self {
        Mail {
            id: m.id,
            to: &m.to_addr,
            label: m.recipient_label.as_deref(),
            subject: &m.subject,
            state: Word::of(m.state),
            attempts: m.attempts,
            error: m.last_error.as_deref(),
            document_id: m.document_id,
            sent_at: m.sent_at.map(super::view::vn_time),
        }
    }
}

/// The outbox page, with the outcome of a mail test if one was sent.
#[derive(Serialize)]
struct OutboxView<'a> {
    items: Vec<Mail<'a>>,
    total: u64,
    can_test: bool,
    test_to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<Tested>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_error: Option<String>,
}

/// What a mail test got from the mail server, in words.
#[derive(Serialize)]
struct Tested {
    accepted: bool,
    words: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[handler]
pub(crate) async fn outbox_page(c: Ctx) -> Page {
    Ok(outbox_view(&c, StatusCode::OK, "", None, None).await?)
}

/// The outbox page (the office's and administrators'), with a mail test's outcome:
/// the address tried, what the server said, or what was wrong with the address.
async fn outbox_view(
    c: &Ctx,
    status: StatusCode,
    test_to: &str,
    test: Option<Tested>,
    test_error: Option<String>,
) -> Result<Response> {
    if !c.is(&[Role::Admin, Role::Office]) {
        return Err(AppError::Forbidden);
    }
    let page = outbox::list_outbox(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 200 }).await?;
    let items = page.items.iter().map(Mail::of).collect();
    let view = OutboxView { items, total: page.total, can_test: c.is(&[Role::Admin]), test_to, test, test_error };
    Ok(c.page("outbox.html", status, view))
}

#[handler]
pub(crate) async fn mail_test(Posted(c, f): Posted) -> Page {
    let to = f.get("to");
    let mailer = c.state.mailer.as_deref();
    let (status, test, error) = match outbox::send_test(&c.state.db, &c.actor, c.now(), mailer, &to).await {
        Ok(t) => (StatusCode::OK, Some(Tested { accepted: t.accepted, words: t.words, detail: Some(t.detail) }), None),
        Err(AppError::Conflict { message, .. }) => {
            let test = Tested { accepted: false, words: super::vietnamese(&message), detail: None };
            (StatusCode::CONFLICT, Some(test), None)
        }
        Err(AppError::Invalid(fields)) => {
            let message = fields.values().next().map(|m| super::vietnamese(m)).unwrap_or_default();
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(message))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(outbox_view(&c, status, &to, test, error).await?)
}

#[handler]
pub(crate) async fn resend(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    outbox::resend(&c.state.db, &c.actor, c.now(), id).await?;
    let back = f.opt("back").filter(|b| super::local_path(b)).unwrap_or_else(|| "/admin/outbox".into());
    Ok(super::done(&back, "resent"))
}
