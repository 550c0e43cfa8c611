//! Evidence files (minh chứng) attached to tasks.

super::rows::rows!(evidence, "evidence");

use super::entities::evidence;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// How many evidence files `tasks` have.
pub async fn count_of_tasks(c: &impl ConnectionTrait, tasks: &[Uuid]) -> Result<u64, DbErr> {
    evidence::Entity::find().filter(evidence::Column::TaskId.is_in(tasks.iter().copied())).count(c).await
}

/// How many evidence files `user` uploaded.
pub async fn count_uploaded_by(c: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    evidence::Entity::find().filter(evidence::Column::UploadedBy.eq(user)).count(c).await
}

/// The evidence of `task`, oldest first.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Model>, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::TaskId.eq(task))
        .order_by_asc(evidence::Column::UploadedAt)
        .order_by_asc(evidence::Column::Id)
        .all(c)
        .await
}

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
