//! Tasks of a plan.

super::rows::rows!(tasks, "task");

/// The plan's tasks as they print: not archived, in their order (position, then
/// the order they were made).
pub async fn printed_of_plan(
    c: &impl sea_orm::ConnectionTrait,
    plan: uuid::Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::tasks::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find()
        .filter(Column::PlanId.eq(plan))
        .filter(Column::ArchivedAt.is_null())
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Id)
        .all(c)
        .await
}

/// Every task of the plan, archived ones too (in no set order).
pub async fn all_of_plan_with_archived(
    c: &impl sea_orm::ConnectionTrait,
    plan: uuid::Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::tasks::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::PlanId.eq(plan)).all(c).await
}
