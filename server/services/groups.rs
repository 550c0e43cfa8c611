//! Task groups: the headed sections of a plan ("Nhóm nhiệm vụ về phát triển kinh tế").

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::access::{check_plan_scope, plan_ref_ok, require};
use super::{audited, not_found, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Group, GroupInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::task_groups;

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
    let siblings = task_groups::Entity::find().filter(task_groups::Column::PlanId.eq(input.plan_id)).all(&*txn).await?;
    if siblings.iter().any(|g| same(&g.title) == same(&input.title)) {
        return Err(AppError::field(
            "title",
            "Kế hoạch đã có nhóm tên này / the plan already has a group of this name",
        ));
    }
    let position = match input.position {
        Some(p) => p,
        None => {
            let last = task_groups::Entity::find()
                .filter(task_groups::Column::PlanId.eq(input.plan_id))
                .order_by_desc(task_groups::Column::Position)
                .one(&*txn)
                .await?;
            super::position_after(last.map(|g| g.position), 10_000)?
        }
    };
    let m = task_groups::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(input.plan_id),
        position: Set(position),
        title: Set(input.title.trim().to_owned()),
        summary_title: Set(input.summary_title.filter(|s| !s.trim().is_empty())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    audited(&*txn, actor, now, "create", ENTITY, m.id, None, Some(&m)).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One group.
pub async fn get_group(db: &Db, actor: &Actor, id: Uuid) -> Result<Group> {
    require(actor, Action::Read)?;
    let m = task_groups::Entity::find_by_id(id).one(&db.conn).await?.ok_or_else(|| not_found("group"))?;
    check_plan_scope(&db.conn, actor, m.plan_id, "group").await?;
    Ok(to_model(m))
}

/// Replaces a group's title and position.
pub async fn update_group(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: GroupInput) -> Result<Group> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = task_groups::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("group"))?;
    check_plan_scope(&*txn, actor, before.plan_id, "group").await?;
    if before.plan_id != input.plan_id {
        return Err(AppError::field("plan_id", "Nhóm không chuyển sang kế hoạch khác / a group stays in its plan"));
    }
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    let mut am: task_groups::ActiveModel = before.clone().into();
    if let Some(p) = input.position {
        am.position = Set(p);
    }
    am.title = Set(input.title.trim().to_owned());
    am.summary_title = Set(input.summary_title.filter(|s| !s.trim().is_empty()));
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a group that holds no task.
pub async fn delete_group(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = task_groups::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("group"))?;
    check_plan_scope(&*txn, actor, before.plan_id, "group").await?;
    super::integrity::ensure_group_deletable(&*txn, &before).await?;
    task_groups::Entity::delete_by_id(id).exec(&*txn).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// The groups of a plan, in order.
pub async fn list_groups(db: &Db, actor: &Actor, plan_id: Uuid) -> Result<Vec<Group>> {
    require(actor, Action::Read)?;
    check_plan_scope(&db.conn, actor, plan_id, "plan").await?;
    let rows = task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan_id))
        .order_by_asc(task_groups::Column::Position)
        .order_by_asc(task_groups::Column::Id)
        .all(&db.conn)
        .await?;
    Ok(rows.into_iter().map(to_model).collect())
}
