//! A task's follow-ups: requests to move or withdraw it, explanation requests,
//! directions, urgings and escalations.

super::rows::rows!(follow_ups, "follow-up");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::follow_ups::{Column, Entity};
use crate::domain::{FollowUpKind, FollowUpState};

/// A new line of `kind` on `task` (of `issuer`, about `unit`), opened by `by` at `at`;
/// the caller sets the dates, the letter or the level it carries.
#[allow(clippy::too_many_arguments)]
pub fn line(
    issuer: Uuid,
    task: Uuid,
    unit: Option<Uuid>,
    kind: FollowUpKind,
    state: FollowUpState,
    body: String,
    by: Option<Uuid>,
    at: chrono::DateTime<chrono::Utc>,
) -> Model {
    Model {
        id: Uuid::now_v7(),
        issuer_id: issuer,
        task_id: task,
        unit_id: unit,
        kind,
        state,
        body,
        asked_on: None,
        granted_on: None,
        answer: None,
        decision_reason: None,
        document_id: None,
        level: None,
        opened_by: by,
        opened_at: at,
        closed_by: None,
        closed_at: None,
        escalated_at: None,
    }
}

/// Inserts many rows a few hundred at a time (an urging names every late task).
pub async fn insert_all(c: &impl ConnectionTrait, rows: &[Model]) -> Result<(), DbErr> {
    for chunk in rows.chunks(200) {
        Entity::insert_many(chunk.iter().cloned().map(super::entities::follow_ups::ActiveModel::from)).exec(c).await?;
    }
    Ok(())
}

/// Every follow-up of `task`, oldest first.
pub async fn of_task(c: &impl ConnectionTrait, task: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find().filter(Column::TaskId.eq(task)).order_by_asc(Column::OpenedAt).order_by_asc(Column::Id).all(c).await
}

/// The open request of `task` to move or withdraw it, if there is one.
pub async fn open_request(c: &impl ConnectionTrait, task: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TaskId.eq(task))
        .filter(Column::State.eq(FollowUpState::Open))
        .filter(Column::Kind.is_in([FollowUpKind::Extension, FollowUpKind::Withdrawal]))
        .one(c)
        .await
}

/// The issuer's open follow-ups of `kinds`, oldest first (at most `limit`).
pub async fn open_of_issuer(
    c: &impl ConnectionTrait,
    issuer: Uuid,
    kinds: &[FollowUpKind],
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::State.eq(FollowUpState::Open))
        .filter(Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(Column::OpenedAt)
        .limit(limit)
        .all(c)
        .await
}

/// The escalations already raised on the issuer's tasks: (task, level).
pub async fn escalations_of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<Vec<(Uuid, i32)>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::TaskId)
        .column(Column::Level)
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::Kind.eq(FollowUpKind::Escalation))
        .into_tuple::<(Uuid, Option<i32>)>()
        .all(c)
        .await
        .map(|rows| rows.into_iter().filter_map(|(t, l)| Some((t, l?))).collect())
}

/// Open explanation requests whose answer was due before `day` and not yet told to the chairman.
pub async fn unanswered_before(
    c: &impl ConnectionTrait,
    issuer: Uuid,
    day: chrono::NaiveDate,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::Kind.eq(FollowUpKind::Explanation))
        .filter(Column::State.eq(FollowUpState::Open))
        .filter(Column::AskedOn.lt(day))
        .filter(Column::EscalatedAt.is_null())
        .all(c)
        .await
}

/// How many of the unit's follow-ups of `kinds` are open.
pub async fn count_open_of_unit(c: &impl ConnectionTrait, unit: Uuid, kinds: &[FollowUpKind]) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::UnitId.eq(unit))
        .filter(Column::State.eq(FollowUpState::Open))
        .filter(Column::Kind.is_in(kinds.iter().copied()))
        .count(c)
        .await
}

/// The issuer's open escalations: (id, task).
pub async fn open_escalations(c: &impl ConnectionTrait, issuer: Uuid) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    Entity::find()
        .select_only()
        .columns([Column::Id, Column::TaskId])
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::Kind.eq(FollowUpKind::Escalation))
        .filter(Column::State.eq(FollowUpState::Open))
        .into_tuple()
        .all(c)
        .await
}
