//! Plans: a year's set of key tasks of an issuer.

super::rows::rows!(plans, "plan");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::plans;

/// How many plans use rubric `rubric`.
pub async fn count_with_rubric(c: &impl ConnectionTrait, rubric: Uuid) -> Result<u64, DbErr> {
    plans::Entity::find().filter(plans::Column::RubricId.eq(rubric)).count(c).await
}

/// The plans with a reminder policy of their own.
pub async fn with_reminder_policy(c: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    plans::Entity::find().filter(plans::Column::ReminderPolicy.is_not_null()).all(c).await
}

/// How many plans `issuer` has.
pub async fn count_of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<u64, DbErr> {
    plans::Entity::find().filter(plans::Column::IssuerId.eq(issuer)).count(c).await
}

/// The plan of `issuer` for `year`.
pub async fn of_issuer_year(c: &impl ConnectionTrait, issuer: Uuid, year: i32) -> Result<Option<Model>, DbErr> {
    plans::Entity::find().filter(plans::Column::IssuerId.eq(issuer)).filter(plans::Column::Year.eq(year)).one(c).await
}
