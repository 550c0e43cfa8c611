//! Next year's proposals of a plan.

super::rows::rows!(proposals, "proposal");

/// The plan's proposals in their order (position, then the order they were made).
pub async fn of_plan_in_order(
    c: &impl sea_orm::ConnectionTrait,
    plan: uuid::Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::proposals::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find().filter(Column::PlanId.eq(plan)).order_by_asc(Column::Position).order_by_asc(Column::Id).all(c).await
}
