//! session Hand-offs of a document to a signer's own tool.

super::rows::rows!(signing_sessions, "signing");

/// The session whose one-time fetch secret has the digest `digest`, if any.
pub async fn with_fetch_secret(
    c: &impl sea_orm::ConnectionTrait,
    digest: &str,
) -> Result<Option<Model>, sea_orm::DbErr> {
    use super::entities::signing_sessions::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::FetchSecret.eq(digest)).one(c).await
}

/// The session whose one-time return secret has the digest `digest`, if any.
pub async fn with_return_secret(
    c: &impl sea_orm::ConnectionTrait,
    digest: &str,
) -> Result<Option<Model>, sea_orm::DbErr> {
    use super::entities::signing_sessions::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::ReturnSecret.eq(digest)).one(c).await
}

/// The session `id` if it is one of the document `document`'s.
pub async fn of_document(
    c: &impl sea_orm::ConnectionTrait,
    id: uuid::Uuid,
    document: uuid::Uuid,
) -> Result<Option<Model>, sea_orm::DbErr> {
    use super::entities::signing_sessions::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find_by_id(id).filter(Column::DocumentId.eq(document)).one(c).await
}
