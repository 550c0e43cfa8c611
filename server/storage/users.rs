//! People with an account.

super::rows::rows!(users, "user");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::users;
use crate::domain::Role;

/// The user with login name `username`.
pub async fn by_username(c: &impl ConnectionTrait, username: &str) -> Result<Option<Model>, DbErr> {
    users::Entity::find().filter(users::Column::Username.eq(username)).one(c).await
}

/// The users whose login name or e-mail address is `address` (the address also
/// as lower case).
pub async fn by_login_or_email(c: &impl ConnectionTrait, address: &str) -> Result<Vec<Model>, DbErr> {
    users::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::Username.eq(address))
                .add(users::Column::Email.eq(address))
                .add(users::Column::Email.eq(address.to_lowercase())),
        )
        .all(c)
        .await
}

/// Which users a list shows: each filter given holds (`None` filters nothing).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this user.
    pub id: Option<Uuid>,
    /// Of each of these issuers.
    pub issuers: Vec<Option<Uuid>>,
    /// Of this unit.
    pub unit: Option<Uuid>,
    /// With this role code.
    pub role: Option<String>,
    /// Only administrators (of an office or of the server).
    pub administrators: bool,
}

/// One page of the users `f` keeps, by login name, and how many it keeps in all.
pub async fn page(c: &impl ConnectionTrait, f: Filter, offset: u64, limit: u64) -> Result<(Vec<Model>, u64), DbErr> {
    let mut q = users::Entity::find().order_by_asc(users::Column::Username);
    if let Some(id) = f.id {
        q = q.filter(users::Column::Id.eq(id));
    }
    for i in f.issuers.iter().flatten() {
        q = q.filter(users::Column::IssuerId.eq(*i));
    }
    if let Some(u) = f.unit {
        q = q.filter(users::Column::UnitId.eq(u));
    }
    if let Some(r) = f.role {
        q = q.filter(users::Column::Role.eq(r));
    }
    if f.administrators {
        q = q.filter(users::Column::Role.is_in([Role::Admin, Role::ServerAdmin]));
    }
    let total = q.clone().count(c).await?;
    let items = q.offset(offset).limit(limit).all(c).await?;
    Ok((items, total))
}

/// Every user, of `issuer` when given, by full name.
pub async fn by_name(c: &impl ConnectionTrait, issuer: Option<Uuid>) -> Result<Vec<Model>, DbErr> {
    let mut q = users::Entity::find().order_by_asc(users::Column::Name);
    if let Some(i) = issuer {
        q = q.filter(users::Column::IssuerId.eq(i));
    }
    q.all(c).await
}

/// The users with role code `role`.
pub async fn with_role(c: &impl ConnectionTrait, role: &str) -> Result<Vec<Model>, DbErr> {
    users::Entity::find().filter(users::Column::Role.eq(role)).all(c).await
}

/// How many users there are.
pub async fn count(c: &impl ConnectionTrait) -> Result<u64, DbErr> {
    users::Entity::find().count(c).await
}

/// How many users `issuer` has.
pub async fn count_of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<u64, DbErr> {
    users::Entity::find().filter(users::Column::IssuerId.eq(issuer)).count(c).await
}

/// The active unit officers of `units`.
pub async fn active_officers_of(c: &impl ConnectionTrait, units: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::UnitId.is_in(units))
        .filter(users::Column::Role.eq("unit_officer"))
        .filter(users::Column::DeactivatedAt.is_null())
        .all(c)
        .await
}

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
