//! Entity for the `audit_events` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `audit_events`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seq: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    pub action: crate::domain::AuditAction,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub client_addr: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The office the event belongs to (for reading by office); outside the hash.
    pub issuer_id: Option<Uuid>,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
