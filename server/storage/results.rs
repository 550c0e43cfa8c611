//! Results: a lead unit's reports on its task.

super::rows::rows!(results, "result");

use super::entities::{plans, results, task_cooperators, tasks};
use crate::domain::ResultState;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

/// How many results of `tasks` are past the draft stage.
pub async fn count_reported_of(c: &impl ConnectionTrait, tasks: &[Uuid]) -> Result<u64, DbErr> {
    results::Entity::find()
        .filter(results::Column::TaskId.is_in(tasks.iter().copied()))
        .filter(results::Column::State.ne(ResultState::Draft.code()))
        .count(c)
        .await
}

/// How many results `user` reviewed.
pub async fn count_reviewed_by(c: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    results::Entity::find().filter(results::Column::ReviewedBy.eq(user)).count(c).await
}

/// The result of `task`, if it has one.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Option<Model>, DbErr> {
    results::Entity::find().filter(results::Column::TaskId.eq(task)).one(c).await
}

/// The results of `tasks` that are submitted or accepted.
pub async fn submitted_or_accepted_of(c: &impl ConnectionTrait, tasks: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    results::Entity::find()
        .filter(results::Column::TaskId.is_in(tasks))
        .filter(results::Column::State.is_in([ResultState::Submitted.code(), ResultState::Accepted.code()]))
        .all(c)
        .await
}

/// Which of `tasks` have a result submitted or accepted (their ids only).
pub async fn reported_among(c: &impl ConnectionTrait, tasks: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    use sea_orm::QuerySelect;
    let mut out = Vec::new();
    for chunk in tasks.chunks(5000) {
        out.extend(
            results::Entity::find()
                .select_only()
                .column(results::Column::TaskId)
                .filter(results::Column::TaskId.is_in(chunk.iter().copied()))
                .filter(results::Column::State.is_in([ResultState::Submitted.code(), ResultState::Accepted.code()]))
                .into_tuple::<Uuid>()
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// Which results a list holds; every field given narrows it.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Results of tasks of this issuer's plans.
    pub issuer: Option<Uuid>,
    /// Results of tasks this unit leads or co-operates on.
    pub unit: Option<Uuid>,
    /// Results of this plan's tasks.
    pub plan: Option<Uuid>,
    /// The result of this task.
    pub task: Option<Uuid>,
    /// Results in this state.
    pub state: Option<String>,
}

/// The results `f` keeps, in the order they were made.
fn filtered(f: &Filter) -> Select<results::Entity> {
    let mut q = results::Entity::find().order_by_asc(results::Column::Id);
    if let Some(i) = f.issuer {
        let plans_of = Query::select()
            .column(plans::Column::Id)
            .from(plans::Entity)
            .and_where(plans::Column::IssuerId.eq(i))
            .to_owned();
        let tasks_of = Query::select()
            .column(tasks::Column::Id)
            .from(tasks::Entity)
            .and_where(tasks::Column::PlanId.in_subquery(plans_of))
            .to_owned();
        q = q.filter(results::Column::TaskId.in_subquery(tasks_of));
    }
    if let Some(u) = f.unit {
        let led = Query::select()
            .column(tasks::Column::Id)
            .from(tasks::Entity)
            .and_where(tasks::Column::LeadUnitId.eq(u))
            .to_owned();
        let helped = Query::select()
            .column(task_cooperators::Column::TaskId)
            .from(task_cooperators::Entity)
            .and_where(task_cooperators::Column::UnitId.eq(u))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(results::Column::TaskId.in_subquery(led))
                .add(results::Column::TaskId.in_subquery(helped)),
        );
    }
    if let Some(p) = f.plan {
        let of_plan = Query::select()
            .column(tasks::Column::Id)
            .from(tasks::Entity)
            .and_where(tasks::Column::PlanId.eq(p))
            .to_owned();
        q = q.filter(results::Column::TaskId.in_subquery(of_plan));
    }
    if let Some(t) = f.task {
        q = q.filter(results::Column::TaskId.eq(t));
    }
    if let Some(s) = &f.state {
        q = q.filter(results::Column::State.eq(s.as_str()));
    }
    q
}

/// One page of the results `f` keeps, in the order they were made.
pub async fn page(c: &impl ConnectionTrait, f: &Filter, offset: u64, limit: u64) -> Result<Vec<Model>, DbErr> {
    filtered(f).offset(offset).limit(limit).all(c).await
}

/// How many results `f` keeps.
pub async fn count(c: &impl ConnectionTrait, f: &Filter) -> Result<u64, DbErr> {
    filtered(f).count(c).await
}

/// The results of the tasks `ids` (in no set order).
pub async fn of_task_ids(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::results::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::TaskId.is_in(ids)).all(c).await
}
