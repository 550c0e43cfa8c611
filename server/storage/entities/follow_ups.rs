//! Entity for the `follow_ups` table (see migrations/src/m0017_deadlines.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `follow_ups`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issuer_id: Uuid,
    pub task_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub kind: crate::domain::FollowUpKind,
    pub state: crate::domain::FollowUpState,
    pub body: String,
    pub asked_on: Option<Date>,
    pub granted_on: Option<Date>,
    pub answer: Option<String>,
    pub decision_reason: Option<String>,
    pub document_id: Option<Uuid>,
    pub level: Option<i32>,
    pub opened_by: Option<Uuid>,
    pub opened_at: DateTimeUtc,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
