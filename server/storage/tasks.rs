//! Tasks of a plan.

super::rows::rows!(tasks, "task");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::tasks;

/// The ids of `plan`'s tasks.
pub async fn ids_of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(tasks::Entity::find().filter(tasks::Column::PlanId.eq(plan)).all(c).await?.into_iter().map(|t| t.id).collect())
}

/// How many tasks group `group` holds.
pub async fn count_in_group(c: &impl ConnectionTrait, group: Uuid) -> Result<u64, DbErr> {
    tasks::Entity::find().filter(tasks::Column::GroupId.eq(group)).count(c).await
}

/// The live tasks with a lead unit and a deadline on or before `by`.
pub async fn led_and_due_by(c: &impl ConnectionTrait, by: chrono::NaiveDate) -> Result<Vec<Model>, DbErr> {
    tasks::Entity::find()
        .filter(tasks::Column::Deadline.is_not_null())
        .filter(tasks::Column::Deadline.lte(by))
        .filter(tasks::Column::LeadUnitId.is_not_null())
        .filter(tasks::Column::ArchivedAt.is_null())
        .all(c)
        .await
}
