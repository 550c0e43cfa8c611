//! Entity for the `issuers` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `issuers`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "issuers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub abbreviation: String,
    pub place_name: String,
    pub full_name: String,
    pub short_name: String,
    pub subordinates_name: Option<String>,
    pub collective_title: Option<String>,
    pub head_title: String,
    pub deputy_title: Option<String>,
    pub seal_image: Option<String>,
    pub name_lines: Option<Json>,
    pub parent_lines: Option<Json>,
    pub deadline_rules: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
