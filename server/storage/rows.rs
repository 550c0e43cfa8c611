//! The five things every table offers — get, find, insert, save, remove — written
//! once. A table's module in `storage/` says `rows!(entity, "what")` and gains them,
//! typed by its own `Model`, so a service works with plain records and never builds
//! a query: it reads `units::get(c, id)`, changes fields of the `Model` it got, and
//! calls `units::save(c, m)`.
//!
//! `save` writes every column of the record, so a service that read it inside its
//! transaction writes back exactly what it decided.
//!
//! Ids are UUID v7 (`Uuid::now_v7`), made by the server, so they sort by creation time.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
};

/// Inserts `m` as it is (every column).
pub async fn insert<A>(
    c: &impl ConnectionTrait,
    m: <A::Entity as EntityTrait>::Model,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    m.into_active_model().reset_all().insert(c).await
}

/// Writes every column of `m` to the row with its primary key.
pub async fn save<A>(
    c: &impl ConnectionTrait,
    m: <A::Entity as EntityTrait>::Model,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    m.into_active_model().reset_all().update(c).await
}

/// Deletes the row with primary key `id`; how many went (0 or 1).
pub async fn remove<E: EntityTrait>(
    c: &impl ConnectionTrait,
    id: <E::PrimaryKey as PrimaryKeyTrait>::ValueType,
) -> Result<u64, DbErr> {
    Ok(E::delete_by_id(id).exec(c).await?.rows_affected)
}

/// Gives a table's module `get`, `find`, `insert`, `save` and `remove` for its
/// `Model`; `$what` names the record in a `not_found` error.
macro_rules! rows {
    ($entity:ident, $what:literal) => {
        pub use $crate::storage::entities::$entity::Model;

        /// The record with `id`, or `not_found`.
        pub async fn get(c: &impl sea_orm::ConnectionTrait, id: uuid::Uuid) -> $crate::error::Result<Model> {
            find(c, id).await?.ok_or($crate::error::AppError::NotFound { entity: $what })
        }

        /// The record with `id`, if there is one.
        pub async fn find(c: &impl sea_orm::ConnectionTrait, id: uuid::Uuid) -> Result<Option<Model>, sea_orm::DbErr> {
            use sea_orm::EntityTrait;
            $crate::storage::entities::$entity::Entity::find_by_id(id).one(c).await
        }

        /// Inserts the record as it is.
        pub async fn insert(c: &impl sea_orm::ConnectionTrait, m: Model) -> Result<Model, sea_orm::DbErr> {
            $crate::storage::rows::insert::<$crate::storage::entities::$entity::ActiveModel>(c, m).await
        }

        /// Writes every column of the record.
        pub async fn save(c: &impl sea_orm::ConnectionTrait, m: Model) -> Result<Model, sea_orm::DbErr> {
            $crate::storage::rows::save::<$crate::storage::entities::$entity::ActiveModel>(c, m).await
        }

        /// Deletes the record with `id`; how many went (0 or 1).
        pub async fn remove(c: &impl sea_orm::ConnectionTrait, id: uuid::Uuid) -> Result<u64, sea_orm::DbErr> {
            $crate::storage::rows::remove::<$crate::storage::entities::$entity::Entity>(c, id).await
        }
    };
}
pub(crate) use rows;
