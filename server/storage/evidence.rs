//! Evidence files (minh chứng) attached to tasks.

super::rows::rows!(evidence, "evidence");

/// The files of the tasks `ids`, in the order they were uploaded.
pub async fn of_tasks_as_uploaded(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::evidence::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find()
        .filter(Column::TaskId.is_in(ids))
        .order_by_asc(Column::UploadedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await
}
