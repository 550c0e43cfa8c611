//! Numeric targets of tasks.

super::rows::rows!(targets, "target");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::targets;

/// The targets of any of `tasks`, in order (position, then id).
pub async fn of_tasks(c: &impl ConnectionTrait, tasks: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    targets::Entity::find()
        .filter(targets::Column::TaskId.is_in(tasks))
        .order_by_asc(targets::Column::Position)
        .order_by_asc(targets::Column::Id)
        .all(c)
        .await
}

/// The targets of `task`, as stored.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Model>, DbErr> {
    targets::Entity::find().filter(targets::Column::TaskId.eq(task)).all(c).await
}

/// The target placed last in `task`, if it has one.
pub async fn last_of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Option<Model>, DbErr> {
    targets::Entity::find()
        .filter(targets::Column::TaskId.eq(task))
        .order_by_desc(targets::Column::Position)
        .one(c)
        .await
}

/// Inserts new targets as they are, a few hundred per statement.
pub async fn insert_all(c: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        targets::Entity::insert_many(chunk.iter().cloned().map(targets::ActiveModel::from)).exec(c).await?;
    }
    Ok(())
}
