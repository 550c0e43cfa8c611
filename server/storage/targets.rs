//! Numeric targets of tasks.

super::rows::rows!(targets, "target");

/// The targets of the tasks `ids`, in their order (position, then the order they were made).
pub async fn of_tasks_in_order(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::targets::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find()
        .filter(Column::TaskId.is_in(ids))
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Id)
        .all(c)
        .await
}
