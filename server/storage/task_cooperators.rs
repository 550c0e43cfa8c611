//! The units that co-operate on a task.

pub use super::entities::task_cooperators::Model;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::task_cooperators;

/// Whether `unit` co-operates on `task`.
pub async fn co_operates(c: &impl ConnectionTrait, task: Uuid, unit: Uuid) -> Result<bool, DbErr> {
    let n = task_cooperators::Entity::find()
        .filter(task_cooperators::Column::TaskId.eq(task))
        .filter(task_cooperators::Column::UnitId.eq(unit))
        .count(c)
        .await?;
    Ok(n > 0)
}
