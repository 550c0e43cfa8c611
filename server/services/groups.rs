//! Task groups: the headed sections of a plan ("Nhóm nhiệm vụ về phát triển kinh tế").

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_plan_scope, plan_ref_ok, require};
use super::{audited, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Group, GroupInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::task_groups;

const ENTITY: &str = "task_groups";

fn validate(i: &GroupInput) -> Result<()> {
    Check::new()
        .required("title", &i.title)
        .line("title", &i.title, text::LINE)
        .opt_line("summary_title", i.summary_title.as_deref(), text::LINE)
        .fail_if(i.position.is_some_and(|p| p < 1), "position", "Từ 1 trở lên / must be 1 or more")
        .finish()
}

fn to_model(m: task_groups::Model) -> Group {
    Group {
        id: m.id,
        data: GroupInput {
            plan_id: m.plan_id,
            position: Some(m.position),
            title: m.title,
            summary_title: m.summary_title,
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Adds a group to a plan.
pub async fn create_group(db: &Db, actor: &Actor, now: DateTime<Utc>, input: GroupInput) -> Result<Group> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    if !plan_ref_ok(&*txn, actor, input.plan_id).await? {
        return Err(AppError::field("plan_id", unknown_ref("kế hoạch / plan")));
    }
    super::integrity::ensure_plan_open(&*txn, input.plan_id).await?;
    // Two groups of one name in a plan print as one heading twice.
    let same = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let siblings = task_groups::of_plan(&*txn, input.plan_id).await?;
    if siblings.iter().any(|g| same(&g.title) == same(&input.title)) {
        return Err(AppError::field(
            "title",
            "Kế hoạch đã có nhóm tên này / the plan already has a group of this name",
        ));
    }
    let position = match input.position {
        Some(p) => p,
        None => {
            let last = task_groups::last_in_plan(&*txn, input.plan_id).await?;
            super::position_after(last.map(|g| g.position), 10_000)?
        }
    };
    let m = task_groups::Model {
        id: Uuid::now_v7(),
        plan_id: input.plan_id,
        position,
        title: input.title.trim().to_owned(),
        summary_title: input.summary_title.filter(|s| !s.trim().is_empty()),
        created_at: now,
        updated_at: now,
    };
    let m = task_groups::insert(&*txn, m).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One group.
pub async fn get_group(db: &Db, actor: &Actor, id: Uuid) -> Result<Group> {
    require(actor, Action::Read)?;
    let m = task_groups::get(&db.conn, id).await?;
    check_plan_scope(&db.conn, actor, m.plan_id, "group").await?;
    Ok(to_model(m))
}

/// Replaces a group's title and position.
pub async fn update_group(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: GroupInput) -> Result<Group> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = task_groups::get(&*txn, id).await?;
    check_plan_scope(&*txn, actor, before.plan_id, "group").await?;
    if before.plan_id != input.plan_id {
        return Err(AppError::field("plan_id", "Nhóm không chuyển sang kế hoạch khác / a group stays in its plan"));
    }
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    let mut after = before.clone();
    if let Some(p) = input.position {
        after.position = p;
    }
    after.title = input.title.trim().to_owned();
    after.summary_title = input.summary_title.filter(|s| !s.trim().is_empty());
    after.updated_at = now;
    let after = task_groups::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a group that holds no task.
pub async fn delete_group(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = task_groups::get(&*txn, id).await?;
    check_plan_scope(&*txn, actor, before.plan_id, "group").await?;
    super::integrity::ensure_group_deletable(&*txn, &before).await?;
    task_groups::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// The groups of a plan, in order.
pub async fn list_groups(db: &Db, actor: &Actor, plan_id: Uuid) -> Result<Vec<Group>> {
    require(actor, Action::Read)?;
    check_plan_scope(&db.conn, actor, plan_id, "plan").await?;
    let rows = task_groups::of_plan(&db.conn, plan_id).await?;
    Ok(rows.into_iter().map(to_model).collect())
}
