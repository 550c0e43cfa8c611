//! The task page's "Theo dõi hạn" panel: the task's follow-ups as its history tells
//! them, and the forms each role may use there — a unit asks to extend or withdraw
//! the task, the office (or the chairman) decides, a leader asks for an explanation or
//! gives a direction, the unit answers, the office urges the unit. Each form is one
//! service call; a refused form comes back with what was typed and each field's error.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use poem::handler;
use poem::web::Path;
use serde::Serialize;
use uuid::Uuid;

use super::links::Errors;
use super::{Ctx, Form, Page, Posted, field_errors};
use crate::domain::{FollowUpKind as K, FollowUpState as S, Role};
use crate::error::{AppError, Result};
use crate::model::{AnswerInput, AskInput, ChangeRequestInput, DecisionInput, Task, TaskResult};
use crate::services::{deadline_requests, deadline_rules, follow_up_reads, follow_ups, plans};

/// A form of the panel sent back: which one, what was typed, what was wrong.
pub(crate) struct Sent {
    /// "request", "ask", "decide-<id>" or "answer-<id>".
    pub form: String,
    pub errors: Errors,
    pub values: BTreeMap<String, String>,
}

/// The panel as the task page shows it.
#[derive(Serialize)]
pub(crate) struct Panel {
    lines: Vec<Line>,
    original_deadline: Option<String>,
    withdrawn: bool,
    may_request: bool,
    may_ask: bool,
    may_urge: bool,
    plan_id: Uuid,
    unit_id: Option<Uuid>,
    form: Option<String>,
    errors: Option<Errors>,
    values: BTreeMap<String, String>,
}

/// One follow-up of the task.
#[derive(Serialize)]
struct Line {
    id: Uuid,
    at: String,
    by: Option<String>,
    summary: String,
    kind: &'static str,
    overdue: bool,
    may_decide: bool,
    may_answer: bool,
    extension: bool,
}

/// The panel of task `t` for `c`, with a form sent back if there is one.
pub(crate) async fn panel(c: &Ctx, t: &Task, result: Option<&TaskResult>, sent: Option<Sent>) -> Result<Panel> {
    let db = &c.state.db;
    let items = follow_up_reads::task_follow_ups(db, &c.actor, c.today(), t.id).await?;
    let plan = plans::get_plan(db, &c.actor, t.plan_id).await?;
    let rules = deadline_rules::get_rules(db, &c.actor, plan.data.issuer_id).await?;
    let office = c.is(&[Role::Office, Role::Admin]);
    let own = c.is(&[Role::UnitOfficer]) && c.actor.unit_id.is_some() && c.actor.unit_id == t.data.lead_unit_id;
    let live = t.archived_at.is_none();
    let accepted = result.and_then(|r| r.data.state.as_deref()) == Some("accepted");
    let open_request = items.iter().any(|f| matches!(f.kind, K::Extension | K::Withdrawal) && f.state == S::Open);
    let decides = c.is(&[Role::Signer]) || (office && !rules.signer_decides);
    let lines = items
        .into_iter()
        .map(|f| {
            let open = f.state == S::Open;
            Line {
                id: f.id,
                at: super::view::vn_time(f.opened_at),
                by: f.opened_by.clone(),
                may_decide: open && decides && live && matches!(f.kind, K::Extension | K::Withdrawal),
                may_answer: open && (own || office) && live && matches!(f.kind, K::Explanation | K::Direction),
                extension: f.kind == K::Extension,
                kind: f.kind.code(),
                overdue: f.overdue,
                summary: f.summary,
            }
        })
        .collect();
    let (form, errors, values) = match sent {
        Some(s) => (Some(s.form), Some(s.errors), s.values),
        None => (None, None, BTreeMap::new()),
    };
    let late = t.data.deadline.is_some_and(|d| d.0 < c.today());
    Ok(Panel {
        lines,
        original_deadline: t.original_deadline.map(|d| super::view::vn_day(d.0)),
        withdrawn: t.withdrawn_at.is_some(),
        may_request: (own || office) && live && !accepted && !open_request,
        may_ask: (office || c.is(&[Role::Signer])) && live && t.data.lead_unit_id.is_some(),
        may_urge: office && live && !accepted && late && t.data.lead_unit_id.is_some(),
        plan_id: t.plan_id,
        unit_id: t.data.lead_unit_id,
        form,
        errors,
        values,
    })
}

/// A date box: empty is none; a mistake is noted in `errors`.
fn date(f: &Form, key: &str, errors: &mut Errors) -> Option<NaiveDate> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match crate::domain::parse::date(&raw) {
        Ok(d) => Some(d),
        Err(why) => {
            errors.insert(key.into(), super::vietnamese(why));
            None
        }
    }
}

/// The task page again with `form` sent back, or the error page.
async fn sent_back(c: &Ctx, task: Uuid, form: &str, f: &Form, e: AppError) -> Page {
    match field_errors(&e) {
        Some(errors) => {
            let sent = Sent { form: form.to_owned(), errors, values: f.values() };
            super::results::task_page_with(c, task, sent).await
        }
        None => Err(e.into()),
    }
}

/// `POST /tasks/{id}/requests`: the unit asks to extend or withdraw the task.
#[handler]
pub(crate) async fn request(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let mut errors = Errors::new();
    let asked_on = date(&f, "asked_on", &mut errors);
    let input =
        ChangeRequestInput { kind: f.get("kind").into(), asked_on: asked_on.map(Into::into), reason: f.get("reason") };
    if !errors.is_empty() {
        return super::results::task_page_with(&c, id, Sent { form: "request".into(), errors, values: f.values() })
            .await;
    }
    match deadline_requests::request_change(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(_) => Ok(super::done(&format!("/tasks/{id}#follow-up"), "change_requested")),
        Err(e) => sent_back(&c, id, "request", &f, e).await,
    }
}

/// `POST /follow-ups/{id}/decision`: the office or the chairman decides a request.
#[handler]
pub(crate) async fn decide(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let task = f.get("task_id").parse::<Uuid>().map_err(|_| AppError::NotFound { entity: "task" })?;
    let form = format!("decide-{id}");
    let mut errors = Errors::new();
    let granted_on = date(&f, "granted_on", &mut errors);
    if !errors.is_empty() {
        return super::results::task_page_with(&c, task, Sent { form, errors, values: f.values() }).await;
    }
    let reason = Some(f.get("reason")).filter(|r| !r.trim().is_empty());
    let input = DecisionInput { decision: f.get("decision").into(), granted_on: granted_on.map(Into::into), reason };
    match deadline_requests::decide(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(d) => Ok(super::done(&format!("/tasks/{}#follow-up", d.task_id), "request_decided")),
        Err(e) => sent_back(&c, task, &form, &f, e).await,
    }
}

/// `POST /tasks/{id}/asks`: a leader asks for an explanation or gives a direction.
#[handler]
pub(crate) async fn ask(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let mut errors = Errors::new();
    let answer_by = date(&f, "answer_by", &mut errors);
    if !errors.is_empty() {
        return super::results::task_page_with(&c, id, Sent { form: "ask".into(), errors, values: f.values() }).await;
    }
    let kind = f.get("ask_kind");
    // A direction has no day to answer by.
    let answer_by = answer_by.filter(|_| kind == K::Explanation.code()).map(Into::into);
    let input = AskInput { kind: kind.into(), body: f.get("body"), answer_by };
    match follow_ups::ask(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(_) => Ok(super::done(&format!("/tasks/{id}#follow-up"), "asked")),
        Err(e) => sent_back(&c, id, "ask", &f, e).await,
    }
}

/// `POST /follow-ups/{id}/answer`: the unit answers an explanation request or a direction.
#[handler]
pub(crate) async fn answer(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let task = f.get("task_id").parse::<Uuid>().map_err(|_| AppError::NotFound { entity: "task" })?;
    let input = AnswerInput { answer: f.get("answer") };
    match follow_ups::answer(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(a) => Ok(super::done(&format!("/tasks/{}#follow-up", a.task_id), "answered")),
        Err(e) => sent_back(&c, task, &format!("answer-{id}"), &f, e).await,
    }
}
