//! Forms kept when a save could not go through (an expired session).

pub use super::entities::form_drafts::Model;

/// Keeps `m` as its user's draft of its page, replacing the one kept before (one
/// statement, so it is whole or absent).
pub async fn keep(c: &impl sea_orm::ConnectionTrait, m: Model) -> Result<(), sea_orm::DbErr> {
    use super::entities::form_drafts::{ActiveModel, Column, Entity};
    use sea_orm::sea_query::OnConflict;
    use sea_orm::{EntityTrait, Set};
    Entity::insert(ActiveModel {
        user_id: Set(m.user_id),
        path: Set(m.path),
        fields: Set(m.fields),
        saved_at: Set(m.saved_at),
        from_expired_session: Set(m.from_expired_session),
    })
    .on_conflict(
        OnConflict::columns([Column::UserId, Column::Path])
            .update_columns([Column::Fields, Column::SavedAt, Column::FromExpiredSession])
            .to_owned(),
    )
    .exec(c)
    .await?;
    Ok(())
}

/// The user's draft of `path`, if one is kept.
pub async fn of_page(
    c: &impl sea_orm::ConnectionTrait,
    user: uuid::Uuid,
    path: &str,
) -> Result<Option<Model>, sea_orm::DbErr> {
    use sea_orm::EntityTrait;
    super::entities::form_drafts::Entity::find_by_id((user, path.to_owned())).one(c).await
}

/// Drops the user's draft of `path`.
pub async fn drop_page(c: &impl sea_orm::ConnectionTrait, user: uuid::Uuid, path: &str) -> Result<(), sea_orm::DbErr> {
    use sea_orm::EntityTrait;
    super::entities::form_drafts::Entity::delete_by_id((user, path.to_owned())).exec(c).await?;
    Ok(())
}

/// Drops every draft saved before `t`; how many went.
pub async fn drop_saved_before(
    c: &impl sea_orm::ConnectionTrait,
    t: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sea_orm::DbErr> {
    use super::entities::form_drafts::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(Entity::delete_many().filter(Column::SavedAt.lt(t)).exec(c).await?.rows_affected)
}
