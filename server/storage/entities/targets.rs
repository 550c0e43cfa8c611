//! Entity for the `targets` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `targets`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub task_id: Uuid,
    pub position: i32,
    pub description: String,
    pub measure_unit: Option<String>,
    pub goal_value: Option<f64>,
    pub baseline_value: Option<f64>,
    pub actual_value: Option<f64>,
    pub forecast_value: Option<f64>,
    pub as_of: Option<Date>,
    pub status: Option<crate::domain::TargetStatus>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
