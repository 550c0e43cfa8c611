//! Importing a register file into a plan: checked whole (see `spreadsheet_rows`),
//! then written all or nothing in one transaction; a code already in the plan is
//! updated, a new one created, and what is unchanged is not written. The import
//! page checks a file first and keeps it until the office confirms.
//!
//! The first sheet is read (calamine, the declared unpacked size checked first, off the
//! async workers) and every problem named by cell; then one transaction writes: changed
//! tasks through the API's `tasks::update_in`, new ones through `tasks::create_many_in`
//! (the same rules, checked per row; rows inserted a few hundred at a time; audit events
//! chained in one pass by `audit::record_many`). A dry run is the same transaction
//! dropped. Rows match tasks by code and targets by description, and an unchanged task is
//! not written, so importing a file twice writes nothing.

use crate::domain::AuditAction;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{plan_in_scope, require};
use super::spreadsheet_rows::{Row, read_rows};
use super::{audited, tasks};
use crate::domain::access::Action;
use crate::domain::text::fold;
use crate::error::{AppError, Result};
use crate::model::{ImportProblem, ImportReport, TargetLine, TaskInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::{task_groups, units};

/// Imports (or with `dry_run` only checks) a register file into a plan: every
/// problem is reported by row and column and nothing is written while there is one;
/// otherwise groups and tasks are created or updated by code in one transaction.
pub async fn import_register(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport> {
    require(actor, Action::ManagePlan)?;
    // Unzipping and parsing is CPU work: off the async workers.
    let owned = bytes.to_vec();
    let sheet = tokio::task::spawn_blocking(move || crate::sheet::read_xlsx(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::field("file", e.to_string()))?;
    let txn = db.begin_write().await?;
    let plan = plan_in_scope(&*txn, actor, plan_id).await?;
    super::integrity::ensure_plan_open(&*txn, plan.id).await?;
    let mut known: HashMap<String, (Uuid, bool)> = HashMap::new();
    for u in units::list(&*txn, &[Some(plan.issuer_id)], None).await? {
        let active = u.deactivated_at.is_none();
        known.insert(fold(u.short_name.trim()), (u.id, active));
        known.insert(fold(u.name.trim()), (u.id, active));
    }
    let (rows, problems, count) = read_rows(&sheet, &known, plan.year);
    let mut report = ImportReport {
        dry_run,
        rows: count as u32,
        tasks: rows.len() as u32,
        groups_created: 0,
        tasks_created: 0,
        tasks_updated: 0,
        tasks_unchanged: 0,
        problems,
        items: Vec::new(),
    };
    if !report.problems.is_empty() {
        return if dry_run { Ok(report) } else { Err(invalid(&report)) };
    }
    let mut groups: BTreeMap<String, Uuid> = BTreeMap::new();
    let mut last_position = 0;
    for g in task_groups::of_plan(&*txn, plan.id).await? {
        last_position = last_position.max(g.position);
        groups.entry(fold(&g.title)).or_insert(g.id);
    }
    let existing: HashMap<String, crate::model::Task> = {
        let models = crate::storage::tasks::all_of_plan_with_archived(&*txn, plan.id).await?;
        tasks::hydrate(&*txn, models).await?.into_iter().map(|t| (fold(&t.data.code), t)).collect()
    };
    let mut fresh: Vec<(usize, TaskInput)> = Vec::new();
    for row in rows {
        let group_id = match groups.get(&fold(&row.group)) {
            Some(id) => *id,
            None => {
                last_position += 1;
                let m = task_groups::Model {
                    id: Uuid::now_v7(),
                    plan_id: plan.id,
                    position: last_position,
                    title: row.group.clone(),
                    summary_title: None,
                    created_at: now,
                    updated_at: now,
                };
                let m = task_groups::insert(&*txn, m).await?;
                audited(&*txn, actor, now, super::Change::of(AuditAction::Import, "task_groups", m.id, None, Some(&m)))
                    .await?;
                report.groups_created += 1;
                groups.insert(fold(&row.group), m.id);
                m.id
            }
        };
        let before = existing.get(&fold(&row.code));
        // Targets keep their ids when their description is unchanged.
        let lines: Vec<TargetLine> = row
            .targets
            .iter()
            .map(|(description, unit, goal)| TargetLine {
                id: before.and_then(|t| {
                    t.targets.iter().find(|x| fold(&x.data.description) == fold(description)).map(|x| x.id)
                }),
                description: description.clone(),
                measure_unit: unit.clone(),
                goal_value: *goal,
            })
            .collect();
        let input = TaskInput {
            group_id,
            code: row.code.clone(),
            position: before.and_then(|t| t.data.position),
            text: row.text.clone(),
            lead_unit_id: row.lead,
            cooperating_unit_ids: row.coops.clone(),
            deadline: row.deadline.map(Into::into),
            set_targets: Some(lines),
        };
        let changed = before.map(|t| changes(t, &row, group_id));
        if report.items.len() < MAX_ITEMS {
            let action = match &changed {
                None => "created",
                Some(c) if c.is_empty() => "unchanged",
                Some(_) => "updated",
            };
            report.items.push(crate::model::ImportItem {
                row: row.at as u32,
                code: row.code.clone(),
                text: row.text.chars().take(300).collect(),
                action: action.into(),
                changes: changed.clone().unwrap_or_default().into_iter().map(str::to_owned).collect(),
            });
        }
        let result = match (before, changed) {
            (Some(_), Some(c)) if c.is_empty() => {
                report.tasks_unchanged += 1;
                continue;
            }
            (Some(t), _) => {
                report.tasks_updated += 1;
                tasks::update_in(&*txn, actor, now, t.id, input).await.map(|_| ())
            }
            (None, _) => {
                // New tasks are written together below, by the same rules.
                report.tasks_created += 1;
                fresh.push((row.at, input));
                continue;
            }
        };
        if let Err(e) = result {
            report.problems.push(at_row(row.at, e)?);
        }
    }
    let (rows_at, inputs): (Vec<usize>, Vec<TaskInput>) = fresh.into_iter().unzip();
    for (n, e) in tasks::create_many_in(&*txn, actor, now, &plan, inputs).await? {
        report.problems.push(at_row(rows_at[n], e)?);
    }
    report.problems.sort_by_key(|p| p.row);
    if !report.problems.is_empty() {
        return if dry_run { Ok(report) } else { Err(invalid(&report)) };
    }
    if dry_run {
        // Dropped, not committed: nothing is written.
        drop(txn);
    } else {
        txn.commit().await?;
    }
    Ok(report)
}

/// A rule the service enforces, said at the task's row (its code cell); other
/// errors stop the import.
fn at_row(at: usize, e: AppError) -> Result<ImportProblem> {
    let message = match &e {
        AppError::Invalid(fields) => fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "),
        AppError::Conflict { message, .. } => message.clone(),
        _ => return Err(e),
    };
    Ok(ImportProblem { row: at as u32, column: "Mã".into(), cell: format!("B{at}"), message })
}

/// Whether the stored task already says what the row says.
/// Most tasks an import's report lists one by one.
const MAX_ITEMS: usize = 1000;

/// What the file changes of an existing task, in words; empty when nothing.
fn changes(t: &crate::model::Task, row: &Row, group_id: Uuid) -> Vec<&'static str> {
    let mut coops_then = t.data.cooperating_unit_ids.clone();
    coops_then.sort();
    let mut coops_now = row.coops.clone();
    coops_now.sort();
    let targets_same = t.targets.len() == row.targets.len()
        && t.targets
            .iter()
            .zip(&row.targets)
            .all(|(x, (d, u, g))| x.data.description == *d && x.data.measure_unit == *u && x.data.goal_value == *g);
    [
        (t.data.group_id == group_id, "nhóm"),
        (t.data.text == row.text, "nội dung"),
        (t.data.lead_unit_id == row.lead, "đơn vị chủ trì"),
        (coops_then == coops_now, "đơn vị phối hợp"),
        (t.data.deadline.map(|d| d.0) == row.deadline, "hạn"),
        (targets_same, "chỉ tiêu"),
    ]
    .into_iter()
    .filter(|(same, _)| !same)
    .map(|(_, what)| what)
    .collect()
}

/// The problems as a 422, one field per cell ("file.D7").
fn invalid(report: &ImportReport) -> AppError {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for p in &report.problems {
        fields
            .entry(format!("file.{}", p.cell))
            .and_modify(|m| {
                m.push('\n');
                m.push_str(&p.message)
            })
            .or_insert_with(|| p.message.clone());
    }
    AppError::Invalid(fields)
}

/// Where a file checked on the import page waits for the office's confirmation.
fn staged_key(actor: &Actor, plan_id: Uuid, token: Uuid) -> String {
    let who = actor.user_id.map(|u| u.to_string()).unwrap_or_else(|| "system".into());
    format!("imports/{who}/{plan_id}/{token}.xlsx")
}

/// Checks a file for the import page and keeps it for [`import_staged`]: the dry run's
/// report and the token that names the kept file (only its uploader can use it).
pub async fn stage_import(
    db: &Db,
    files: &dyn crate::storage::files::BlobStore,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    bytes: &[u8],
) -> Result<(Uuid, ImportReport)> {
    let report = import_register(db, actor, now, plan_id, bytes, true).await?;
    let token = Uuid::now_v7();
    files.put(&staged_key(actor, plan_id, token), bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((token, report))
}

/// Imports the file kept by [`stage_import`], then forgets it.
pub async fn import_staged(
    db: &Db,
    files: &dyn crate::storage::files::BlobStore,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    token: Uuid,
) -> Result<ImportReport> {
    let key = staged_key(actor, plan_id, token);
    let bytes = files.get(&key).map_err(|_| {
        AppError::conflict(
            "import_expired",
            "Tệp đã kiểm tra không còn; hãy chọn tệp và kiểm tra lại / the checked file is gone; upload it again",
        )
    })?;
    let report = import_register(db, actor, now, plan_id, &bytes, false).await?;
    let _ = files.delete(&key);
    Ok(report)
}
