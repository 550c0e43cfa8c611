//! Entity for the `reminders_sent` table (see migrations/src/m0003_mail.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A (task, threshold) reminder already enqueued.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reminders_sent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub threshold: String,
    pub at: DateTimeUtc,
    pub outbox_key: String,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
