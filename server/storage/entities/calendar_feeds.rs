//! Entity for the `calendar_feeds` table (see migrations/src/m0014_calendar_feeds.rs):
//! secret iCalendar addresses of deadlines, per person or unit.

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `calendar_feeds`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "calendar_feeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub label: String,
    /// Never serialised: the audit log records that a feed was made, not its secret.
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `services`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
