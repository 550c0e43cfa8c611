//! Entity for the `account_links` table (see migrations/src/m0011_account_links.rs):
//! one-time links to set a password, by invitation or after a forgotten one.

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `account_links`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "account_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: String,
    /// Never serialised: the audit log records that a link was made, not its secret.
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `services`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
