//! Co-operating units' contributions to tasks.

super::rows::rows!(contributions, "contribution");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::contributions;

/// The contribution of `unit` to `task`, if it wrote one.
pub async fn of_unit(c: &impl ConnectionTrait, task: Uuid, unit: Uuid) -> Result<Option<Model>, DbErr> {
    contributions::Entity::find()
        .filter(contributions::Column::TaskId.eq(task))
        .filter(contributions::Column::UnitId.eq(unit))
        .one(c)
        .await
}

/// The contributions to `task`, oldest first.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Model>, DbErr> {
    contributions::Entity::find()
        .filter(contributions::Column::TaskId.eq(task))
        .order_by_asc(contributions::Column::CreatedAt)
        .all(c)
        .await
}
