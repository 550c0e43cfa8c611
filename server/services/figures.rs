//! A plan at a glance: its tasks with their results and units read once (kept while
//! nothing changes), where each task stands today, the counts per lead unit and per
//! group, and the task list narrowed by unit, group, standing, deadline and words.
//!
//! A task with no lead unit or no deadline is "not yet assigned", never "on track". The
//! dashboard, the `/tasks` filters, the spreadsheets, the calendar feeds and `GET
//! /plans/{id}/figures` all read this one snapshot, so they cannot disagree.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

use super::{groups, plans, results, tasks, units};
use crate::domain::deadlines::{self as deadline, DeadlineRules};
use crate::domain::text::fold;
use crate::domain::{ResultState, Timeliness};
use crate::error::Result;
use crate::model::{Counts, FigureRow, Group, LateTask, Paging, Plan, PlanFigures, Standing, Task, TaskResult, Unit};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::cache::{Key, Versioned};

/// How many days before a deadline a task counts as due soon.
pub const DUE_SOON_DAYS: i64 = 14;

/// One plan's tasks with their results and units, as one actor may see them.
pub struct Snapshot {
    /// The plan.
    pub plan: Plan,
    /// Its groups, in order.
    pub groups: Vec<Group>,
    /// Its tasks (only a unit's own when narrowed to it), in order.
    pub tasks: Vec<Task>,
    /// The tasks' results by task.
    pub results: BTreeMap<Uuid, TaskResult>,
    /// The issuer's units by id.
    pub units: BTreeMap<Uuid, Unit>,
    /// The issuer's deadline rules (the risk thresholds).
    pub rules: DeadlineRules,
}

/// The plan's snapshot as `actor` may see it (narrowed to `unit`'s tasks when given),
/// kept while nothing changes (see `storage::cache`).
pub async fn snapshot(db: &Db, actor: &Actor, plan: Plan, unit: Option<Uuid>) -> Result<Arc<Snapshot>> {
    let key = crate::storage::cache::Key::new("plan_snapshot", actor, format!("{}/{unit:?}", plan.id));
    db.cached(key, || load(db, actor, plan, unit)).await
}

async fn load(db: &Db, actor: &Actor, plan: Plan, unit: Option<Uuid>) -> Result<Snapshot> {
    let all = Paging { page: 1, per_page: Paging::MAX_PER_PAGE };
    let groups = groups::list_groups(db, actor, plan.id).await?;
    let filter = tasks::TaskFilter { plan_id: Some(plan.id), unit_id: unit, ..Default::default() };
    let mut task_list = Vec::new();
    for page in 1.. {
        let p = tasks::list_tasks(db, actor, filter.clone(), Paging { page, ..all }).await?;
        let done = (page * all.per_page) >= p.total;
        task_list.extend(p.items);
        if done {
            break;
        }
    }
    let mut result_map = BTreeMap::new();
    for page in 1.. {
        let p = results::list_results(db, actor, Some(plan.id), None, None, Paging { page, ..all }).await?;
        let done = (page * all.per_page) >= p.total;
        for r in p.items {
            result_map.insert(r.data.task_id, r);
        }
        if done {
            break;
        }
    }
    let unit_page = units::list_units(
        db,
        actor,
        units::UnitFilter { issuer_id: Some(plan.data.issuer_id), ..Default::default() },
        all,
    )
    .await?;
    let units = unit_page.items.into_iter().map(|u| (u.id, u)).collect();
    let rules = super::deadline_rules::rules_of(&db.conn, plan.data.issuer_id).await?;
    Ok(Snapshot { plan, groups, tasks: task_list, results: result_map, units, rules })
}

/// Where a task stands on `today`: accepted, submitted, not yet assigned (no lead
/// unit or no deadline), overdue, due soon or on track.
pub fn standing(t: &Task, r: Option<&TaskResult>, today: NaiveDate) -> Standing {
    match r.and_then(|r| r.data.state.as_deref()) {
        Some("accepted") => Standing::Accepted,
        Some("submitted") => Standing::Submitted,
        _ => match (t.data.lead_unit_id, t.data.deadline.map(|d| d.0)) {
            (None, _) | (_, None) => Standing::Unassigned,
            (_, Some(d)) if d < today => Standing::Overdue,
            (_, Some(d)) if d <= today + Duration::days(DUE_SOON_DAYS) => Standing::DueSoon,
            _ => Standing::OnTrack,
        },
    }
}

/// A task's four-way status on `today` (none without a deadline), whether it is done
/// against an extended deadline, and whether it is at risk ("Nguy cơ chậm").
pub fn timely(s: &Snapshot, t: &Task, today: NaiveDate) -> (Option<Timeliness>, bool, bool) {
    let r = s.results.get(&t.id);
    let state = r.and_then(|r| r.data.state.as_ref().and_then(|c| c.value()));
    let done_on = match (state, r) {
        (Some(ResultState::Accepted), Some(r)) => {
            Some(super::local_date(r.submitted_at.or(r.reviewed_at).unwrap_or(r.updated_at)))
        }
        _ => None,
    };
    let deadline = t.data.deadline.map(|d| d.0);
    let timeliness = deadline::timeliness(deadline, done_on, today);
    let extended = t.original_deadline.is_some();
    let risk = match (deadline, state) {
        (Some(d), None | Some(ResultState::Draft | ResultState::Returned)) => {
            let figures = t.targets.iter().map(|x| deadline::Figures {
                goal: x.data.goal_value,
                baseline: x.data.baseline_value,
                actual: x.data.actual_value,
            });
            let start = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
            deadline::at_risk(&s.rules, start, d, today, deadline::progress(figures))
        }
        _ => false,
    };
    (timeliness, extended, risk)
}

/// The snapshot's figures on `today`.
pub fn figures(s: &Snapshot, today: NaiveDate) -> PlanFigures {
    let mut totals = Counts::default();
    let mut by_unit: BTreeMap<Option<Uuid>, Counts> = BTreeMap::new();
    let mut by_group: BTreeMap<Uuid, Counts> = BTreeMap::new();
    let mut overdue = Vec::new();
    let mut at_risk = Vec::new();
    for t in &s.tasks {
        let st = standing(t, s.results.get(&t.id), today);
        let (way, extended, risk) = timely(s, t, today);
        for c in [&mut totals, by_unit.entry(t.data.lead_unit_id).or_default()] {
            c.add(st);
            c.add_timeliness(way, extended, risk);
        }
        let g = by_group.entry(t.data.group_id).or_default();
        g.add(st);
        g.add_timeliness(way, extended, risk);
        if let (true, Some(d)) = (risk, t.data.deadline) {
            at_risk.push(LateTask {
                task_id: t.id,
                code: t.data.code.clone(),
                text: t.data.text.clone(),
                lead_unit_id: t.data.lead_unit_id,
                deadline: d.0,
                days_late: (today - d.0).num_days(),
            });
        }
        if let (Standing::Overdue, Some(d)) = (st, t.data.deadline) {
            overdue.push(LateTask {
                task_id: t.id,
                code: t.data.code.clone(),
                text: t.data.text.clone(),
                lead_unit_id: t.data.lead_unit_id,
                deadline: d.0,
                days_late: (today - d.0).num_days(),
            });
        }
    }
    overdue.sort_by(|a, b| a.deadline.cmp(&b.deadline).then_with(|| a.code.cmp(&b.code)));
    let name = |id: &Option<Uuid>| match id.and_then(|u| s.units.get(&u)) {
        Some(u) => u.data.name.clone(),
        None => "(chưa giao)".to_owned(),
    };
    let mut units: Vec<FigureRow> =
        by_unit.into_iter().map(|(id, counts)| FigureRow { name: name(&id), id, counts }).collect();
    units.sort_by_key(|r| (r.id.is_none(), fold(&r.name)));
    let groups = s
        .groups
        .iter()
        .map(|g| FigureRow {
            id: Some(g.id),
            name: g.data.title.clone(),
            counts: by_group.remove(&g.id).unwrap_or_default(),
        })
        .collect();
    at_risk.sort_by(|a, b| a.deadline.cmp(&b.deadline).then_with(|| a.code.cmp(&b.code)));
    PlanFigures { plan_id: s.plan.id, today, totals, by_unit: units, by_group: groups, overdue, at_risk }
}

/// The unit whose tasks `actor` sees: a unit officer's own; `None` (every task) for
/// everyone else.
pub fn own_unit(actor: &Actor) -> Option<Uuid> {
    actor.unit_id.filter(|_| actor.role == Some(crate::domain::Role::UnitOfficer))
}

/// A plan's snapshot as `actor` sees it (a unit officer: the tasks their unit takes
/// part in): for the figures, the register and the spreadsheets.
pub async fn plan_snapshot(db: &Db, actor: &Actor, plan_id: Uuid) -> Result<Arc<Snapshot>> {
    let plan = (*plans::get_plan_versioned(db, actor, plan_id).await?.value).clone();
    snapshot(db, actor, plan, own_unit(actor)).await
}

/// The plan's figures on `today` as `actor` sees them.
pub async fn plan_figures(db: &Db, actor: &Actor, plan_id: Uuid, today: NaiveDate) -> Result<PlanFigures> {
    Ok((*plan_figures_versioned(db, actor, plan_id, today).await?.value).clone())
}

/// [`plan_figures`], kept while nothing changes (and the day is the same), with its
/// entity tag: a 10,000-task plan is counted once per version, not per request.
pub async fn plan_figures_versioned(
    db: &Db,
    actor: &Actor,
    plan_id: Uuid,
    today: NaiveDate,
) -> Result<Versioned<PlanFigures>> {
    let key = Key::new("plan_figures", actor, format!("{plan_id}/{today}"));
    db.versioned(key, || async { Ok(figures(&*plan_snapshot(db, actor, plan_id).await?, today)) }).await
}

/// What the task list is narrowed to; every field narrows it.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Led by this unit (`Some(None)`: by no unit yet).
    pub lead: Option<Option<Uuid>>,
    /// In this group.
    pub group: Option<Uuid>,
    /// Standing so today.
    pub standing: Option<Standing>,
    /// One of the Government's four ways today.
    pub timeliness: Option<Timeliness>,
    /// Only the tasks at risk ("Nguy cơ chậm").
    pub at_risk: bool,
    /// Deadline on or after.
    pub from: Option<NaiveDate>,
    /// Deadline on or before.
    pub to: Option<NaiveDate>,
    /// Words in the code or the text (case and diacritics ignored).
    pub words: String,
}

/// The snapshot's tasks that `sel` keeps, in the plan's order, with their standing.
pub fn select<'a>(s: &'a Snapshot, sel: &Selection, today: NaiveDate) -> Vec<(&'a Task, Standing)> {
    let words: Vec<String> = fold(&sel.words).split_whitespace().map(str::to_owned).collect();
    s.tasks
        .iter()
        .map(|t| (t, standing(t, s.results.get(&t.id), today)))
        .filter(|(t, _)| {
            if sel.timeliness.is_none() && !sel.at_risk {
                return true;
            }
            let (way, _, risk) = timely(s, t, today);
            sel.timeliness.is_none_or(|w| way == Some(w)) && (!sel.at_risk || risk)
        })
        .filter(|(t, st)| {
            let deadline = t.data.deadline.map(|d| d.0);
            sel.lead.is_none_or(|u| t.data.lead_unit_id == u)
                && sel.group.is_none_or(|g| t.data.group_id == g)
                && sel.standing.is_none_or(|x| x == *st)
                && sel.from.is_none_or(|f| deadline.is_some_and(|d| d >= f))
                && sel.to.is_none_or(|x| deadline.is_some_and(|d| d <= x))
                && (words.is_empty() || {
                    let hay = fold(&format!("{} {}", t.data.code, t.data.text));
                    words.iter().all(|w| hay.contains(w.as_str()))
                })
        })
        .collect()
}
