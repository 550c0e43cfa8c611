//! Groups (sections) of a plan's tasks.

super::rows::rows!(task_groups, "group");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::task_groups;

/// The groups of `plan`, in order (position, then id).
pub async fn of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Model>, DbErr> {
    task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan))
        .order_by_asc(task_groups::Column::Position)
        .order_by_asc(task_groups::Column::Id)
        .all(c)
        .await
}

/// The group placed last in `plan`, if it has one.
pub async fn last_in_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Option<Model>, DbErr> {
    task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan))
        .order_by_desc(task_groups::Column::Position)
        .one(c)
        .await
}
