//! People with an account.

super::rows::rows!(users, "user");

/// The issuer's active people with the role `role` (in no set order).
pub async fn active_with_role(
    c: &impl sea_orm::ConnectionTrait,
    issuer: uuid::Uuid,
    role: crate::domain::Role,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use super::entities::users::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find()
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::Role.eq(role.code()))
        .filter(Column::DeactivatedAt.is_null())
        .all(c)
        .await
}
