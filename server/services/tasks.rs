//! Tasks: the key tasks of a plan, with lead and co-operating units and deadlines.
//! A task is returned with its targets; a page costs a constant number of queries.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::access::{check_task_visible, in_scope, issuer_filter, require, unit_scope};
use super::{audited, targets, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, Task, TaskInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::cache::{Key, Versioned};
use crate::storage::entities::{plans, results, task_cooperators, task_groups, tasks, units};

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
async fn check_refs<C: ConnectionTrait>(db: &C, actor: &Actor, i: &TaskInput, kept: &[Uuid]) -> Result<plans::Model> {
    let group = task_groups::Entity::find_by_id(i.group_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("group_id", unknown_ref("nhóm / group")))?;
    let plan = crate::storage::queries::plan(db, group.plan_id).await?;
    if !in_scope(actor, plan.issuer_id) {
        return Err(AppError::field("group_id", unknown_ref("nhóm / group")));
    }
    let mut check = Check::new();
    deadline_in_year(&mut check, i, plan.year);
    let mut wanted: Vec<Uuid> = i.cooperating_unit_ids.clone();
    wanted.extend(i.lead_unit_id);
    let found: HashMap<Uuid, units::Model> = units::Entity::find()
        .filter(units::Column::Id.is_in(wanted))
        .all(db)
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

async fn next_position<C: ConnectionTrait>(db: &C, group_id: Uuid) -> Result<i32> {
    let last = tasks::Entity::find()
        .filter(tasks::Column::GroupId.eq(group_id))
        .order_by_desc(tasks::Column::Position)
        .one(db)
        .await?;
    super::position_after(last.map(|t| t.position), 100_000)
}

async fn set_cooperators<C: ConnectionTrait>(db: &C, task_id: Uuid, unit_ids: &[Uuid]) -> Result<()> {
    task_cooperators::Entity::delete_many().filter(task_cooperators::Column::TaskId.eq(task_id)).exec(db).await?;
    if !unit_ids.is_empty() {
        task_cooperators::Entity::insert_many(
            unit_ids.iter().map(|u| task_cooperators::ActiveModel { task_id: Set(task_id), unit_id: Set(*u) }),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Loads stored tasks with their co-operators and targets, in three queries.
pub(crate) async fn hydrate<C: ConnectionTrait>(db: &C, rows: Vec<tasks::Model>) -> Result<Vec<Task>> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut coops: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.is_in(ids.clone()))
        .order_by_asc(task_cooperators::Column::UnitId)
        .all(db)
        .await?
    {
        coops.entry(c.task_id).or_default().push(c.unit_id);
    }
    let mut targets = targets::for_tasks(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|t| Task {
            id: t.id,
            plan_id: t.plan_id,
            data: TaskInput {
                group_id: t.group_id,
                code: t.code,
                position: Some(t.position),
                text: t.text,
                lead_unit_id: t.lead_unit_id,
                cooperating_unit_ids: coops.remove(&t.id).unwrap_or_default(),
                deadline: t.deadline.map(Into::into),
                set_targets: None,
            },
            targets: targets.remove(&t.id).unwrap_or_default(),
            archived_at: t.archived_at,
            archive_reason: t.archive_reason,
            created_at: t.created_at,
            updated_at: t.updated_at,
        })
        .collect())
}

async fn hydrate_one<C: ConnectionTrait>(db: &C, t: tasks::Model) -> Result<Task> {
    Ok(hydrate(db, vec![t]).await?.remove(0))
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
pub(crate) async fn create_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    input: TaskInput,
) -> Result<Task> {
    validate(&input)?;
    let plan = check_refs(txn, actor, &input, &[]).await?;
    super::integrity::ensure_plan_open(txn, plan.id).await?;
    let position = match input.position {
        Some(p) => p,
        None => next_position(txn, input.group_id).await?,
    };
    let m = tasks::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan.id),
        group_id: Set(input.group_id),
        code: Set(input.code.trim().to_owned()),
        position: Set(position),
        text: Set(input.text),
        lead_unit_id: Set(input.lead_unit_id),
        deadline: Set(input.deadline.map(Into::into)),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        archive_reason: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    set_cooperators(txn, m.id, &input.cooperating_unit_ids).await?;
    audited(txn, actor, now, "create", ENTITY, m.id, None, Some(&(&m, &input.cooperating_unit_ids))).await?;
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
pub(crate) async fn create_many_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &plans::Model,
    inputs: Vec<TaskInput>,
) -> Result<Vec<(usize, AppError)>> {
    let groups: std::collections::HashSet<Uuid> = task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let mut wanted: Vec<Uuid> =
        inputs.iter().flat_map(|i| i.cooperating_unit_ids.iter().copied().chain(i.lead_unit_id)).collect();
    wanted.sort();
    wanted.dedup();
    let mut found: HashMap<Uuid, units::Model> = HashMap::new();
    for chunk in wanted.chunks(500) {
        for u in units::Entity::find().filter(units::Column::Id.is_in(chunk.to_vec())).all(txn).await? {
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
    let mut last: HashMap<Uuid, i32> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::GroupId)
        .column_as(Expr::from(sea_orm::sea_query::Func::max(Expr::col(tasks::Column::Position))), "last")
        .filter(tasks::Column::PlanId.eq(plan.id))
        .group_by(tasks::Column::GroupId)
        .into_tuple::<(Uuid, Option<i32>)>()
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(g, p)| Some((g, p?)))
        .collect();
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
        };
        changes.push(crate::storage::audit::Change {
            action: "create",
            entity: ENTITY,
            entity_id: Some(m.id),
            before: None,
            after: Some(json_of(&(&m, &i.cooperating_unit_ids))),
        });
        coops.extend(
            i.cooperating_unit_ids
                .iter()
                .map(|u| task_cooperators::ActiveModel { task_id: Set(m.id), unit_id: Set(*u) }),
        );
        for t in targets::new_rows(m.id, now, i.set_targets.unwrap_or_default()) {
            changes.push(crate::storage::audit::Change {
                action: "create",
                entity: "targets",
                entity_id: Some(t.id),
                before: None,
                after: Some(json_of(&t)),
            });
            target_rows.push(crate::storage::entities::targets::ActiveModel::from(t));
        }
        rows.push(tasks::ActiveModel::from(m));
    }
    for chunk in chunked(rows) {
        tasks::Entity::insert_many(chunk)
            .exec(txn)
            .await
            .map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    }
    for chunk in chunked(coops) {
        task_cooperators::Entity::insert_many(chunk).exec(txn).await?;
    }
    for chunk in chunked(target_rows) {
        crate::storage::entities::targets::Entity::insert_many(chunk).exec(txn).await?;
    }
    crate::storage::audit::record_many(txn, actor, now, changes).await?;
    Ok(Vec::new())
}

/// A record as its audit event holds it (as `audited` writes it).
fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Rows a few hundred at a time: well under every backend's bound on parameters.
fn chunked<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        out.push(rows.by_ref().take(500).collect());
    }
    out
}

/// One task with its targets.
pub async fn get_task(db: &Db, actor: &Actor, id: Uuid) -> Result<Task> {
    require(actor, Action::Read)?;
    let m = crate::storage::queries::task(&db.conn, id).await?;
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
pub(crate) async fn update_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: TaskInput,
) -> Result<Task> {
    validate(&input)?;
    let before = crate::storage::queries::task(txn, id).await?;
    check_task_visible(txn, actor, &before).await?;
    super::integrity::ensure_live(txn, &before).await?;
    let before_coops: Vec<Uuid> = task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.unit_id)
        .collect();
    let kept: Vec<Uuid> = before_coops.iter().copied().chain(before.lead_unit_id).collect();
    let plan = check_refs(txn, actor, &input, &kept).await?;
    if plan.id != before.plan_id {
        return Err(AppError::field(
            "group_id",
            "Nhóm phải thuộc cùng kế hoạch / the group must be in the task's plan",
        ));
    }
    let mut am: tasks::ActiveModel = before.clone().into();
    am.group_id = Set(input.group_id);
    am.code = Set(input.code.trim().to_owned());
    if let Some(p) = input.position {
        am.position = Set(p);
    } else if input.group_id != before.group_id {
        am.position = Set(next_position(txn, input.group_id).await?);
    }
    am.text = Set(input.text);
    am.lead_unit_id = Set(input.lead_unit_id);
    am.deadline = Set(input.deadline.map(Into::into));
    am.updated_at = Set(now);
    let after = am.update(txn).await.map_err(|e| AppError::from_db(e, "duplicate_task_code", DUPLICATE))?;
    set_cooperators(txn, id, &input.cooperating_unit_ids).await?;
    audited(
        txn,
        actor,
        now,
        "update",
        ENTITY,
        id,
        Some(&(&before, &before_coops)),
        Some(&(&after, &input.cooperating_unit_ids)),
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
    let before = crate::storage::queries::task(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_task_deletable(&*txn, &before).await?;
    tasks::Entity::delete_by_id(id).exec(&*txn).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
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
    let before = crate::storage::queries::task(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_live(&*txn, &before).await?;
    let mut am: tasks::ActiveModel = before.clone().into();
    am.archived_at = Set(Some(now));
    am.archive_reason = Set(Some(reason));
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "archive", ENTITY, id, Some(&before), Some(&after)).await?;
    let task = hydrate_one(&*txn, after).await?;
    txn.commit().await?;
    Ok(task)
}

/// Brings an archived task back into the plan's lists, figures and report.
pub async fn restore_task(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Task> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = crate::storage::queries::task(&*txn, id).await?;
    check_task_visible(&*txn, actor, &before).await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    if before.archived_at.is_none() {
        return Err(AppError::conflict(
            "task_not_archived",
            format!("Nhiệm vụ {} chưa lưu trữ / task {} is not archived", before.code, before.code),
        ));
    }
    let mut am: tasks::ActiveModel = before.clone().into();
    am.archived_at = Set(None);
    am.archive_reason = Set(None);
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "restore", ENTITY, id, Some(&before), Some(&after)).await?;
    let task = hydrate_one(&*txn, after).await?;
    txn.commit().await?;
    Ok(task)
}

/// Filter for [`list_tasks`]; every field narrows the list.
#[derive(Debug, Default, Clone)]
pub struct TaskFilter {
    /// Tasks of this plan.
    pub plan_id: Option<Uuid>,
    /// Tasks of this group.
    pub group_id: Option<Uuid>,
    /// Tasks this unit leads or co-operates on.
    pub unit_id: Option<Uuid>,
    /// Deadline on or after.
    pub deadline_from: Option<NaiveDate>,
    /// Deadline on or before.
    pub deadline_to: Option<NaiveDate>,
    /// Tasks whose result is in this state.
    pub result_state: Option<String>,
    /// Archived tasks only, instead of the live ones.
    pub archived: bool,
}

/// Tasks that `unit` leads or co-operates on.
fn takes_part(unit: Uuid) -> Condition {
    let helped = Query::select()
        .column(task_cooperators::Column::TaskId)
        .from(task_cooperators::Entity)
        .and_where(task_cooperators::Column::UnitId.eq(unit))
        .to_owned();
    Condition::any().add(tasks::Column::LeadUnitId.eq(unit)).add(tasks::Column::Id.in_subquery(helped))
}

/// [`list_tasks`], kept while nothing changes (see `storage::cache`), with its entity tag.
pub async fn list_tasks_versioned(
    db: &Db,
    actor: &Actor,
    f: TaskFilter,
    paging: Paging,
) -> Result<Versioned<Page<Task>>> {
    require(actor, Action::Read)?;
    let key = Key::new("tasks", actor, format!("{f:?}|{}|{}", paging.page, paging.per_page));
    db.versioned(key, || list_tasks(db, actor, f, paging)).await
}

/// [`get_task`], kept while nothing changes, with its entity tag.
pub async fn get_task_versioned(db: &Db, actor: &Actor, id: Uuid) -> Result<Versioned<Task>> {
    require(actor, Action::Read)?;
    db.versioned(Key::new("task", actor, id.to_string()), || get_task(db, actor, id)).await
}

/// Tasks in plan order (group position, then task position), with their targets.
pub async fn list_tasks(db: &Db, actor: &Actor, f: TaskFilter, paging: Paging) -> Result<Page<Task>> {
    require(actor, Action::Read)?;
    let mut q = tasks::Entity::find();
    if let Some(i) = issuer_filter(actor) {
        let of_issuer = Query::select()
            .column(plans::Column::Id)
            .from(plans::Entity)
            .and_where(plans::Column::IssuerId.eq(i))
            .to_owned();
        q = q.filter(tasks::Column::PlanId.in_subquery(of_issuer));
    }
    if let Some(u) = unit_scope(actor) {
        q = q.filter(takes_part(u));
    }
    if let Some(p) = f.plan_id {
        q = q.filter(tasks::Column::PlanId.eq(p));
    }
    if let Some(g) = f.group_id {
        q = q.filter(tasks::Column::GroupId.eq(g));
    }
    if let Some(u) = f.unit_id {
        q = q.filter(takes_part(u));
    }
    if let Some(d) = f.deadline_from {
        q = q.filter(tasks::Column::Deadline.gte(d));
    }
    if let Some(d) = f.deadline_to {
        q = q.filter(tasks::Column::Deadline.lte(d));
    }
    q = q.filter(if f.archived {
        tasks::Column::ArchivedAt.is_not_null()
    } else {
        tasks::Column::ArchivedAt.is_null()
    });
    if let Some(s) = f.result_state {
        let with_state = Query::select()
            .column(results::Column::TaskId)
            .from(results::Entity)
            .and_where(results::Column::State.eq(s))
            .to_owned();
        q = q.filter(tasks::Column::Id.in_subquery(with_state));
    }
    let rows = q
        .clone()
        .order_by(Expr::cust("(SELECT g.position FROM task_groups g WHERE g.id = tasks.group_id)"), Order::Asc)
        .order_by_asc(tasks::Column::Position)
        .order_by_asc(tasks::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&db.conn)
        .await?;
    // A first page that is not full already tells the total: spare the count.
    let total = if paging.page == 1 && (rows.len() as u64) < paging.per_page {
        rows.len() as u64
    } else {
        q.count(&db.conn).await?
    };
    let items = hydrate(&db.conn, rows).await?;
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}
