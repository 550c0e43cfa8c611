//! Entity for the `users` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `users`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issuer_id: Uuid,
    pub username: String,
    pub name: String,
    pub email: String,
    pub unit_id: Option<Uuid>,
    pub role: crate::domain::Role,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub signature_image: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deactivated_at: Option<DateTimeUtc>,
    /// Administers the server: creates offices and appoints their administrators.
    pub server_admin: bool,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
