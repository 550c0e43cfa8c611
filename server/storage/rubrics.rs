//! Scoring rubrics of an issuer.

super::rows::rows!(rubrics, "rubric");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::rubrics;

/// The rubrics of `issuer`, oldest first.
pub async fn of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<Vec<Model>, DbErr> {
    rubrics::Entity::find().filter(rubrics::Column::IssuerId.eq(issuer)).order_by_asc(rubrics::Column::Id).all(c).await
}

/// One page of the rubrics, oldest first, kept to each issuer given in `issuers`
/// (`None` filters nothing), and how many in all.
pub async fn page(
    c: &impl ConnectionTrait,
    issuers: &[Option<Uuid>],
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut q = rubrics::Entity::find().order_by_asc(rubrics::Column::Id);
    for i in issuers.iter().flatten() {
        q = q.filter(rubrics::Column::IssuerId.eq(*i));
    }
    let total = q.clone().count(c).await?;
    let items = q.offset(offset).limit(limit).all(c).await?;
    Ok((items, total))
}
