//! Next year's proposals of a plan.

super::rows::rows!(proposals, "proposal");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::proposals;

/// The proposal placed last in `section` of `plan`, if there is one.
pub async fn last_in_section(c: &impl ConnectionTrait, plan: Uuid, section: &str) -> Result<Option<Model>, DbErr> {
    proposals::Entity::find()
        .filter(proposals::Column::PlanId.eq(plan))
        .filter(proposals::Column::Section.eq(section))
        .order_by_desc(proposals::Column::Position)
        .one(c)
        .await
}

/// The proposals of `plan` (of one `section` when given), by position then id.
pub async fn of_plan(c: &impl ConnectionTrait, plan: Uuid, section: Option<&str>) -> Result<Vec<Model>, DbErr> {
    let mut q = proposals::Entity::find().filter(proposals::Column::PlanId.eq(plan));
    if let Some(s) = section {
        q = q.filter(proposals::Column::Section.eq(s));
    }
    q.order_by_asc(proposals::Column::Position).order_by_asc(proposals::Column::Id).all(c).await
}
