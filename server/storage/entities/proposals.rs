//! Entity for the `proposals` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `proposals`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_id: Uuid,
    pub section: crate::domain::ProposalSection,
    pub position: i32,
    pub text: String,
    pub unit_id: Option<Uuid>,
    pub place: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
