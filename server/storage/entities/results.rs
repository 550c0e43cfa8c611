//! Entity for the `results` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `results`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub task_id: Uuid,
    pub narrative: String,
    pub self_score: Option<i32>,
    pub proposed_rating: Option<String>,
    pub rating_override: Option<String>,
    pub override_reason: Option<String>,
    pub state: crate::domain::ResultState,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
