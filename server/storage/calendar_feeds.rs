//! feed Private calendar feed addresses of users.

super::rows::rows!(calendar_feeds, "calendar");

/// The user's feeds not revoked (in no set order).
pub async fn live_of_user(c: &impl sea_orm::ConnectionTrait, user: uuid::Uuid) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::calendar_feeds::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::UserId.eq(user)).filter(Column::RevokedAt.is_null()).all(c).await
}

/// Every feed of the user, revoked ones too, newest first.
pub async fn of_user_newest_first(
    c: &impl sea_orm::ConnectionTrait,
    user: uuid::Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::calendar_feeds::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find().filter(Column::UserId.eq(user)).order_by_desc(Column::Id).all(c).await
}

/// The feed not revoked whose secret has the digest `secret_hash`, if any.
pub async fn live_with_secret(
    c: &impl sea_orm::ConnectionTrait,
    secret_hash: &str,
) -> Result<Option<Model>, sea_orm::DbErr> {
    use super::entities::calendar_feeds::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find().filter(Column::SecretHash.eq(secret_hash)).filter(Column::RevokedAt.is_null()).one(c).await
}
