//! A plan's tasks as the office edits them: the task form (lead and co-operating
//! units, deadline, targets typed as rows), adding, editing, deleting, archiving
//! and restoring a task. What was typed comes back with its errors.

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use poem::web::Path;
use serde::Serialize;
use uuid::Uuid;

use super::plans::{UnitChoice, editor, offered_units, office};
use super::records::snapshot;
use super::task_form::{TargetRow, form_error_names, task_input, typed_target_rows};
use super::view::{Api, Named, vn_day};
use super::{Ctx, Form, Page, Posted, field_errors};
use crate::model::{Plan, PlanClosure};
use crate::services::{plans, tasks};

/// `POST /plans/{id}/tasks`: assigns a new task with its targets.
#[handler]
pub(crate) async fn create_task(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    office(&c)?;
    let mut errors = BTreeMap::new();
    let (task, rows) = task_input(&f, &mut errors);
    if errors.is_empty()
        && let Some(task) = task
    {
        // The task and its targets are one save: nothing half-written.
        match tasks::create_task(&c.state.db, &c.actor, c.now(), task).await {
            Ok(t) => {
                return Ok(super::done(
                    &format!("/plans/{id}?group={}#task-{}", t.data.group_id, t.id),
                    "task_created",
                ));
            }
            Err(e) => match field_errors(&e) {
                Some(found) => errors.extend(form_error_names(found, &rows)),
                None => return Err(e.into()),
            },
        }
    }
    editor(&c, id, StatusCode::UNPROCESSABLE_ENTITY, None, Some((errors, &f))).await
}

/// The task form page.
#[derive(Serialize)]
struct TaskFormView<'a> {
    task: TaskHead<'a>,
    plan: Api<'a, Plan>,
    /// The report that closed the plan's year, unless a correction reopened it.
    closed: Option<Api<'a, PlanClosure>>,
    units: Vec<UnitChoice>,
    groups: Vec<Named>,
    /// The form's boxes: as stored, as typed, or a kept draft's.
    values: BTreeMap<String, String>,
    /// The co-operating units ticked.
    coop: Vec<String>,
    target_lines: Vec<TargetRow>,
    /// A kept draft put back in the form, and the key to discard it by.
    restored: Option<Restored>,
    errors: Option<BTreeMap<String, String>>,
    /// The archive reason of a refused archive.
    archive_reason: Option<String>,
    /// Whether a delete was just refused.
    delete_refused: bool,
}

/// The task the form edits.
#[derive(Serialize)]
struct TaskHead<'a> {
    id: Uuid,
    code: &'a str,
    archived: Option<Archived<'a>>,
}

/// When and why a task was archived.
#[derive(Serialize)]
struct Archived<'a> {
    at: String,
    reason: Option<&'a str>,
}

/// What the page says over a kept draft put back in the form.
#[derive(Serialize)]
struct Restored {
    text: String,
    key: String,
}

/// What a refused action puts back on the task form.
#[derive(Default)]
struct Refused<'f> {
    errors: Option<BTreeMap<String, String>>,
    /// The form as typed; without it, the task as stored (or a newer kept draft).
    typed: Option<&'f Form>,
    archive_reason: Option<String>,
    delete_refused: bool,
}

/// The form of task `id`, answered with `status`.
async fn task_form(c: &Ctx, id: Uuid, status: StatusCode, refused: Refused<'_>) -> Page {
    let t = tasks::get_task(&c.state.db, &c.actor, id).await?;
    let plan = plans::get_plan(&c.state.db, &c.actor, t.plan_id).await?;
    let s = snapshot(c, plan, None).await?;
    let mut used: Vec<Uuid> = t.data.cooperating_unit_ids.clone();
    used.extend(t.data.lead_unit_id);
    let mut values = BTreeMap::from([
        ("group_id".to_owned(), t.data.group_id.to_string()),
        ("code".to_owned(), t.data.code.clone()),
        ("text".to_owned(), t.data.text.clone()),
    ]);
    if let Some(u) = t.data.lead_unit_id {
        values.insert("lead_unit_id".to_owned(), u.to_string());
    }
    if let Some(d) = t.data.deadline {
        values.insert("deadline".to_owned(), vn_day(d.0));
    }
    let mut coop: Vec<String> = t.data.cooperating_unit_ids.iter().map(Uuid::to_string).collect();
    let mut target_lines: Vec<TargetRow> = t
        .targets
        .iter()
        .enumerate()
        .map(|(n, x)| TargetRow {
            n,
            id: x.id.to_string(),
            description: x.data.description.clone(),
            unit: x.data.measure_unit.clone(),
            goal: super::num(x.data.goal_value),
            removed: false,
        })
        .collect();
    let mut restored = None;
    let mut put_back = |f: &Form| {
        values = f.values();
        coop = f.all("cooperating_unit_ids");
        target_lines = typed_target_rows(f);
    };
    match refused.typed {
        Some(f) => put_back(f),
        // Typing not yet saved comes back (see web::keep).
        None => {
            let key = format!("/tasks/{id}/edit");
            let stored =
                BTreeMap::from([("code".to_owned(), t.data.code.clone()), ("text".to_owned(), t.data.text.clone())]);
            if let Some(d) = super::keep::restorable(c, &key, Some(t.updated_at), &stored).await {
                put_back(&Form(d.fields.clone()));
                restored = Some(Restored { text: super::keep::restored_notice(&d), key });
            }
        }
    }
    let view = TaskFormView {
        task: TaskHead {
            id: t.id,
            code: &t.data.code,
            archived: t
                .archived_at
                .map(|at| Archived { at: super::view::vn_time(at), reason: t.archive_reason.as_deref() }),
        },
        plan: Api(&s.plan),
        closed: s.plan.closed_by.as_ref().filter(|c| c.correction_id.is_none()).map(Api),
        units: offered_units(&s, &used),
        groups: s.groups.iter().map(|g| Named { id: g.id, name: g.data.title.clone() }).collect(),
        values,
        coop,
        target_lines,
        restored,
        errors: refused.errors,
        archive_reason: refused.archive_reason,
        delete_refused: refused.delete_refused,
    };
    Ok(c.page("task_form.html", status, view))
}

/// `GET /tasks/{id}/edit`: the task form.
#[handler]
pub(crate) async fn edit_task(Path(id): Path<Uuid>, c: Ctx) -> Page {
    office(&c)?;
    task_form(&c, id, StatusCode::OK, Refused::default()).await
}

/// `POST /tasks/{id}/edit`: saves the task and its targets.
#[handler]
pub(crate) async fn update_task(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    office(&c)?;
    let mut errors = BTreeMap::new();
    let (task, rows) = task_input(&f, &mut errors);
    if errors.is_empty()
        && let Some(task) = task
    {
        match tasks::update_task(&c.state.db, &c.actor, c.now(), id, task).await {
            Ok(t) => return Ok(super::done(&format!("/plans/{}#task-{}", t.plan_id, t.id), "task_saved")),
            Err(e) => match field_errors(&e) {
                Some(found) => errors.extend(form_error_names(found, &rows)),
                None => return Err(e.into()),
            },
        }
    }
    let refused = Refused { errors: Some(errors), typed: Some(&f), ..Refused::default() };
    task_form(&c, id, StatusCode::UNPROCESSABLE_ENTITY, refused).await
}

/// Deletes a task that has no reported result or evidence (the service refuses
/// otherwise, and the form says why).
#[handler]
pub(crate) async fn delete_task(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    office(&c)?;
    let t = tasks::get_task(&c.state.db, &c.actor, id).await?;
    match tasks::delete_task(&c.state.db, &c.actor, c.now(), id).await {
        Ok(()) => Ok(super::done(&format!("/plans/{}", t.plan_id), "task_deleted")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let refused = Refused { errors: Some(errors), delete_refused: true, ..Refused::default() };
                task_form(&c, id, StatusCode::CONFLICT, refused).await
            }
            None => Err(e.into()),
        },
    }
}

/// Archives a task that was reported on (with the reason typed on its form).
#[handler]
pub(crate) async fn archive_task(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    office(&c)?;
    match tasks::archive_task(&c.state.db, &c.actor, c.now(), id, &f.get("reason")).await {
        Ok(t) => Ok(super::done(&format!("/plans/{}", t.plan_id), "task_archived")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let refused =
                    Refused { errors: Some(errors), archive_reason: Some(f.get("reason")), ..Refused::default() };
                task_form(&c, id, StatusCode::UNPROCESSABLE_ENTITY, refused).await
            }
            None => Err(e.into()),
        },
    }
}

/// Brings an archived task back into the plan.
#[handler]
pub(crate) async fn restore_task(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    office(&c)?;
    match tasks::restore_task(&c.state.db, &c.actor, c.now(), id).await {
        Ok(_) => Ok(super::done(&format!("/tasks/{id}/edit"), "task_restored")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                task_form(&c, id, StatusCode::CONFLICT, Refused { errors: Some(errors), ..Refused::default() }).await
            }
            None => Err(e.into()),
        },
    }
}
