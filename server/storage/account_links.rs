//! One-time links (invitations, password resets, sign-in links).

super::rows::rows!(account_links, "token");

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::account_links;

/// A link of `user` for `purpose` made after `since`, if any.
pub async fn made_since(
    c: &impl ConnectionTrait,
    user: Uuid,
    purpose: &str,
    since: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    account_links::Entity::find()
        .filter(account_links::Column::UserId.eq(user))
        .filter(account_links::Column::Purpose.eq(purpose))
        .filter(account_links::Column::CreatedAt.gt(since))
        .one(c)
        .await
}

/// Marks every unused link of `user` used at `now`.
pub async fn close_open(c: &impl ConnectionTrait, user: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    account_links::Entity::update_many()
        .col_expr(account_links::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(account_links::Column::UserId.eq(user))
        .filter(account_links::Column::UsedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// The link whose secret hashes to `hash`, whatever its state.
pub async fn by_secret_hash(c: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    account_links::Entity::find().filter(account_links::Column::SecretHash.eq(hash)).one(c).await
}

/// The unused links for `purpose` of `users` that still work after `now`.
pub async fn open_of(
    c: &impl ConnectionTrait,
    users: &[Uuid],
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    account_links::Entity::find()
        .filter(account_links::Column::UserId.is_in(users.iter().copied()))
        .filter(account_links::Column::Purpose.eq(purpose))
        .filter(account_links::Column::UsedAt.is_null())
        .filter(account_links::Column::ExpiresAt.gt(now))
        .all(c)
        .await
}
