//! Failed sign-ins counted per name, and the locks they imply.

pub use super::entities::login_throttles::Model;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::entities::login_throttles;

/// The row of `name`, made with no failures if there is none, locked until the
/// transaction ends (PostgreSQL; SQLite has the writer slot).
pub async fn take(c: &impl ConnectionTrait, name: &str, now: DateTime<Utc>) -> Result<Option<Model>, DbErr> {
    use sea_orm::sea_query::OnConflict;
    login_throttles::Entity::insert(login_throttles::ActiveModel {
        name: sea_orm::Set(name.to_owned()),
        failures: sea_orm::Set(0),
        locked_until: sea_orm::Set(None),
        updated_at: sea_orm::Set(now),
    })
    .on_conflict(OnConflict::column(login_throttles::Column::Name).do_nothing().to_owned())
    .exec_without_returning(c)
    .await?;
    login_throttles::Entity::find_by_id(name.to_owned()).lock_exclusive().one(c).await
}

/// Writes every column of the row.
pub async fn save(c: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    super::rows::save::<login_throttles::ActiveModel>(c, m).await
}

/// Forgets the failed logins of `name`.
pub async fn remove(c: &impl ConnectionTrait, name: &str) -> Result<u64, DbErr> {
    Ok(login_throttles::Entity::delete_by_id(name.to_owned()).exec(c).await?.rows_affected)
}

/// Removes rows last touched before `cutoff` that lock nothing at `now`; how many went.
pub async fn prune(c: &impl ConnectionTrait, now: DateTime<Utc>, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let r = login_throttles::Entity::delete_many()
        .filter(login_throttles::Column::UpdatedAt.lt(cutoff))
        .filter(
            sea_orm::Condition::any()
                .add(login_throttles::Column::LockedUntil.is_null())
                .add(login_throttles::Column::LockedUntil.lt(now)),
        )
        .exec(c)
        .await?;
    Ok(r.rows_affected)
}
