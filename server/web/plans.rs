//! The plan editor (office): groups, tasks with their lead and co-operating units,
//! deadline and targets, the plan's rubric; carry forward; starting the plan's
//! year-end report and its assignment plan document.

use std::collections::BTreeMap;

use chrono::Datelike;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::home::{Snapshot, snapshot, standing, today};
use super::{Ctx, field_errors, js, redirect, respond, session, session_form, with_extra};
use crate::domain::{DocumentKind, Role};
use crate::error::{AppError, Result};
use crate::model::{GroupInput, Paging, PlanInput};
use crate::services::{drafting, groups, now, plans, rubrics, tasks};
use crate::state::AppState;

pub(crate) fn office(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin, Role::Office]) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The plans, and (for the office) the form that starts an empty one.
async fn plan_list(
    c: &Ctx,
    status: StatusCode,
    values: Value,
    errors: Option<BTreeMap<String, String>>,
) -> Result<Response> {
    let page = plans::list_plans(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 100 }).await?;
    let year = today().year();
    let values = if values.is_null() {
        json!({"year": year, "title": format!("Nhiệm vụ trọng tâm năm {year}")})
    } else {
        values
    };
    Ok(c.page(
        "plans.html",
        status,
        json!({"plans": js(&page.items), "can_add": office(c).is_ok() && c.actor.issuer_id.is_some(),
            "values": values, "errors": errors}),
    ))
}

#[handler]
pub(crate) async fn list(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = plan_list(&c, StatusCode::OK, Value::Null, None).await;
    respond(&c, r)
}

/// Starts an empty plan for a year (the office adds its groups and tasks next).
#[handler]
pub(crate) async fn create(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
        let Ok(year) = f.get("year").trim().parse::<i32>() else {
            let errors = BTreeMap::from([("year".to_owned(), "Nhập năm bằng số, ví dụ 2027".to_owned())]);
            return plan_list(&c, StatusCode::UNPROCESSABLE_ENTITY, json!(f.values()), Some(errors)).await;
        };
        let input = PlanInput {
            issuer_id,
            year,
            title: f.get("title").trim().to_owned(),
            based_on: super::lines(&f.get("based_on")),
            rubric_id: None,
            reminder_policy: None,
        };
        match plans::create_plan(&c.state.db, &c.actor, now(), input).await {
            Ok(p) => Ok(super::done(&format!("/plans/{}", p.id), "plan_created")),
            Err(e) => match field_errors(&e) {
                Some(errors) => {
                    let errors = super::box_errors(errors);
                    plan_list(&c, StatusCode::UNPROCESSABLE_ENTITY, json!(f.values()), Some(errors)).await
                }
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}

/// Everything the editor shows, plus what a failed form typed.
pub(super) async fn editor(c: &Ctx, id: Uuid, extra: Value) -> Result<Value> {
    let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
    let s = snapshot(c, plan, None).await?;
    let today = today();
    let units = offered_units(&s, &[]);
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            let tasks: Vec<Value> = s
                .tasks
                .iter()
                .filter(|t| t.data.group_id == g.id)
                .map(|t| {
                    let unit_name = |u: &Uuid| s.units.get(u).map(|u| u.data.name.clone()).unwrap_or_default();
                    json!({"id": t.id, "code": t.data.code, "text": t.data.text,
                        "lead": t.data.lead_unit_id.as_ref().map(unit_name),
                        "cooperating": t.data.cooperating_unit_ids.iter().map(unit_name).collect::<Vec<_>>(),
                        "deadline": t.data.deadline.map(|d| d.format("%d/%m/%Y").to_string()),
                        "targets": t.targets.iter().map(|x| json!({"description": x.data.description,
                            "goal": super::num(x.data.goal_value), "unit": x.data.measure_unit})).collect::<Vec<_>>(),
                        "standing": standing(t, s.results.get(&t.id), today)})
                })
                .collect();
            json!({"id": g.id, "title": g.data.title, "tasks": tasks, "next_code": next_code(&s, g.id)})
        })
        .collect();
    // After an add: the same group chosen and its next code suggested.
    let extra = match (extra.get("values"), extra.get("chosen_group").and_then(|g| g.as_str())) {
        (None, chosen) => {
            let g = chosen
                .and_then(|g| g.parse::<Uuid>().ok())
                .filter(|g| s.groups.iter().any(|x| x.id == *g))
                .or_else(|| s.groups.first().map(|g| g.id));
            match g {
                Some(g) => with_extra(extra, json!({"values": {"group_id": g.to_string(), "code": next_code(&s, g)}})),
                None => extra,
            }
        }
        _ => extra,
    };
    let rubric_list =
        rubrics::list_rubrics(&c.state.db, &c.actor, Some(s.plan.data.issuer_id), Paging { page: 1, per_page: 100 })
            .await?;
    let archived = tasks::list_tasks(
        &c.state.db,
        &c.actor,
        tasks::TaskFilter { plan_id: Some(id), archived: true, ..Default::default() },
        Paging { page: 1, per_page: 200 },
    )
    .await?;
    let archived: Vec<Value> = archived
        .items
        .iter()
        .map(|t| {
            json!({"id": t.id, "code": t.data.code, "text": t.data.text, "reason": t.archive_reason,
            "at": t.archived_at.map(super::documents::vn_time)})
        })
        .collect();
    let can_manage = c.is(&[Role::Admin, Role::Office]);
    // A closed year offers no task editing; its documents and next year stay open.
    let closed = s.plan.closed_by.as_ref().is_some_and(|c| c.correction_id.is_none());
    let reports: Vec<Value> = match can_manage {
        true => drafting::reports_of_plan(&c.state.db, &c.actor, id)
            .await?
            .iter()
            .map(|d| json!({"id": d.id, "label": super::documents::label_of(d)}))
            .collect(),
        false => Vec::new(),
    };
    let v = with_extra(
        json!({"plan": js(&s.plan), "groups": groups, "units": units, "rubrics": js(&rubric_list.items),
        "closure": js(&s.plan.closed_by), "archived": archived, "can_edit": can_manage && !closed,
        "can_manage": can_manage, "reports": reports}),
        extra,
    );
    Ok(v)
}

#[derive(serde::Deserialize)]
pub(crate) struct ShowQuery {
    /// The group the last task was added to: chosen again for the next one.
    group: Option<String>,
}

#[handler]
pub(crate) async fn show(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    poem::web::Query(q): poem::web::Query<ShowQuery>,
) -> Response {
    let c = session!(state, req);
    let group = q.group.and_then(|g| g.parse::<Uuid>().ok());
    let r =
        async { Ok(c.page("plan.html", StatusCode::OK, editor(&c, id, json!({"chosen_group": group})).await?)) }.await;
    respond(&c, r)
}

/// The code that follows a group's last one ("2.3" → "2.4"; an empty second group
/// starts at "2.1").
pub(super) fn next_code(s: &Snapshot, group: Uuid) -> String {
    let last =
        s.tasks.iter().filter(|t| t.data.group_id == group).max_by_key(|t| t.data.position).map(|t| &t.data.code);
    match last {
        Some(code) => {
            let digits = code.len() - code.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let (head, tail) = code.split_at(code.len() - digits);
            match tail.parse::<u64>() {
                Ok(n) if digits > 0 => format!("{head}{}", n + 1),
                _ => format!("{code}.1"),
            }
        }
        None => {
            let n = s.groups.iter().position(|g| g.id == group).map_or(1, |i| i + 1);
            format!("{n}.1")
        }
    }
}

#[handler]
pub(crate) async fn create_group(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let input =
            GroupInput { plan_id: id, position: None, title: f.get("title").trim().to_owned(), summary_title: None };
        match groups::create_group(&c.state.db, &c.actor, now(), input).await {
            Ok(_) => Ok(super::done(&format!("/plans/{id}"), "group_created")),
            Err(e) => {
                let errors = with_prefix(field_errors(&e).ok_or(e)?, "group_");
                let v = editor(&c, id, json!({"errors": errors, "values": f.values()})).await?;
                Ok(c.page("plan.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
        }
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn set_rubric(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
        let mut input = plan.data;
        input.rubric_id = f.opt("rubric_id").and_then(|r| r.parse().ok());
        plans::update_plan(&c.state.db, &c.actor, now(), id, input).await?;
        Ok(redirect(&format!("/plans/{id}")))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn carry_forward(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let cf = plans::carry_forward(&c.state.db, &c.actor, now(), id).await?;
        Ok(redirect(&format!("/plans/{}", cf.plan.id)))
    }
    .await;
    respond(&c, r)
}

/// Starts next year's plan as a copy of this one and opens it.
#[handler]
pub(crate) async fn copy_forward(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let cf = plans::copy_forward(&c.state.db, &c.actor, now(), id).await?;
        Ok(super::done(&format!("/plans/{}", cf.plan.id), "plan_copied"))
    }
    .await;
    respond(&c, r)
}

/// Starts the assignment plan document (kind "plan") and opens it.
#[handler]
pub(crate) async fn assignment(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    start(state, req, id, body, DocumentKind::Plan).await
}

/// Starts the plan's year-end report, prefilled, and opens it.
#[handler]
pub(crate) async fn report(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    start(state, req, id, body, DocumentKind::Report).await
}

async fn start(state: Data<&AppState>, req: &Request, id: Uuid, body: Body, kind: DocumentKind) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let start = drafting::Start { plan_id: id, kind, subject: None };
        let d = drafting::start_document(&c.state.db, &c.actor, now(), start).await?;
        Ok(redirect(&format!("/documents/{}", d.id)))
    }
    .await;
    respond(&c, r)
}

/// The units a task form offers: the active ones, and any deactivated unit the
/// task already has (`used`), marked so.
pub(super) fn offered_units(s: &Snapshot, used: &[Uuid]) -> Vec<Value> {
    let mut offered: Vec<_> = s.units.values().collect();
    offered.sort_by_cached_key(|u| crate::domain::text::collation_key(&u.data.short_name));
    offered
        .into_iter()
        .filter(|u| u.deactivated_at.is_none() || used.contains(&u.id))
        .map(|u| {
            let gone = if u.deactivated_at.is_some() { " (đã ngừng hoạt động)" } else { "" };
            json!({"id": u.id, "name": format!("{}{gone}", u.data.name), "short": format!("{}{gone}", u.data.short_name)})
        })
        .collect()
}

pub(super) fn with_prefix(errors: BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    errors.into_iter().map(|(k, v)| (if k == "_" { k } else { format!("{prefix}{k}") }, v)).collect()
}
