//! Results: a lead unit's reports on its task.

super::rows::rows!(results, "result");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::results;
use crate::domain::ResultState;

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
