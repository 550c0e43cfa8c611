//! Issuing bodies (offices): names, settings, head titles.

super::rows::rows!(issuers, "issuer");

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
