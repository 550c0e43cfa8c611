//! Tasks of a plan.

super::rows::rows!(tasks, "task");

use super::entities::{plans, results, task_cooperators, tasks};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The ids of `plan`'s tasks.
pub async fn ids_of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(tasks::Entity::find().filter(tasks::Column::PlanId.eq(plan)).all(c).await?.into_iter().map(|t| t.id).collect())
}

/// How many tasks group `group` holds.
pub async fn count_in_group(c: &impl ConnectionTrait, group: Uuid) -> Result<u64, DbErr> {
    tasks::Entity::find().filter(tasks::Column::GroupId.eq(group)).count(c).await
}

/// The live tasks with a lead unit and a deadline on or before `by`.
pub async fn led_and_due_by(c: &impl ConnectionTrait, by: chrono::NaiveDate) -> Result<Vec<Model>, DbErr> {
    tasks::Entity::find()
        .filter(tasks::Column::Deadline.is_not_null())
        .filter(tasks::Column::Deadline.lte(by))
        .filter(tasks::Column::LeadUnitId.is_not_null())
        .filter(tasks::Column::ArchivedAt.is_null())
        .all(c)
        .await
}

/// What escalation needs of each live task with a lead unit and a deadline on or
/// before `by`: (id, plan, deadline), without its text.
pub async fn late_keys(c: &impl ConnectionTrait, by: NaiveDate) -> Result<Vec<(Uuid, Uuid, NaiveDate)>, DbErr> {
    tasks::Entity::find()
        .select_only()
        .columns([tasks::Column::Id, tasks::Column::PlanId, tasks::Column::Deadline])
        .filter(tasks::Column::Deadline.lte(by))
        .filter(tasks::Column::LeadUnitId.is_not_null())
        .filter(tasks::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(c)
        .await
}

/// The tasks with these ids (in no set order).
pub async fn in_ids(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        out.extend(tasks::Entity::find().filter(tasks::Column::Id.is_in(chunk.iter().copied())).all(c).await?);
    }
    Ok(out)
}

/// The task placed last in `group`, if it has one.
pub async fn last_in_group(c: &impl ConnectionTrait, group: Uuid) -> Result<Option<Model>, DbErr> {
    tasks::Entity::find().filter(tasks::Column::GroupId.eq(group)).order_by_desc(tasks::Column::Position).one(c).await
}

/// The last position taken in each group of `plan` that has a task.
pub async fn last_positions(c: &impl ConnectionTrait, plan: Uuid) -> Result<HashMap<Uuid, i32>, DbErr> {
    Ok(tasks::Entity::find()
        .select_only()
        .column(tasks::Column::GroupId)
        .column_as(Expr::from(Func::max(Expr::col(tasks::Column::Position))), "last")
        .filter(tasks::Column::PlanId.eq(plan))
        .group_by(tasks::Column::GroupId)
        .into_tuple::<(Uuid, Option<i32>)>()
        .all(c)
        .await?
        .into_iter()
        .filter_map(|(g, p)| Some((g, p?)))
        .collect())
}

/// Inserts new tasks as they are, a few hundred per statement (well under every
/// backend's bound on parameters).
pub async fn insert_all(c: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        tasks::Entity::insert_many(chunk.iter().cloned().map(tasks::ActiveModel::from)).exec(c).await?;
    }
    Ok(())
}

/// Which tasks a list holds; every field given narrows it.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Tasks of this issuer's plans.
    pub issuer: Option<Uuid>,
    /// Tasks this unit leads or co-operates on (the actor's own unit).
    pub scope_unit: Option<Uuid>,
    /// Tasks of this plan.
    pub plan: Option<Uuid>,
    /// Tasks of this group.
    pub group: Option<Uuid>,
    /// Tasks this unit leads or co-operates on.
    pub unit: Option<Uuid>,
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

/// The tasks `f` keeps, unordered.
fn filtered(f: &Filter) -> Select<tasks::Entity> {
    let mut q = tasks::Entity::find();
    if let Some(i) = f.issuer {
        let of_issuer = Query::select()
            .column(plans::Column::Id)
            .from(plans::Entity)
            .and_where(plans::Column::IssuerId.eq(i))
            .to_owned();
        q = q.filter(tasks::Column::PlanId.in_subquery(of_issuer));
    }
    if let Some(u) = f.scope_unit {
        q = q.filter(takes_part(u));
    }
    if let Some(p) = f.plan {
        q = q.filter(tasks::Column::PlanId.eq(p));
    }
    if let Some(g) = f.group {
        q = q.filter(tasks::Column::GroupId.eq(g));
    }
    if let Some(u) = f.unit {
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
    if let Some(s) = &f.result_state {
        let with_state = Query::select()
            .column(results::Column::TaskId)
            .from(results::Entity)
            .and_where(results::Column::State.eq(s.as_str()))
            .to_owned();
        q = q.filter(tasks::Column::Id.in_subquery(with_state));
    }
    q
}

/// One page of the tasks `f` keeps, in plan order (group position, then task
/// position, then id).
pub async fn page(c: &impl ConnectionTrait, f: &Filter, offset: u64, limit: u64) -> Result<Vec<Model>, DbErr> {
    filtered(f)
        .order_by(Expr::cust("(SELECT g.position FROM task_groups g WHERE g.id = tasks.group_id)"), Order::Asc)
        .order_by_asc(tasks::Column::Position)
        .order_by_asc(tasks::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(c)
        .await
}

/// How many tasks `f` keeps.
pub async fn count(c: &impl ConnectionTrait, f: &Filter) -> Result<u64, DbErr> {
    filtered(f).count(c).await
}

/// The tasks of `plan` that have a deadline.
pub async fn dated_in_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Model>, DbErr> {
    tasks::Entity::find()
        .filter(tasks::Column::PlanId.eq(plan))
        .filter(tasks::Column::Deadline.is_not_null())
        .all(c)
        .await
}

/// The live (not archived) tasks of `plan` — the ones that print — in their order
/// (position, then the order they were made).
pub async fn live_in_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Model>, DbErr> {
    tasks::Entity::find()
        .filter(tasks::Column::PlanId.eq(plan))
        .filter(tasks::Column::ArchivedAt.is_null())
        .order_by_asc(tasks::Column::Position)
        .order_by_asc(tasks::Column::Id)
        .all(c)
        .await
}

/// Every task of the plan, archived ones too (in no set order).
pub async fn all_of_plan_with_archived(
    c: &impl sea_orm::ConnectionTrait,
    plan: uuid::Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::tasks::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::PlanId.eq(plan)).all(c).await
}
