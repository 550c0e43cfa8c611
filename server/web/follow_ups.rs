//! The forms of the task page's "Theo dõi hạn" panel: a unit asks to extend or withdraw
//! the task, the office (or the chairman) decides, a leader asks for an explanation or
//! gives a direction, the unit answers, the office urges the unit. Each form is one
//! service call; a refused form comes back with what was typed and each field's error.

use std::collections::BTreeMap;

use poem::handler;
use poem::web::Path;
use uuid::Uuid;

use super::follow_up_panel::Sent;
use super::task_form::parse_date;
use super::{Ctx, Form, Page, Posted, field_errors};
use crate::domain::FollowUpKind as K;
use crate::error::AppError;
use crate::model::{AnswerInput, AskInput, ChangeRequestInput, DecisionInput};
use crate::services::{deadline_requests, follow_ups};

/// Each field's error.
type Errors = BTreeMap<String, String>;

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
    let asked_on = parse_date(&f, "asked_on", &mut errors);
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
    let granted_on = parse_date(&f, "granted_on", &mut errors);
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
    let answer_by = parse_date(&f, "answer_by", &mut errors);
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
