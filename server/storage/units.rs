//! Units: departments and communes that lead or co-operate on tasks.

super::rows::rows!(units, "unit");

use super::entities::{proposals, task_cooperators, tasks, units, users};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Units in the order they were made, kept to each issuer given in `issuers`
/// (every filter holds; `None` filters nothing) and to `kind` when given.
pub async fn list(c: &impl ConnectionTrait, issuers: &[Option<Uuid>], kind: Option<&str>) -> Result<Vec<Model>, DbErr> {
    let mut q = units::Entity::find().order_by_asc(units::Column::Id);
    for i in issuers.iter().flatten() {
        q = q.filter(units::Column::IssuerId.eq(*i));
    }
    if let Some(k) = kind {
        q = q.filter(units::Column::Kind.eq(k));
    }
    q.all(c).await
}

/// How many tasks the unit leads or co-operates on.
pub async fn count_tasks(c: &impl ConnectionTrait, unit: Uuid) -> Result<u64, DbErr> {
    let leads = tasks::Entity::find().filter(tasks::Column::LeadUnitId.eq(unit)).count(c).await?;
    let helps = task_cooperators::Entity::find().filter(task_cooperators::Column::UnitId.eq(unit)).count(c).await?;
    Ok(leads + helps)
}

/// How many users and proposals name the unit.
pub async fn count_people_and_proposals(c: &impl ConnectionTrait, unit: Uuid) -> Result<u64, DbErr> {
    Ok(users::Entity::find().filter(users::Column::UnitId.eq(unit)).count(c).await?
        + proposals::Entity::find().filter(proposals::Column::UnitId.eq(unit)).count(c).await?)
}

/// The unit of `issuer` with short name `short_name`.
pub async fn by_short_name(c: &impl ConnectionTrait, issuer: Uuid, short_name: &str) -> Result<Option<Model>, DbErr> {
    units::Entity::find()
        .filter(units::Column::IssuerId.eq(issuer))
        .filter(units::Column::ShortName.eq(short_name))
        .one(c)
        .await
}

/// The units among `ids` that are still active.
pub async fn active_in(c: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    units::Entity::find()
        .filter(units::Column::Id.is_in(ids))
        .filter(units::Column::DeactivatedAt.is_null())
        .all(c)
        .await
}

/// The units among `ids`, in no order.
pub async fn with_ids(c: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<Model>, DbErr> {
    units::Entity::find().filter(units::Column::Id.is_in(ids)).all(c).await
}

/// The active (not deactivated) units of `issuer`, in no set order.
pub async fn active_of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<Vec<Model>, DbErr> {
    units::Entity::find()
        .filter(units::Column::IssuerId.eq(issuer))
        .filter(units::Column::DeactivatedAt.is_null())
        .all(c)
        .await
}
