//! A plan's tasks as the office edits them: the task form (lead and co-operating
//! units, deadline, targets typed as rows), adding, editing, deleting, archiving
//! and restoring a task. What was typed comes back with its errors.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::home::snapshot;
use super::{Ctx, Form, error_page, field_errors, js, respond, session, session_form, with_extra};
use crate::error::Result;
use crate::model::{TargetLine, TaskInput};
use crate::services::{now, plans, tasks};
use crate::state::AppState;

use super::plans::{editor, offered_units, office};

fn parse_uuid(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<Uuid> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match raw.trim().parse() {
        Ok(u) => Some(u),
        Err(_) => {
            errors.insert(key.into(), "Lựa chọn không hợp lệ".into());
            None
        }
    }
}

fn parse_date(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<NaiveDate> {
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

pub(crate) fn parse_number(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<f64> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match crate::domain::parse::number(&raw) {
        Ok(v) => Some(v),
        Err(why) => {
            errors.insert(key.into(), super::vietnamese(why));
            None
        }
    }
}

/// The task and its targets as typed (every target row of the form); form errors so
/// far. The second value maps each target line sent to the form row it came from.
fn task_input(f: &Form, errors: &mut BTreeMap<String, String>) -> (Option<TaskInput>, Vec<usize>) {
    let group = parse_uuid(f, "group_id", errors);
    let lead = parse_uuid(f, "lead_unit_id", errors);
    let mut coop = Vec::new();
    for v in f.all("cooperating_unit_ids") {
        match v.parse() {
            Ok(u) => coop.push(u),
            Err(_) => {
                errors.insert("cooperating_unit_ids".into(), "Lựa chọn không hợp lệ".into());
            }
        }
    }
    let deadline = parse_date(f, "deadline", errors);
    let (ids, descriptions, units, goals) =
        (f.all("target_id"), f.all("target_description"), f.all("target_unit"), f.all("target_goal"));
    let removed = f.all("target_remove");
    let (mut lines, mut rows) = (Vec::new(), Vec::new());
    let count = descriptions.len().max(goals.len()).max(ids.len()).max(units.len());
    for n in 0..count {
        let id = ids.get(n).and_then(|s| s.parse::<Uuid>().ok());
        let description = descriptions.get(n).map(|d| d.trim().to_owned()).unwrap_or_default();
        let unit = units.get(n).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let goal_text = goals.get(n).cloned().unwrap_or_default();
        let goal = if goal_text.trim().is_empty() {
            None
        } else {
            match crate::domain::parse::number(&goal_text) {
                Ok(v) => Some(v),
                Err(why) => {
                    errors.insert(format!("target_goal_{n}"), why.split(" / ").next().unwrap_or(why).into());
                    None
                }
            }
        };
        if removed.iter().any(|r| r == &n.to_string()) || (id.is_none() && description.is_empty() && goal.is_none()) {
            continue;
        }
        if description.is_empty() {
            errors.insert(format!("target_description_{n}"), "Nêu chỉ tiêu".into());
        }
        lines.push(TargetLine { id, description, measure_unit: unit, goal_value: goal });
        rows.push(n);
    }
    if group.is_none() {
        errors.insert("group_id".into(), "Chọn nhóm nhiệm vụ".into());
    }
    // Said at once with the other mistakes, rather than after they are fixed.
    if f.get("code").trim().is_empty() {
        errors.insert("code".into(), "Nhập mã nhiệm vụ".into());
    }
    if f.get("text").trim().is_empty() {
        errors.insert("text".into(), "Nhập nội dung nhiệm vụ".into());
    }
    let Some(group_id) = group else { return (None, rows) };
    let task = TaskInput {
        group_id,
        code: f.get("code").trim().to_owned(),
        position: None,
        text: f.get("text").trim().to_owned(),
        lead_unit_id: lead,
        cooperating_unit_ids: coop,
        deadline: deadline.map(Into::into),
        set_targets: Some(lines),
    };
    (Some(task), rows)
}

/// The target rows as typed, for putting them back on the page after a refusal.
fn typed_target_rows(f: &Form) -> Vec<Value> {
    let (ids, descriptions, units, goals) =
        (f.all("target_id"), f.all("target_description"), f.all("target_unit"), f.all("target_goal"));
    let removed = f.all("target_remove");
    let at = |v: &Vec<String>, n: usize| v.get(n).cloned().unwrap_or_default();
    let count = descriptions.len().max(goals.len()).max(ids.len()).max(units.len());
    (0..count)
        .filter(|n| {
            !at(&ids, *n).is_empty() || !at(&descriptions, *n).trim().is_empty() || !at(&goals, *n).trim().is_empty()
        })
        .map(|n| {
            json!({"n": n, "id": at(&ids, n), "description": at(&descriptions, n), "unit": at(&units, n),
                "goal": at(&goals, n), "removed": removed.iter().any(|r| r == &n.to_string())})
        })
        .collect()
}

/// The service's field names for target lines (`set_targets[2].goal_value`) as the
/// form's (`target_goal_2`), so each message sits under its own box.
fn form_error_names(errors: BTreeMap<String, String>, rows: &[usize]) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(k, v)| {
            let Some(rest) = k.strip_prefix("set_targets[") else { return (k, v) };
            let Some((n, field)) = rest.split_once("].") else { return (k, v) };
            let field = match field {
                "goal_value" => "goal",
                "measure_unit" => "unit",
                f => f,
            };
            let row = n.parse::<usize>().ok().and_then(|n| rows.get(n).copied());
            match row {
                Some(row) => (format!("target_{field}_{row}"), v),
                None => (k, v),
            }
        })
        .collect()
}

#[handler]
pub(crate) async fn create_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        let mut errors = BTreeMap::new();
        let (task, rows) = task_input(&f, &mut errors);
        if errors.is_empty()
            && let Some(task) = task
        {
            // The task and its targets are one save: nothing half-written.
            match tasks::create_task(&c.state.db, &c.actor, now(), task).await {
                Ok(t) => {
                    return Ok(super::done(
                        &format!("/plans/{id}?group={}#task-{}", t.data.group_id, t.id),
                        "task_created",
                    ));
                }
                Err(e) => errors.extend(form_error_names(field_errors(&e).ok_or(e)?, &rows)),
            }
        }
        let v = editor(
            &c,
            id,
            json!({"errors": errors, "values": f.values(), "coop": f.all("cooperating_unit_ids"),
                "target_lines": typed_target_rows(&f)}),
        )
        .await?;
        Ok(c.page("plan.html", StatusCode::UNPROCESSABLE_ENTITY, v))
    }
    .await;
    respond(&c, r)
}

async fn task_form(c: &Ctx, id: Uuid, status: StatusCode, extra: Value) -> Result<Response> {
    let t = tasks::get_task(&c.state.db, &c.actor, id).await?;
    let plan = plans::get_plan(&c.state.db, &c.actor, t.plan_id).await?;
    let s = snapshot(c, plan, None).await?;
    let mut used: Vec<Uuid> = t.data.cooperating_unit_ids.clone();
    used.extend(t.data.lead_unit_id);
    let units = offered_units(&s, &used);
    let values = json!({
        "group_id": t.data.group_id, "code": t.data.code, "text": t.data.text,
        "lead_unit_id": t.data.lead_unit_id, "deadline": t.data.deadline.map(|d| d.format("%d/%m/%Y").to_string()),
    });
    let rows: Vec<Value> = t
        .targets
        .iter()
        .enumerate()
        .map(|(n, x)| {
            json!({"n": n, "id": x.id, "description": x.data.description, "unit": x.data.measure_unit,
                "goal": super::num(x.data.goal_value), "removed": false})
        })
        .collect();
    let archived = t.archived_at.map(|at| json!({"at": super::documents::vn_time(at), "reason": t.archive_reason}));
    let mut v = json!({"task": {"id": t.id, "code": t.data.code, "archived": archived}, "plan": js(&s.plan),
        "closed": s.plan.closed_by.as_ref().filter(|c| c.correction_id.is_none()).map(js), "units": units,
        "groups": s.groups.iter().map(|g| json!({"id": g.id, "title": g.data.title})).collect::<Vec<_>>(),
        "values": values, "coop": t.data.cooperating_unit_ids, "target_lines": rows});
    // Typing not yet saved comes back (see web::keep).
    if extra.get("values").is_none() {
        let key = format!("/tasks/{id}/edit");
        let mut stored = BTreeMap::new();
        for (k, x) in [("code", &v["values"]["code"]), ("text", &v["values"]["text"])] {
            stored.insert(k.to_owned(), x.as_str().unwrap_or("").to_owned());
        }
        if let Some(d) = super::keep::restorable(c, &key, Some(t.updated_at), &stored).await {
            let f = Form(d.fields.clone());
            v["values"] = json!(f.values());
            v["coop"] = json!(f.all("cooperating_unit_ids"));
            v["target_lines"] = json!(typed_target_rows(&f));
            v["restored"] = json!({"text": super::keep::restored_notice(&d), "key": key});
        }
    }
    let v = with_extra(v, extra);
    Ok(c.page("task_form.html", status, v))
}

#[handler]
pub(crate) async fn edit_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = async {
        office(&c)?;
        task_form(&c, id, StatusCode::OK, json!({})).await
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn update_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        let mut errors = BTreeMap::new();
        let (task, rows) = task_input(&f, &mut errors);
        if errors.is_empty()
            && let Some(task) = task
        {
            match tasks::update_task(&c.state.db, &c.actor, now(), id, task).await {
                Ok(t) => return Ok(super::done(&format!("/plans/{}#task-{}", t.plan_id, t.id), "task_saved")),
                Err(e) => errors.extend(form_error_names(field_errors(&e).ok_or(e)?, &rows)),
            }
        }
        task_form(
            &c,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"errors": errors, "values": f.values(), "coop": f.all("cooperating_unit_ids"),
                "target_lines": typed_target_rows(&f)}),
        )
        .await
    }
    .await;
    match r {
        Ok(resp) => resp,
        Err(e) => error_page(Some(&c), &e),
    }
}

/// Deletes a task that has no reported result or evidence (the service refuses
/// otherwise, and the form says why).
#[handler]
pub(crate) async fn delete_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        let t = tasks::get_task(&c.state.db, &c.actor, id).await?;
        match tasks::delete_task(&c.state.db, &c.actor, now(), id).await {
            Ok(()) => Ok(super::done(&format!("/plans/{}", t.plan_id), "task_deleted")),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                task_form(&c, id, StatusCode::CONFLICT, json!({"errors": errors, "delete_refused": true})).await
            }
        }
    }
    .await;
    respond(&c, r)
}

/// Archives a task that was reported on (with the reason typed on its form).
#[handler]
pub(crate) async fn archive_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        match tasks::archive_task(&c.state.db, &c.actor, now(), id, &f.get("reason")).await {
            Ok(t) => Ok(super::done(&format!("/plans/{}", t.plan_id), "task_archived")),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                task_form(
                    &c,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"errors": errors, "archive_reason": f.get("reason")}),
                )
                .await
            }
        }
    }
    .await;
    respond(&c, r)
}

/// Brings an archived task back into the plan.
#[handler]
pub(crate) async fn restore_task(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        match tasks::restore_task(&c.state.db, &c.actor, now(), id).await {
            Ok(_) => Ok(super::done(&format!("/tasks/{id}/edit"), "task_restored")),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                task_form(&c, id, StatusCode::CONFLICT, json!({"errors": errors})).await
            }
        }
    }
    .await;
    respond(&c, r)
}
