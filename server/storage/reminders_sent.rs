//! Deadline reminders already sent, one per task and threshold.

pub use super::entities::reminders_sent::Model;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

use super::entities::reminders_sent;

/// The reminders already sent for `tasks`.
pub async fn of_tasks(c: &impl ConnectionTrait, tasks: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    reminders_sent::Entity::find().filter(reminders_sent::Column::TaskId.is_in(tasks)).all(c).await
}

/// Records a reminder unless its task and threshold were reminded already;
/// whether it is new.
pub async fn record(c: &impl ConnectionTrait, m: Model) -> Result<bool, DbErr> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let r = reminders_sent::Entity::insert(m.into_active_model().reset_all())
        .on_conflict_do_nothing_on([reminders_sent::Column::TaskId, reminders_sent::Column::Threshold])
        .exec(c)
        .await?;
    Ok(matches!(r, TryInsertResult::Inserted(_)))
}
