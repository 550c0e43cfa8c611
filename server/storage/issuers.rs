//! Issuing bodies (offices): names, settings, head titles.

super::rows::rows!(issuers, "issuer");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::issuers;

/// The issuer with `code`.
pub async fn by_code(c: &impl ConnectionTrait, code: &str) -> Result<Option<Model>, DbErr> {
    issuers::Entity::find().filter(issuers::Column::Code.eq(code)).one(c).await
}

/// Every issuer (only `only` when given), by code.
pub async fn by_code_order(c: &impl ConnectionTrait, only: Option<Uuid>) -> Result<Vec<Model>, DbErr> {
    let mut q = issuers::Entity::find().order_by_asc(issuers::Column::Code);
    if let Some(i) = only {
        q = q.filter(issuers::Column::Id.eq(i));
    }
    q.all(c).await
}

/// One page of the issuers (only `only` when given), by code, and how many in all.
pub async fn page(
    c: &impl ConnectionTrait,
    only: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut q = issuers::Entity::find().order_by_asc(issuers::Column::Code);
    if let Some(i) = only {
        q = q.filter(issuers::Column::Id.eq(i));
    }
    let total = q.clone().count(c).await?;
    let items = q.offset(offset).limit(limit).all(c).await?;
    Ok((items, total))
}

/// The issuers among `ids`.
pub async fn in_ids(c: &impl ConnectionTrait, ids: impl IntoIterator<Item = Uuid>) -> Result<Vec<Model>, DbErr> {
    issuers::Entity::find().filter(issuers::Column::Id.is_in(ids)).all(c).await
}

/// Every issuer.
pub async fn all(c: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    issuers::Entity::find().all(c).await
}

/// The abbreviations of the issuers `ids`, in one query.
pub async fn abbreviations(
    c: &impl sea_orm::ConnectionTrait,
    ids: Vec<uuid::Uuid>,
) -> Result<std::collections::HashMap<uuid::Uuid, String>, sea_orm::DbErr> {
    use super::entities::issuers::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let found = Entity::find().filter(Column::Id.is_in(ids)).all(c).await?;
    Ok(found.into_iter().map(|i| (i.id, i.abbreviation)).collect())
}
