//! The units that co-operate on a task.

pub use super::entities::task_cooperators::Model;

/// The co-operating units of the tasks `ids`, one row per task and unit.
pub async fn of_task_ids(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::task_cooperators::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::TaskId.is_in(ids)).all(c).await
}
