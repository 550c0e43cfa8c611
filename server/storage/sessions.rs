//! Login sessions.

super::rows::rows!(sessions, "session");

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::entities::{sessions, users};

/// In one round trip: the session whose secret hashes to `hash`, its user (if the
/// row has one) and the database's revision (see [`super::cache`]).
pub async fn with_user_and_revision(
    c: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<(Model, Option<users::Model>, i64)>, DbErr> {
    let select = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(hash))
        .find_also_related(users::Entity)
        .expr_as(sea_orm::sea_query::Expr::cust(super::cache::REVISION_SQL), "rev");
    let Some(row) = c.query_one_raw(select.build(c.get_database_backend())).await? else {
        return Ok(None);
    };
    let s = Model::from_query_result(&row, "A_")?;
    let user = users::Model::from_query_result_optional(&row, "B_")?;
    let rev: i64 = row.try_get::<Option<i64>>("", "rev")?.unwrap_or(0);
    Ok(Some((s, user, rev)))
}

/// The session whose secret hashes to `hash`, whatever its state.
pub async fn by_token_hash(c: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    sessions::Entity::find().filter(sessions::Column::TokenHash.eq(hash)).one(c).await
}

/// Moves the end of session `id` to `until`, unless it was ended meanwhile.
pub async fn extend_unless_revoked(
    c: &impl ConnectionTrait,
    id: Uuid,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::ExpiresAt, sea_orm::sea_query::Expr::value(until))
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// Whether `user` has a session of `kind` with CSRF token `csrf` that ends after `after`.
pub async fn has_csrf(
    c: &impl ConnectionTrait,
    user: Uuid,
    csrf: &str,
    kind: &str,
    after: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let found = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user))
        .filter(sessions::Column::CsrfToken.eq(csrf))
        .filter(sessions::Column::Kind.eq(kind))
        .filter(sessions::Column::ExpiresAt.gt(after))
        .one(c)
        .await?;
    Ok(found.is_some())
}

/// The sessions of `kind` of `user`, newest first.
pub async fn of_user_newest_first(c: &impl ConnectionTrait, user: Uuid, kind: &str) -> Result<Vec<Model>, DbErr> {
    sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user))
        .filter(sessions::Column::Kind.eq(kind))
        .order_by_desc(sessions::Column::Id)
        .all(c)
        .await
}

/// Ends at `now` every session of `user` not yet ended, but `keep`; how many ended.
pub async fn end_all_of_user(
    c: &impl ConnectionTrait,
    user: Uuid,
    now: chrono::DateTime<chrono::Utc>,
    keep: Option<Uuid>,
) -> Result<u64, DbErr> {
    let mut ended = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(sessions::Column::UserId.eq(user))
        .filter(sessions::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        ended = ended.filter(sessions::Column::Id.ne(k));
    }
    Ok(ended.exec(c).await?.rows_affected)
}
