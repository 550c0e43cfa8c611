//! Reads that several services share. Each lives here once, so that no service
//! calls another just to load a record (services import each other in one
//! direction only; `tests/api/structure.rs` checks it).

use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::storage::entities::{plans, tasks};

/// A plan, or `not_found`.
pub async fn plan<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<plans::Model> {
    plans::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound { entity: "plan" })
}

/// A task, or `not_found`.
pub async fn task<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<tasks::Model> {
    tasks::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound { entity: "task" })
}
