//! Plans: a year's set of key tasks of an issuer.

super::rows::rows!(plans, "plan");

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
