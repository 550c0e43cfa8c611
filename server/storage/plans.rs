//! Plans: a year's set of key tasks of an issuer.

super::rows::rows!(plans, "plan");

use super::entities::plans;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

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

/// Plans newest year first, kept to each issuer given in `issuers` (every filter
/// holds; `None` filters nothing) and to `year` when given.
fn filtered(issuers: &[Option<Uuid>], year: Option<i32>) -> Select<plans::Entity> {
    let mut q = plans::Entity::find().order_by_desc(plans::Column::Year).order_by_asc(plans::Column::Id);
    for i in issuers.iter().flatten() {
        q = q.filter(plans::Column::IssuerId.eq(*i));
    }
    if let Some(y) = year {
        q = q.filter(plans::Column::Year.eq(y));
    }
    q
}

/// One page of the plans of `issuers` (see [`count`]), newest year first.
pub async fn page(
    c: &impl ConnectionTrait,
    issuers: &[Option<Uuid>],
    year: Option<i32>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    filtered(issuers, year).offset(offset).limit(limit).all(c).await
}

/// How many plans there are of each issuer given in `issuers` (every filter holds;
/// `None` filters nothing), of `year` when given.
pub async fn count(c: &impl ConnectionTrait, issuers: &[Option<Uuid>], year: Option<i32>) -> Result<u64, DbErr> {
    filtered(issuers, year).count(c).await
}

/// The plans of `year` and after, of `issuer` when given (in no set order).
pub async fn from_year(
    c: &impl sea_orm::ConnectionTrait,
    year: i32,
    issuer: Option<uuid::Uuid>,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::plans::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut q = Entity::find().filter(Column::Year.gte(year));
    if let Some(i) = issuer {
        q = q.filter(Column::IssuerId.eq(i));
    }
    q.all(c).await
}
