//! Evidence files (minh chứng) attached to tasks.

super::rows::rows!(evidence, "evidence");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::evidence;

/// The evidence of `task`, oldest first.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Model>, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::TaskId.eq(task))
        .order_by_asc(evidence::Column::UploadedAt)
        .order_by_asc(evidence::Column::Id)
        .all(c)
        .await
}
