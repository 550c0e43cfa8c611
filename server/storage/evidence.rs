//! Evidence files (minh chứng) attached to tasks.

super::rows::rows!(evidence, "evidence");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::evidence;

/// How many evidence files `tasks` have.
pub async fn count_of_tasks(c: &impl ConnectionTrait, tasks: &[Uuid]) -> Result<u64, DbErr> {
    evidence::Entity::find().filter(evidence::Column::TaskId.is_in(tasks.iter().copied())).count(c).await
}

/// How many evidence files `user` uploaded.
pub async fn count_uploaded_by(c: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    evidence::Entity::find().filter(evidence::Column::UploadedBy.eq(user)).count(c).await
}
