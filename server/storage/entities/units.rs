//! Entity for the `units` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `units`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issuer_id: Uuid,
    pub name: String,
    pub short_name: String,
    pub kind: crate::domain::UnitKind,
    pub emails: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deactivated_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
