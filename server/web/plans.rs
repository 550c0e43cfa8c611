//! The plan editor (office): groups, tasks with their lead and co-operating units,
//! deadline and targets, the plan's rubric; carry forward; starting the plan's
//! year-end report and its assignment plan document.

use std::collections::BTreeMap;

use chrono::Datelike;
use poem::handler;
use poem::http::StatusCode;
use poem::web::{Path, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records::{Snapshot, snapshot, standing};
use super::task_form::{TargetRow, typed_target_rows};
use super::view::{Api, Named, vn_day};
use super::{Ctx, Form, Page, Posted, field_errors, redirect};
use crate::domain::{DocumentKind, Role};
use crate::error::{AppError, Result};
use crate::model::{GroupInput, Paging, Plan, PlanClosure, PlanInput, Rubric};
use crate::services::{drafting, groups, plans, rubrics, tasks};

/// Refuses whoever is not of the office (or an administrator).
pub(crate) fn office(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin, Role::Office]) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The plans page.
#[derive(Serialize)]
struct PlansView<'a> {
    plans: Vec<Api<'a, Plan>>,
    can_add: bool,
    /// The new plan's form: what was typed, or this year's defaults.
    values: BTreeMap<String, String>,
    errors: Option<BTreeMap<String, String>>,
}

/// The plans, and (for the office) the form that starts an empty one.
async fn plan_list(
    c: &Ctx,
    status: StatusCode,
    values: Option<BTreeMap<String, String>>,
    errors: Option<BTreeMap<String, String>>,
) -> Page {
    let page = plans::list_plans(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 100 }).await?;
    let values = values.unwrap_or_else(|| {
        let year = c.today().year();
        BTreeMap::from([
            ("year".to_owned(), year.to_string()),
            ("title".to_owned(), format!("Nhiệm vụ trọng tâm năm {year}")),
        ])
    });
    let view = PlansView {
        plans: page.items.iter().map(Api).collect(),
        can_add: office(c).is_ok() && c.actor.issuer_id.is_some(),
        values,
        errors,
    };
    Ok(c.page("plans.html", status, view))
}

/// `GET /plans`.
#[handler]
pub(crate) async fn list(c: Ctx) -> Page {
    plan_list(&c, StatusCode::OK, None, None).await
}

/// Starts an empty plan for a year (the office adds its groups and tasks next).
#[handler]
pub(crate) async fn create(Posted(c, f): Posted) -> Page {
    office(&c)?;
    let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
    let Ok(year) = f.get("year").trim().parse::<i32>() else {
        let errors = BTreeMap::from([("year".to_owned(), "Nhập năm bằng số, ví dụ 2027".to_owned())]);
        return plan_list(&c, StatusCode::UNPROCESSABLE_ENTITY, Some(f.values()), Some(errors)).await;
    };
    let input = PlanInput {
        issuer_id,
        year,
        title: f.get("title").trim().to_owned(),
        based_on: super::lines(&f.get("based_on")),
        rubric_id: None,
        reminder_policy: None,
    };
    match plans::create_plan(&c.state.db, &c.actor, c.now(), input).await {
        Ok(p) => Ok(super::done(&format!("/plans/{}", p.id), "plan_created")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let errors = super::box_errors(errors);
                plan_list(&c, StatusCode::UNPROCESSABLE_ENTITY, Some(f.values()), Some(errors)).await
            }
            None => Err(e.into()),
        },
    }
}

/// The plan editor page.
#[derive(Serialize)]
struct PlanView<'a> {
    plan: Api<'a, Plan>,
    groups: Vec<GroupView<'a>>,
    units: Vec<UnitChoice>,
    rubrics: Vec<Api<'a, Rubric>>,
    closure: Option<Api<'a, PlanClosure>>,
    archived: Vec<ArchivedRow<'a>>,
    can_edit: bool,
    can_manage: bool,
    /// The plan's year-end reports, each named by [`super::documents::label_of`].
    reports: Vec<Named>,
    /// Field errors of a refused form.
    errors: Option<BTreeMap<String, String>>,
    /// The new task's form: what was typed, or the chosen group and its next code.
    values: Option<BTreeMap<String, String>>,
    /// The co-operating units ticked on a refused form.
    coop: Vec<String>,
    /// The target rows of a refused form.
    target_lines: Vec<TargetRow>,
}

/// A group of the plan with its tasks.
#[derive(Serialize)]
struct GroupView<'a> {
    id: Uuid,
    title: &'a str,
    tasks: Vec<TaskRow<'a>>,
    /// The code suggested for the group's next task.
    next_code: String,
}

/// A task as the plan lists it.
#[derive(Serialize)]
struct TaskRow<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    lead: Option<&'a str>,
    cooperating: Vec<&'a str>,
    deadline: Option<String>,
    targets: Vec<Goal<'a>>,
    /// Where the task stands, as its code.
    standing: &'static str,
}

/// A target as the plan lists it.
#[derive(Serialize)]
struct Goal<'a> {
    description: &'a str,
    goal: Option<String>,
    unit: Option<&'a str>,
}

/// An archived task of the plan.
#[derive(Serialize)]
struct ArchivedRow<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    reason: Option<&'a str>,
    at: Option<String>,
}

/// One unit a task form offers.
#[derive(Serialize)]
pub(super) struct UnitChoice {
    id: Uuid,
    name: String,
    short: String,
}

/// The plan editor with everything it shows, answered with `status`. A refused
/// form (its field errors and the form) comes back as typed; otherwise the new
/// task's form has `chosen` (the group the last task went to) or the first group
/// chosen, and that group's next code.
pub(super) async fn editor(
    c: &Ctx,
    id: Uuid,
    status: StatusCode,
    chosen: Option<Uuid>,
    refused: Option<(BTreeMap<String, String>, &Form)>,
) -> Page {
    let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
    let s = snapshot(c, plan, None).await?;
    let today = c.today();
    let units = offered_units(&s, &[]);
    let unit_name = |u: &Uuid| s.units.get(u).map_or("", |u| u.data.name.as_str());
    let groups = s
        .groups
        .iter()
        .map(|g| {
            let tasks = s
                .tasks
                .iter()
                .filter(|t| t.data.group_id == g.id)
                .map(|t| TaskRow {
                    id: t.id,
                    code: &t.data.code,
                    text: &t.data.text,
                    lead: t.data.lead_unit_id.as_ref().map(unit_name),
                    cooperating: t.data.cooperating_unit_ids.iter().map(unit_name).collect(),
                    deadline: t.data.deadline.map(|d| vn_day(d.0)),
                    targets: t
                        .targets
                        .iter()
                        .map(|x| Goal {
                            description: &x.data.description,
                            goal: super::num(x.data.goal_value),
                            unit: x.data.measure_unit.as_deref(),
                        })
                        .collect(),
                    standing: standing(t, s.results.get(&t.id), today),
                })
                .collect();
            GroupView { id: g.id, title: &g.data.title, tasks, next_code: next_code(&s, g.id) }
        })
        .collect();
    let (errors, values, coop, target_lines) = match refused {
        Some((errors, f)) => (Some(errors), Some(f.values()), f.all("cooperating_unit_ids"), typed_target_rows(f)),
        // After an add: the same group chosen and its next code suggested.
        None => {
            let g = chosen.filter(|g| s.groups.iter().any(|x| x.id == *g)).or_else(|| s.groups.first().map(|g| g.id));
            let values = g.map(|g| {
                BTreeMap::from([("group_id".to_owned(), g.to_string()), ("code".to_owned(), next_code(&s, g))])
            });
            (None, values, Vec::new(), Vec::new())
        }
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
    let can_manage = c.is(&[Role::Admin, Role::Office]);
    // A closed year offers no task editing; its documents and next year stay open.
    let closed = s.plan.closed_by.as_ref().is_some_and(|c| c.correction_id.is_none());
    let reports = match can_manage {
        true => drafting::reports_of_plan(&c.state.db, &c.actor, id)
            .await?
            .iter()
            .map(|d| Named { id: d.id, name: super::documents::label_of(d) })
            .collect(),
        false => Vec::new(),
    };
    let view = PlanView {
        plan: Api(&s.plan),
        groups,
        units,
        rubrics: rubric_list.items.iter().map(Api).collect(),
        closure: s.plan.closed_by.as_ref().map(Api),
        archived: archived
            .items
            .iter()
            .map(|t| ArchivedRow {
                id: t.id,
                code: &t.data.code,
                text: &t.data.text,
                reason: t.archive_reason.as_deref(),
                at: t.archived_at.map(super::view::vn_time),
            })
            .collect(),
        can_edit: can_manage && !closed,
        can_manage,
        reports,
        errors,
        values,
        coop,
        target_lines,
    };
    Ok(c.page("plan.html", status, view))
}

/// What `GET /plans/{id}` reads from its query.
#[derive(Deserialize)]
pub(crate) struct ShowQuery {
    /// The group the last task was added to: chosen again for the next one.
    group: Option<String>,
}

/// `GET /plans/{id}`: the plan editor.
#[handler]
pub(crate) async fn show(Path(id): Path<Uuid>, Query(q): Query<ShowQuery>, c: Ctx) -> Page {
    let group = q.group.and_then(|g| g.parse::<Uuid>().ok());
    editor(&c, id, StatusCode::OK, group, None).await
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

/// `POST /plans/{id}/groups`: adds a group at the end of the plan.
#[handler]
pub(crate) async fn create_group(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let input =
        GroupInput { plan_id: id, position: None, title: f.get("title").trim().to_owned(), summary_title: None };
    match groups::create_group(&c.state.db, &c.actor, c.now(), input).await {
        Ok(_) => Ok(super::done(&format!("/plans/{id}"), "group_created")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let errors = with_prefix(errors, "group_");
                editor(&c, id, StatusCode::UNPROCESSABLE_ENTITY, None, Some((errors, &f))).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /plans/{id}/rubric`: the rubric the plan's tasks are graded by.
#[handler]
pub(crate) async fn set_rubric(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
    let mut input = plan.data;
    input.rubric_id = f.opt("rubric_id").and_then(|r| r.parse().ok());
    plans::update_plan(&c.state.db, &c.actor, c.now(), id, input).await?;
    Ok(redirect(&format!("/plans/{id}")))
}

/// `POST /plans/{id}/carry-forward`: next year's plan from the proposals, opened.
#[handler]
pub(crate) async fn carry_forward(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    let cf = plans::carry_forward(&c.state.db, &c.actor, c.now(), id).await?;
    Ok(redirect(&format!("/plans/{}", cf.plan.id)))
}

/// Starts next year's plan as a copy of this one and opens it.
#[handler]
pub(crate) async fn copy_forward(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    let cf = plans::copy_forward(&c.state.db, &c.actor, c.now(), id).await?;
    Ok(super::done(&format!("/plans/{}", cf.plan.id), "plan_copied"))
}

/// Starts the assignment plan document (kind "plan") and opens it.
#[handler]
pub(crate) async fn assignment(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    start(&c, id, DocumentKind::Plan).await
}

/// Starts the plan's year-end report, prefilled, and opens it.
#[handler]
pub(crate) async fn report(Path(id): Path<Uuid>, Posted(c, _): Posted) -> Page {
    start(&c, id, DocumentKind::Report).await
}

/// Starts a document of the plan and opens it.
async fn start(c: &Ctx, id: Uuid, kind: DocumentKind) -> Page {
    let start = drafting::Start { plan_id: id, kind, subject: None };
    let d = drafting::start_document(&c.state.db, &c.actor, c.now(), start).await?;
    Ok(redirect(&format!("/documents/{}", d.id)))
}

/// The units a task form offers: the active ones, and any deactivated unit the
/// task already has (`used`), marked so.
pub(super) fn offered_units(s: &Snapshot, used: &[Uuid]) -> Vec<UnitChoice> {
    let mut offered: Vec<_> = s.units.values().collect();
    offered.sort_by_cached_key(|u| crate::domain::text::collation_key(&u.data.short_name));
    offered
        .into_iter()
        .filter(|u| u.deactivated_at.is_none() || used.contains(&u.id))
        .map(|u| {
            let gone = if u.deactivated_at.is_some() { " (đã ngừng hoạt động)" } else { "" };
            UnitChoice {
                id: u.id,
                name: format!("{}{gone}", u.data.name),
                short: format!("{}{gone}", u.data.short_name),
            }
        })
        .collect()
}

/// Field errors named as the form's boxes are (`title` → `group_title`); the
/// form-wide one (`_`) stays.
pub(super) fn with_prefix(errors: BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    errors.into_iter().map(|(k, v)| (if k == "_" { k } else { format!("{prefix}{k}") }, v)).collect()
}
