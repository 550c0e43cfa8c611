//! Tasks: the key tasks of a plan, with lead and co-operating units and deadlines.
//! A task is returned with its targets; a page costs a constant number of queries.

use crate::domain::AuditAction;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use super::access::{check_task_visible, in_scope, require};
pub(crate) use super::task_lists::hydrate;
use super::task_lists::hydrate_one;
pub use super::task_lists::{TaskFilter, list_tasks, list_tasks_versioned};
use super::{audited, targets, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Task, TaskInput};
use crate::storage::audit::Actor;
use crate::storage::cache::{Key, Versioned};
use crate::storage::{Conn, Db};
use crate::storage::{plans, task_cooperators, task_groups, tasks, units};

const ENTITY: &str = "tasks";
const DUPLICATE: &str = "Mã nhiệm vụ đã có trong kế hoạch / this task code is already used in the plan";

fn validate(i: &TaskInput) -> Result<()> {
    let mut check = Check::new();
    check.required("code", &i.code).fail_if(
        i.code.chars().count() > 20,
        "code",
        "Tối đa 20 ký tự / at most 20 characters",
    );
    check
        .required("text", &i.text)
        .paragraphs("text", &i.text, text::TEXT)
        .line("code", &i.code, text::CODE)
        .date("deadline", i.deadline.map(Into::into))
        .fail_if(i.cooperating_unit_ids.len() > 100, "cooperating_unit_ids", "Tối đa 100 đơn vị / at most 100 units");
    check.fail_if(i.position.is_some_and(|p| p < 1), "position", "Từ 1 trở lên / must be 1 or more");
    let mut seen = std::collections::HashSet::new();
    for (n, u) in i.cooperating_unit_ids.iter().enumerate() {
        check.fail_if(!seen.insert(*u), &format!("cooperating_unit_ids[{n}]"), "Trùng đơn vị / listed twice");
        check.fail_if(
            Some(*u) == i.lead_unit_id,
            &format!("cooperating_unit_ids[{n}]"),
            "Đơn vị chủ trì không đồng thời phối hợp / the lead unit cannot also co-operate",
        );
    }
    check.finish()
}

/// Checks the references of `i` against the database; returns the group's plan.
/// A task's deadline falls in its plan's year.
fn deadline_in_year(check: &mut Check, i: &TaskInput, year: i32) {
    if let Some(d) = i.deadline {
        check.fail_if(
            d.year() != year,
            "deadline",
            &format!("Hạn phải trong năm {year} của kế hoạch / the deadline must fall in the plan's year {year}"),
        );
    }
}

/// The group, plan and units exist and are the actor's; a deactivated unit is
/// refused unless the task already had it (`kept`).
async fn check_refs<C: Conn>(db: &C, actor: &Actor, i: &TaskInput, kept: &[Uuid]) -> Result<plans::Model> {
    let group = task_groups::find(db, i.group_id)
        .await?
        .ok_or_else(|| AppError::field("group_id", unknown_ref("nhóm / group")))?;
    let plan = crate::storage::plans::get(db, group.plan_id).await?;
    if !in_scope(actor, plan.issuer_id) {
        return Err(AppError::field("group_id", unknown_ref("nhóm / group")));
    }
    let mut check = Check::new();
    deadline_in_year(&mut check, i, plan.year);
    let mut wanted: Vec<Uuid> = i.cooperating_unit_ids.clone();
    wanted.extend(i.lead_unit_id);
    let found: HashMap<Uuid, units::Model> = units::with_ids(db, wanted)
        .await?
        .into_iter()
        .filter(|u| u.issuer_id == plan.issuer_id)
        .map(|u| (u.id, u))
        .collect();
    unit_problems(&mut check, i, &found, kept);
    check.finish()?;
    Ok(plan)
}

/// Adds to `check` each lead or co-operating unit of `i` that is not among `found`
/// (the plan's issuer's), or is deactivated and not already the task's (`kept`).
fn unit_problems(check: &mut Check, i: &TaskInput, found: &HashMap<Uuid, units::Model>, kept: &[Uuid]) {
    let problem = |u: &Uuid| match found.get(u) {
        None => Some(unknown_ref("đơn vị / unit")),
        Some(unit) if unit.deactivated_at.is_some() && !kept.contains(u) => Some(super::units::INACTIVE.to_owned()),
        Some(_) => None,
    };
    if let Some(m) = i.lead_unit_id.as_ref().and_then(problem) {
        check.add("lead_unit_id", m);
    }
    for (n, u) in i.cooperating_unit_ids.iter().enumerate() {
        if let Some(m) = problem(u) {
            check.add(&format!("cooperating_unit_ids[{n}]"), m);
        }
    }
}

async fn next_position<C: Conn>(db: &C, group_id: Uuid) -> Result<i32> {
    let last = tasks::last_in_group(db, group_id).await?;
    super::position_after(last.map(|t| t.position), 100_000)
}

/// Creates a task in a group.
pub async fn create_task(db: &Db, actor: &Actor, now: DateTime<Utc>, input: TaskInput) -> Result<Task> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let task = create_in(&*txn, actor, now, input).await?;
    txn.commit().await?;
    Ok(task)
}

/// [`create_task`] inside the caller's transaction (an import writes many).
pub(crate) async fn create_in<C: Conn>(txn: &C, actor: &Actor, now: DateTime<Utc>, input: TaskInput) -> Result<Task> {
    validate(&input)?;
    let plan = check_refs(txn, actor, &input, &[]).await?;
    super::integrity::ensure_plan_open(txn, plan.id).await?;
    let position = match input.position {
        Some(p) => p,
        None => next_position(txn, input.group_id).await?,
    };
    let m = tasks::Model {
        id: Uuid::now_v7(),
        plan_id: plan.id,
        group_id: input.group_id,
        code: input.code.trim().to_owned(),
        position,
        text: input.text,
        lead_unit_id: input.lead_unit_id,
        deadline: input.deadline.map(Into::into),
        created_at: now,
        updated_at: now,
        archived_at: None,
        archive_reason: None,
        original_deadline: None,
        withdrawn_at: None,
    };
    let m = tasks::insert(txn, m).await.map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    task_cooperators::replace(txn, m.id, &input.cooperating_unit_ids).await?;
    audited(
        txn,
        actor,
        now,
        super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&(&m, &input.cooperating_unit_ids))),
    )
    .await?;
    if let Some(lines) = input.set_targets {
        targets::replace_for_task(txn, actor, now, m.id, lines).await?;
    }
    hydrate_one(txn, m).await
}

/// [`create_in`] for many new tasks of one plan (an import): each input is checked
/// by the same rules (its fields and targets, a group of the plan, active units of
/// the plan's issuer, a deadline in the plan's year), then all are written with a few
/// statements and their audit events appended in one pass, in the order `create_in`
/// writes them. The problems come back by input index; nothing is written while
/// there is one. The caller has checked that the plan is theirs and open.
pub(crate) async fn create_many_in<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &plans::Model,
    inputs: Vec<TaskInput>,
) -> Result<Vec<(usize, AppError)>> {
    let groups: std::collections::HashSet<Uuid> =
        task_groups::of_plan(txn, plan.id).await?.into_iter().map(|g| g.id).collect();
    let mut wanted: Vec<Uuid> =
        inputs.iter().flat_map(|i| i.cooperating_unit_ids.iter().copied().chain(i.lead_unit_id)).collect();
    wanted.sort();
    wanted.dedup();
    let mut found: HashMap<Uuid, units::Model> = HashMap::new();
    for chunk in wanted.chunks(500) {
        for u in units::with_ids(txn, chunk.to_vec()).await? {
            if u.issuer_id == plan.issuer_id {
                found.insert(u.id, u);
            }
        }
    }
    let mut problems = Vec::new();
    for (n, i) in inputs.iter().enumerate() {
        let checked = validate(i).and_then(|_| targets::check_lines(i.set_targets.as_deref().unwrap_or_default()));
        if let Err(e) = checked {
            problems.push((n, e));
            continue;
        }
        let mut check = Check::new();
        if !groups.contains(&i.group_id) {
            check.add("group_id", unknown_ref("nhóm / group"));
        }
        deadline_in_year(&mut check, i, plan.year);
        unit_problems(&mut check, i, &found, &[]);
        if let Err(e) = check.finish() {
            problems.push((n, e));
        }
    }
    if !problems.is_empty() {
        return Ok(problems);
    }
    // The next free position of each group, from its last task.
    let mut last = tasks::last_positions(txn, plan.id).await?;
    let (mut rows, mut coops, mut target_rows, mut changes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, i) in inputs.into_iter().enumerate() {
        let position = match i.position {
            Some(p) => p,
            None => match super::position_after(last.get(&i.group_id).copied(), 100_000) {
                Ok(p) => p,
                Err(e) => return Ok(vec![(n, e)]),
            },
        };
        last.insert(i.group_id, position.max(last.get(&i.group_id).copied().unwrap_or(0)));
        let m = tasks::Model {
            id: Uuid::now_v7(),
            plan_id: plan.id,
            group_id: i.group_id,
            code: i.code.trim().to_owned(),
            position,
            text: i.text,
            lead_unit_id: i.lead_unit_id,
            deadline: i.deadline.map(Into::into),
            created_at: now,
            updated_at: now,
            archived_at: None,
            archive_reason: None,
            original_deadline: None,
            withdrawn_at: None,
        };
        changes.push(crate::storage::audit::Change {
            action: AuditAction::Create,
            entity: ENTITY,
            entity_id: Some(m.id),
            before: None,
            after: Some(json_of(&(&m, &i.cooperating_unit_ids))),
        });
        coops.extend(i.cooperating_unit_ids.iter().map(|u| task_cooperators::Model { task_id: m.id, unit_id: *u }));
        for t in targets::new_rows(m.id, now, i.set_targets.unwrap_or_default()) {
            changes.push(crate::storage::audit::Change {
                action: AuditAction::Create,
                entity: "targets",
                entity_id: Some(t.id),
                before: None,
                after: Some(json_of(&t)),
            });
            target_rows.push(t);
        }
        rows.push(m);
    }
    tasks::insert_all(txn, rows).await.map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    task_cooperators::insert_all(txn, coops).await?;
    crate::storage::targets::insert_all(txn, target_rows).await?;
    crate::storage::audit::record_many(txn, actor, now, changes).await?;
    Ok(Vec::new())
}

/// A record as its audit event holds it (as `audited` writes it).
fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// One task with its targets.
pub async fn get_task(db: &Db, actor: &Actor, id: Uuid) -> Result<Task> {
    require(actor, Action::Read)?;
    let m = crate::storage::tasks::get(&db.conn, id).await?;
    check_task_visible(&db.conn, actor, &m).await?;
    hydrate_one(&db.conn, m).await
}

/// Replaces a task's fields; it may move to another group of the same plan.
pub async fn update_task(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: TaskInput) -> Result<Task> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let task = update_in(&*txn, actor, now, id, input).await?;
    txn.commit().await?;
    Ok(task)
}

/// [`update_task`] inside the caller's transaction.
pub(crate) async fn update_in<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: TaskInput,
) -> Result<Task> {
    validate(&input)?;
    let before = crate::storage::tasks::get(txn, id).await?;
    check_task_visible(txn, actor, &before).await?;
    super::integrity::ensure_live(txn, &before).await?;
    let before_coops = task_cooperators::units_of(txn, id).await?;
    let kept: Vec<Uuid> = before_coops.iter().copied().chain(before.lead_unit_id).collect();
    let plan = check_refs(txn, actor, &input, &kept).await?;
    if plan.id != before.plan_id {
        return Err(AppError::field(
            "group_id",
            "Nhóm phải thuộc cùng kế hoạch / the group must be in the task's plan",
        ));
    }
    let mut after = before.clone();
    after.group_id = input.group_id;
    after.code = input.code.trim().to_owned();
    if let Some(p) = input.position {
        after.position = p;
    } else if input.group_id != before.group_id {
        after.position = next_position(txn, input.group_id).await?;
    }
    after.text = input.text;
    after.lead_unit_id = input.lead_unit_id;
    after.deadline = input.deadline.map(Into::into);
    after.updated_at = now;
    let after = tasks::save(txn, after).await.map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    task_cooperators::replace(txn, id, &input.cooperating_unit_ids).await?;
    audited(
        txn,
        actor,
        now,
        super::Change::of(
            AuditAction::Update,
            ENTITY,
            id,
            Some(&(&before, &before_coops)),
            Some(&(&after, &input.cooperating_unit_ids)),
        ),
    )
    .await?;
    if let Some(lines) = input.set_targets {
        targets::replace_for_task(txn, actor, now, id, lines).await?;
    }
    hydrate_one(txn, after).await
}

/// Deletes a task with its targets and draft result; refused once it has a reported
/// result or evidence, or its plan's report is issued.
pub async fn delete_task(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = crate::storage::tasks::get(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_task_deletable(&*txn, &before).await?;
    tasks::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Archives a task: it keeps its targets, result, evidence and history, but leaves
/// the task lists, figures, reports, reminders and next year's copy. For a task that
/// was reported on, which cannot be deleted. Refused once the plan is closed.
pub async fn archive_task(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, reason: &str) -> Result<Task> {
    require(actor, Action::ManagePlan)?;
    let reason = super::reason(reason)?;
    let txn = db.begin_write().await?;
    let before = crate::storage::tasks::get(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_live(&*txn, &before).await?;
    let mut after = before.clone();
    after.archived_at = Some(now);
    after.archive_reason = Some(reason);
    after.updated_at = now;
    let after = tasks::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Archive, ENTITY, id, Some(&before), Some(&after)))
        .await?;
    let task = hydrate_one(&*txn, after).await?;
    txn.commit().await?;
    Ok(task)
}

/// Brings an archived task back into the plan's lists, figures and report.
pub async fn restore_task(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Task> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = crate::storage::tasks::get(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    if before.archived_at.is_none() {
        return Err(AppError::conflict(
            "task_not_archived",
            format!("Nhiệm vụ {} chưa lưu trữ / task {} is not archived", before.code, before.code),
        ));
    }
    let mut after = before.clone();
    after.archived_at = None;
    after.archive_reason = None;
    after.updated_at = now;
    let after = tasks::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Restore, ENTITY, id, Some(&before), Some(&after)))
        .await?;
    let task = hydrate_one(&*txn, after).await?;
    txn.commit().await?;
    Ok(task)
}

/// [`get_task`], kept while nothing changes, with its entity tag.
pub async fn get_task_versioned(db: &Db, actor: &Actor, id: Uuid) -> Result<Versioned<Task>> {
    require(actor, Action::Read)?;
    db.versioned(Key::new("task", actor, id.to_string()), || get_task(db, actor, id)).await
}
