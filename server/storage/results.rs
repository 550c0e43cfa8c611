//! Results: a lead unit's reports on its task.

super::rows::rows!(results, "result");

/// The results of the tasks `ids` (in no set order).
pub async fn of_task_ids(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::results::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::TaskId.is_in(ids)).all(c).await
}
