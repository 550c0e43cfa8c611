//! Contributions: what a co-operating unit reports on a task it helps with, one
//! per unit and task, read beside the lead unit's result.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_task_visible, require, unit_scope};
use super::{audited, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Contribution, ContributionInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::{contributions, task_cooperators, tasks};

const ENTITY: &str = "contributions";

fn to_model(m: contributions::Model) -> Contribution {
    Contribution {
        id: m.id,
        task_id: m.task_id,
        unit_id: m.unit_id,
        text: m.text,
        updated_by: m.updated_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Saves the contribution of a co-operating unit to `task_id` (created or
/// replaced), in one transaction. A unit officer writes for their own unit, which
/// must co-operate on the task; the office names the unit.
pub async fn contribute(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    input: ContributionInput,
) -> Result<Contribution> {
    require(actor, Action::ReportResult)?;
    Check::new().required("text", &input.text).paragraphs("text", &input.text, text::SECTION).finish()?;
    let unit_id = match (unit_scope(actor), input.unit_id) {
        (Some(own), None) => own,
        (Some(own), Some(u)) if u == own => own,
        (Some(_), Some(_)) => return Err(AppError::Forbidden),
        (None, Some(u)) => u,
        (None, None) => {
            return Err(AppError::field("unit_id", "Chọn đơn vị phối hợp / name the co-operating unit"));
        }
    };
    let txn = db.begin_write().await?;
    let task = tasks::get(&*txn, task_id).await?;
    check_task_visible(&*txn, actor, &task).await?;
    super::integrity::ensure_live(&*txn, &task).await?;
    if !task_cooperators::co_operates(&*txn, task_id, unit_id).await? {
        return Err(AppError::field(
            "unit_id",
            unknown_ref("đơn vị phối hợp của nhiệm vụ này / co-operating unit of this task"),
        ));
    }
    let existing = contributions::of_unit(&*txn, task_id, unit_id).await?;
    let saved = match existing {
        Some(before) => {
            let mut after = before.clone();
            after.text = input.text;
            after.updated_by = actor.user_id;
            after.updated_at = now;
            let after = contributions::save(&*txn, after).await?;
            audited(
                &*txn,
                actor,
                now,
                super::Change::of(AuditAction::Update, ENTITY, after.id, Some(&before), Some(&after)),
            )
            .await?;
            after
        }
        None => {
            let m = contributions::Model {
                id: Uuid::now_v7(),
                task_id,
                unit_id,
                text: input.text,
                updated_by: actor.user_id,
                created_at: now,
                updated_at: now,
            };
            let m = contributions::insert(&*txn, m).await?;
            audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
            m
        }
    };
    txn.commit().await?;
    Ok(to_model(saved))
}

/// The contributions to a task, oldest first, for anyone who sees the task.
pub async fn list_for_task(db: &Db, actor: &Actor, task_id: Uuid) -> Result<Vec<Contribution>> {
    require(actor, Action::Read)?;
    let task = tasks::get(&db.conn, task_id).await?;
    check_task_visible(&db.conn, actor, &task).await?;
    let rows = contributions::of_task(&db.conn, task_id).await?;
    Ok(rows.into_iter().map(to_model).collect())
}
