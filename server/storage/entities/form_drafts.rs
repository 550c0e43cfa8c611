//! Entity for the `form_drafts` table (see migrations/src/m0007_work.rs): a
//! page's form as its user last typed it, kept until they save it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `form_drafts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "form_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path: String,
    pub fields: Json,
    pub saved_at: DateTimeUtc,
    pub from_expired_session: bool,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
