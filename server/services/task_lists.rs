//! Reading tasks: a task as it is returned (with its co-operating units and
//! targets), and the task list with its filters. A page costs a constant number
//! of queries.
//!
//! A list costs one count, one page, and one query per embedded collection (tasks embed
//! targets and co-operating units), whatever its length.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{issuer_filter, require, unit_scope};
use super::targets;
use crate::domain::access::Action;
use crate::error::Result;
use crate::model::{Page, Paging, Task, TaskInput};
use crate::storage::audit::Actor;
use crate::storage::cache::{Key, Versioned};
use crate::storage::{Conn, Db};
use crate::storage::{task_cooperators, tasks};

/// Loads stored tasks with their co-operators and targets, in three queries.
pub(crate) async fn hydrate<C: Conn>(db: &C, rows: Vec<tasks::Model>) -> Result<Vec<Task>> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut coops: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in task_cooperators::of_tasks(db, ids.clone()).await? {
        coops.entry(c.task_id).or_default().push(c.unit_id);
    }
    let mut targets = targets::for_tasks(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|t| Task {
            id: t.id,
            plan_id: t.plan_id,
            data: TaskInput {
                group_id: t.group_id,
                code: t.code,
                position: Some(t.position),
                text: t.text,
                lead_unit_id: t.lead_unit_id,
                cooperating_unit_ids: coops.remove(&t.id).unwrap_or_default(),
                deadline: t.deadline.map(Into::into),
                set_targets: None,
            },
            targets: targets.remove(&t.id).unwrap_or_default(),
            archived_at: t.archived_at,
            archive_reason: t.archive_reason,
            original_deadline: t.original_deadline.map(Into::into),
            withdrawn_at: t.withdrawn_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
        })
        .collect())
}

/// [`hydrate`] for one task.
pub(crate) async fn hydrate_one<C: Conn>(db: &C, t: tasks::Model) -> Result<Task> {
    Ok(hydrate(db, vec![t]).await?.remove(0))
}

/// Filter for [`list_tasks`]; every field narrows the list.
#[derive(Debug, Default, Clone)]
pub struct TaskFilter {
    /// Tasks of this plan.
    pub plan_id: Option<Uuid>,
    /// Tasks of this group.
    pub group_id: Option<Uuid>,
    /// Tasks this unit leads or co-operates on.
    pub unit_id: Option<Uuid>,
    /// Deadline on or after.
    pub deadline_from: Option<NaiveDate>,
    /// Deadline on or before.
    pub deadline_to: Option<NaiveDate>,
    /// Tasks whose result is in this state.
    pub result_state: Option<String>,
    /// Archived tasks only, instead of the live ones.
    pub archived: bool,
}

/// [`list_tasks`], kept while nothing changes (see `storage::cache`), with its entity tag.
pub async fn list_tasks_versioned(
    db: &Db,
    actor: &Actor,
    f: TaskFilter,
    paging: Paging,
) -> Result<Versioned<Page<Task>>> {
    require(actor, Action::Read)?;
    let key = Key::new("tasks", actor, format!("{f:?}|{}|{}", paging.page, paging.per_page));
    db.versioned(key, || list_tasks(db, actor, f, paging)).await
}

/// Tasks in plan order (group position, then task position), with their targets.
pub async fn list_tasks(db: &Db, actor: &Actor, f: TaskFilter, paging: Paging) -> Result<Page<Task>> {
    require(actor, Action::Read)?;
    let filter = tasks::Filter {
        issuer: issuer_filter(actor),
        scope_unit: unit_scope(actor),
        plan: f.plan_id,
        group: f.group_id,
        unit: f.unit_id,
        deadline_from: f.deadline_from,
        deadline_to: f.deadline_to,
        result_state: f.result_state,
        archived: f.archived,
    };
    let rows = tasks::page(&db.conn, &filter, paging.offset(), paging.per_page).await?;
    // A first page that is not full already tells the total: spare the count.
    let total = if paging.page == 1 && (rows.len() as u64) < paging.per_page {
        rows.len() as u64
    } else {
        tasks::count(&db.conn, &filter).await?
    };
    let items = hydrate(&db.conn, rows).await?;
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}
