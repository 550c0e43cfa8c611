//! The units that co-operate on a task.

use super::entities::task_cooperators;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub use super::entities::task_cooperators::Model;

/// Whether `unit` co-operates on `task`.
pub async fn co_operates(c: &impl ConnectionTrait, task: Uuid, unit: Uuid) -> Result<bool, DbErr> {
    let n = task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.eq(task))
        .filter(task_cooperators::Column::UnitId.eq(unit))
        .count(c)
        .await?;
    Ok(n > 0)
}

/// Makes `units` the co-operators of `task`, in place of those it had.
pub async fn replace(c: &impl ConnectionTrait, task: Uuid, units: &[Uuid]) -> Result<(), DbErr> {
    task_cooperators::Entity::delete_many().filter(task_cooperators::Column::TaskId.eq(task)).exec(c).await?;
    if !units.is_empty() {
        task_cooperators::Entity::insert_many(
            units.iter().map(|u| task_cooperators::ActiveModel { task_id: Set(task), unit_id: Set(*u) }),
        )
        .exec(c)
        .await?;
    }
    Ok(())
}

/// The co-operations on any of `tasks`, by unit.
pub async fn of_tasks(c: &impl ConnectionTrait, tasks: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.is_in(tasks))
        .order_by_asc(task_cooperators::Column::UnitId)
        .all(c)
        .await
}

/// The units co-operating on `task`, as stored.
pub async fn units_of(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.eq(task))
        .all(c)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect())
}

/// Inserts co-operations, a few hundred per statement.
pub async fn insert_all(c: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        task_cooperators::Entity::insert_many(
            chunk.iter().map(|m| task_cooperators::ActiveModel { task_id: Set(m.task_id), unit_id: Set(m.unit_id) }),
        )
        .exec(c)
        .await?;
    }
    Ok(())
}
