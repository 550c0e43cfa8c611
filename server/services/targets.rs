//! Targets: the measurable goals inside a task, with their status tags.

use crate::domain::AuditAction;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_task_visible, check_task_writable, require};
use super::{audited, not_found, unknown_ref};
use crate::domain::TargetStatus;
use crate::domain::access::{Action, allows};
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Target, TargetInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{targets, tasks};

const ENTITY: &str = "targets";

fn validate(i: &TargetInput) -> Result<()> {
    let mut check = Check::new();
    check
        .required("description", &i.description)
        .line("description", &i.description, text::TEXT)
        .opt_line("measure_unit", i.measure_unit.as_deref(), text::CODE)
        .date("as_of", i.as_of.map(Into::into));
    check.fail_if(i.position.is_some_and(|p| p < 1), "position", "Từ 1 trở lên / must be 1 or more");
    for (name, v) in [
        ("goal_value", i.goal_value),
        ("baseline_value", i.baseline_value),
        ("actual_value", i.actual_value),
        ("forecast_value", i.forecast_value),
    ] {
        check.fail_if(
            v.is_some_and(|v| !v.is_finite() || v.abs() > 1e15),
            name,
            "Phải là số hữu hạn, không quá 10^15 / must be a finite number of at most 10^15",
        );
    }
    if let Some(s) = &i.status {
        check.fail_if(
            s.parse::<TargetStatus>().is_err(),
            "status",
            &format!("Phải là / must be one of: {}", TargetStatus::codes()),
        );
    }
    check.finish()
}

fn to_model(m: targets::Model) -> Target {
    let suggested = match (m.goal_value, m.actual_value) {
        (Some(g), Some(a)) => TargetStatus::suggest(g, a).map(|s| s.code().to_owned()),
        _ => None,
    };
    Target {
        id: m.id,
        data: TargetInput {
            task_id: m.task_id,
            position: Some(m.position),
            description: m.description,
            measure_unit: m.measure_unit,
            goal_value: m.goal_value,
            baseline_value: m.baseline_value,
            actual_value: m.actual_value,
            forecast_value: m.forecast_value,
            as_of: m.as_of.map(Into::into),
            status: m.status.map(Into::into),
        },
        suggested_status: suggested,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The targets of several tasks, in one query, grouped by task and in order.
pub(crate) async fn for_tasks<C: Conn>(db: &C, task_ids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<Target>>> {
    let mut out: HashMap<Uuid, Vec<Target>> = HashMap::new();
    for t in targets::of_tasks(db, task_ids).await? {
        out.entry(t.task_id).or_default().push(to_model(t));
    }
    Ok(out)
}

fn fill(m: &mut targets::Model, i: TargetInput, now: DateTime<Utc>) -> Result<()> {
    m.description = i.description;
    m.measure_unit = i.measure_unit;
    m.goal_value = i.goal_value;
    m.baseline_value = i.baseline_value;
    m.actual_value = i.actual_value;
    m.forecast_value = i.forecast_value;
    m.as_of = i.as_of.map(Into::into);
    m.status = i.status.map(|s| s.checked("status")).transpose()?;
    m.updated_at = now;
    Ok(())
}

/// Adds a target to a task.
pub async fn create_target(db: &Db, actor: &Actor, now: DateTime<Utc>, input: TargetInput) -> Result<Target> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let task = tasks::find(&*txn, input.task_id).await?;
    match task {
        Some(t) if check_task_visible(&*txn, actor, &t).await.is_ok() => {
            super::integrity::ensure_live(&*txn, &t).await?
        }
        _ => return Err(AppError::field("task_id", unknown_ref("nhiệm vụ / task"))),
    }
    let position = match input.position {
        Some(p) => p,
        None => {
            let last = targets::last_of_task(&*txn, input.task_id).await?;
            super::position_after(last.map(|t| t.position), 1_000)?
        }
    };
    let mut m = targets::Model {
        id: Uuid::now_v7(),
        task_id: input.task_id,
        position,
        description: String::new(),
        measure_unit: None,
        goal_value: None,
        baseline_value: None,
        actual_value: None,
        forecast_value: None,
        as_of: None,
        status: None,
        created_at: now,
        updated_at: now,
    };
    fill(&mut m, input, now)?;
    let m = targets::insert(&*txn, m).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One target.
pub async fn get_target(db: &Db, actor: &Actor, id: Uuid) -> Result<Target> {
    require(actor, Action::Read)?;
    let m = targets::get(&db.conn, id).await?;
    let task = crate::storage::tasks::get(&db.conn, m.task_id).await?;
    check_task_visible(&db.conn, actor, &task).await.map_err(|_| not_found("target"))?;
    Ok(to_model(m))
}

/// Replaces a target's fields (it stays with its task).
pub async fn update_target(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: TargetInput) -> Result<Target> {
    let plans_targets = actor.role.is_none_or(|r| allows(r, Action::ManagePlan));
    if !plans_targets {
        require(actor, Action::ReportResult)?;
    }
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = targets::get(&*txn, id).await?;
    if before.task_id != input.task_id {
        return Err(AppError::field(
            "task_id",
            "Chỉ tiêu không chuyển sang nhiệm vụ khác / a target stays with its task",
        ));
    }
    let task = crate::storage::tasks::get(&*txn, before.task_id).await?;
    check_task_writable(&*txn, actor, &task).await.map_err(|e| match e {
        AppError::NotFound { .. } => not_found("target"),
        other => other,
    })?;
    super::integrity::ensure_live(&*txn, &task).await?;
    if !plans_targets {
        // A unit reports what it reached; what was assigned is the office's.
        let same_goal = input.description == before.description
            && input.measure_unit == before.measure_unit
            && input.goal_value == before.goal_value
            && input.baseline_value == before.baseline_value
            && input.position.is_none_or(|p| p == before.position);
        if !same_goal {
            return Err(AppError::Forbidden);
        }
        super::integrity::ensure_editable(&*txn, before.task_id).await?;
    }
    let mut after = before.clone();
    if let Some(p) = input.position {
        after.position = p;
    }
    fill(&mut after, input, now)?;
    let after = targets::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a target.
pub async fn delete_target(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = targets::get(&*txn, id).await?;
    let task = crate::storage::tasks::get(&*txn, before.task_id).await?;
    check_task_visible(&*txn, actor, &task).await.map_err(|_| not_found("target"))?;
    super::integrity::ensure_live(&*txn, &task).await?;
    targets::remove(&*txn, id).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// The targets of one task, in order.
pub async fn list_targets(db: &Db, actor: &Actor, task_id: Uuid) -> Result<Vec<Target>> {
    require(actor, Action::Read)?;
    let task = crate::storage::tasks::get(&db.conn, task_id).await?;
    check_task_visible(&db.conn, actor, &task).await?;
    Ok(for_tasks(&db.conn, vec![task_id]).await?.remove(&task_id).unwrap_or_default())
}

/// Records the values a task's targets reached (the unit's side of a report),
/// inside the caller's transaction; a target of another task is refused at its field.
pub(crate) async fn record_actuals<C: Conn>(
    c: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    actuals: &[(Uuid, Option<f64>)],
) -> Result<()> {
    let mut check = Check::new();
    for (id, v) in actuals {
        check.fail_if(
            v.is_some_and(|v| !v.is_finite() || v.abs() > 1e15),
            &format!("actual_{id}"),
            "Phải là số hữu hạn, không quá 10^15 / must be a finite number of at most 10^15",
        );
    }
    check.finish()?;
    let today = super::local_date(now);
    for (id, value) in actuals {
        let before = targets::find(c, *id).await?.filter(|t| t.task_id == task_id).ok_or_else(|| {
            AppError::field(&format!("actual_{id}"), unknown_ref("chỉ tiêu của nhiệm vụ này / target of this task"))
        })?;
        if before.actual_value == *value {
            continue;
        }
        let mut after = before.clone();
        after.actual_value = *value;
        after.as_of = Some(today);
        after.updated_at = now;
        let after = targets::save(c, after).await?;
        audited(c, actor, now, super::Change::of(AuditAction::Update, ENTITY, *id, Some(&before), Some(&after)))
            .await?;
    }
    Ok(())
}

/// The rules every target line follows (description, unit, goal).
pub(crate) fn check_lines(lines: &[crate::model::TargetLine]) -> Result<()> {
    let mut check = Check::new();
    for (n, l) in lines.iter().enumerate() {
        let f = |k: &str| format!("set_targets[{n}].{k}");
        check.required(&f("description"), &l.description).line(&f("description"), &l.description, text::TEXT);
        check.opt_line(&f("measure_unit"), l.measure_unit.as_deref(), text::CODE);
        check.fail_if(
            l.goal_value.is_some_and(|v| !v.is_finite() || v.abs() > 1e15),
            &f("goal_value"),
            "Phải là số hữu hạn, không quá 10^15 / must be a finite number of at most 10^15",
        );
    }
    check.finish()
}

/// A new task's target lines as rows (positions 1, 2, …).
pub(crate) fn new_rows(task_id: Uuid, now: DateTime<Utc>, lines: Vec<crate::model::TargetLine>) -> Vec<targets::Model> {
    lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| targets::Model {
            id: Uuid::now_v7(),
            task_id,
            position: n as i32 + 1,
            description: l.description.trim().to_owned(),
            measure_unit: l.measure_unit.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()),
            goal_value: l.goal_value,
            baseline_value: None,
            actual_value: None,
            forecast_value: None,
            as_of: None,
            status: None,
            created_at: now,
            updated_at: now,
        })
        .collect()
}

/// Makes a task's targets exactly `lines`, in order, inside the caller's
/// transaction (the office's side: descriptions, units, goals). A line with an id
/// keeps that target's reported value; a target not listed is removed.
pub(crate) async fn replace_for_task<C: Conn>(
    c: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    lines: Vec<crate::model::TargetLine>,
) -> Result<()> {
    check_lines(&lines)?;
    let existing = targets::of_task(c, task_id).await?;
    for (n, l) in lines.iter().enumerate() {
        if let Some(id) = l.id
            && !existing.iter().any(|t| t.id == id)
        {
            return Err(AppError::field(
                &format!("set_targets[{n}].id"),
                unknown_ref("chỉ tiêu của nhiệm vụ này / target of this task"),
            ));
        }
    }
    for old in existing.iter().filter(|t| !lines.iter().any(|l| l.id == Some(t.id))) {
        targets::remove(c, old.id).await?;
        audited(c, actor, now, super::Change::of(AuditAction::Delete, ENTITY, old.id, Some(old), None)).await?;
    }
    for (n, l) in lines.into_iter().enumerate() {
        let position = n as i32 + 1;
        let description = l.description.trim().to_owned();
        let unit = l.measure_unit.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        match l.id.and_then(|id| existing.iter().find(|t| t.id == id)) {
            Some(before) => {
                let same = before.position == position
                    && before.description == description
                    && before.measure_unit == unit
                    && before.goal_value == l.goal_value;
                if same {
                    continue;
                }
                let mut after = before.clone();
                after.position = position;
                after.description = description;
                after.measure_unit = unit;
                after.goal_value = l.goal_value;
                after.updated_at = now;
                let after = targets::save(c, after).await?;
                audited(
                    c,
                    actor,
                    now,
                    super::Change::of(AuditAction::Update, ENTITY, after.id, Some(before), Some(&after)),
                )
                .await?;
            }
            None => {
                let m = targets::Model {
                    id: Uuid::now_v7(),
                    task_id,
                    position,
                    description,
                    measure_unit: unit,
                    goal_value: l.goal_value,
                    baseline_value: None,
                    actual_value: None,
                    forecast_value: None,
                    as_of: None,
                    status: None,
                    created_at: now,
                    updated_at: now,
                };
                let m = targets::insert(c, m).await?;
                audited(c, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
            }
        }
    }
    Ok(())
}
