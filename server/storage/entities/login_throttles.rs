//! Entity for the `login_throttles` table (see migrations/src/m0005_hardening.rs):
//! failed logins per login name, known or not.

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `login_throttles`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "login_throttles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// No relations: a name need not belong to a user.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
