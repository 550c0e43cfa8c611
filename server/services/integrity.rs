//! What depends on what: the checks that keep issued documents, their results
//! and their history from being deleted or changed. A delete that something
//! recorded depends on is refused with 409 naming what depends on it; a plan
//! whose report has been issued is closed to changes.
//!
//! Closing a year (migration m0015): a plan whose report is issued is closed (`closures`,
//! two queries for any number of plans, shown as `closed_by`); every write to its tasks,
//! targets, results, evidence and proposals checks it in its transaction. A correction of
//! the report (with its reason) reopens the data until it is issued. A reported task is
//! archived, not deleted (`archived_at`, `archive_reason`): the task list's SQL leaves it
//! out, so the snapshot, figures, spreadsheets and calendars do, and the printed report,
//! reminders and next year's copy filter it; an archived task changes only once restored.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::ResultState;
use crate::error::{AppError, Result};
use crate::model::PlanClosure;
use crate::storage::{Conn, documents, evidence, issuers, plans, results, task_groups, tasks, users};

/// The closure of each of `plan_ids` that is closed: its issued report and the
/// correction of it being prepared, if any. Three queries for any number of plans.
pub(crate) async fn closures<C: Conn>(db: &C, plan_ids: &[Uuid]) -> Result<HashMap<Uuid, PlanClosure>> {
    let reports = documents::issued_reports_of(db, plan_ids).await?;
    let mut corrections: HashMap<Uuid, documents::Model> =
        documents::open_corrections_of(db, reports.iter().map(|r| r.id))
            .await?
            .into_iter()
            .filter_map(|c| Some((c.replaces_id?, c)))
            .collect();
    let abbreviations: HashMap<Uuid, String> = issuers::in_ids(db, reports.iter().map(|r| r.issuer_id))
        .await?
        .into_iter()
        .map(|i| (i.id, i.abbreviation))
        .collect();
    Ok(reports
        .into_iter()
        .filter_map(|r| {
            let correction = corrections.remove(&r.id);
            Some((
                r.plan_id?,
                PlanClosure {
                    report_id: r.id,
                    report_number: r
                        .number
                        .map(|n| format!("{n:02}/{}", r.issued_year.unwrap_or_default()))
                        .unwrap_or_default(),
                    report_reference: match r.number {
                        Some(n) => {
                            let abbreviation = abbreviations.get(&r.issuer_id).map_or("", String::as_str);
                            let symbol = super::documents::symbol(r.kind, abbreviation, r.drafting_unit.as_deref());
                            crate::domain::format::cited(n, &symbol, r.dated_on)
                        }
                        None => String::new(),
                    },
                    correction_id: correction.as_ref().map(|c| c.id),
                    correction_reason: correction.and_then(|c| c.correction_reason),
                },
            ))
        })
        .collect())
}

/// Fails with `plan_closed` once the plan's report has been issued: its tasks,
/// targets, results, evidence and proposals are then what the report says. While
/// a correction of that report is prepared (with its reason), they may change.
pub(crate) async fn ensure_plan_open<C: Conn>(db: &C, plan_id: Uuid) -> Result<()> {
    match closures(db, &[plan_id]).await?.remove(&plan_id) {
        Some(c) if c.correction_id.is_none() => {
            let (no, reference) = (c.report_number, c.report_reference);
            Err(AppError::conflict(
                "plan_closed",
                format!(
                    "Kế hoạch đã có báo cáo ban hành ({reference}); muốn sửa nhiệm vụ, kết quả của năm này thì soạn bản \
                     đính chính báo cáo, nêu lý do / the plan's report has been issued (No. {no}); to change its \
                     tasks or results, start a correction of the report with its reason"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Fails with `task_archived` for an archived task (it changes only once restored),
/// and with `plan_closed` as [`ensure_plan_open`].
pub(crate) async fn ensure_live<C: Conn>(db: &C, task: &tasks::Model) -> Result<()> {
    if task.archived_at.is_some() {
        return Err(AppError::conflict(
            "task_archived",
            format!(
                "Nhiệm vụ {} đã lưu trữ; khôi phục rồi mới sửa được / task {} is archived; restore it to change it",
                task.code, task.code
            ),
        ));
    }
    ensure_plan_open(db, task.plan_id).await
}

/// The task must be live (see [`ensure_live`]).
pub(crate) async fn ensure_task_open<C: Conn>(db: &C, task_id: Uuid) -> Result<()> {
    match tasks::find(db, task_id).await? {
        Some(t) => ensure_live(db, &t).await,
        None => Ok(()),
    }
}

fn in_use(code: &'static str, vi: &str, en: &str, parts: &[(u64, &str, &str)]) -> AppError {
    let (vi_parts, en_parts): (Vec<String>, Vec<String>) =
        parts.iter().filter(|(n, _, _)| *n > 0).map(|(n, v, e)| (format!("{n} {v}"), format!("{n} {e}"))).unzip();
    AppError::conflict(code, format!("{vi}: {} / {en}: {}", vi_parts.join(", "), en_parts.join(", ")))
}

/// An issuer may be deleted only while nothing was recorded under it: no plan, no
/// document, no user. Its units and rubrics go with it.
pub(crate) async fn ensure_issuer_deletable<C: Conn>(db: &C, id: Uuid) -> Result<()> {
    let plans = plans::count_of_issuer(db, id).await?;
    let docs = documents::count_of_issuer(db, id).await?;
    let people = users::count_of_issuer(db, id).await?;
    if plans + docs + people > 0 {
        return Err(in_use(
            "issuer_in_use",
            "Cơ quan còn dữ liệu, không xóa được",
            "the issuer still has records",
            &[(plans, "kế hoạch", "plan(s)"), (docs, "văn bản", "document(s)"), (people, "người dùng", "user(s)")],
        ));
    }
    Ok(())
}

/// A plan may be deleted only without documents, reported results or evidence.
pub(crate) async fn ensure_plan_deletable<C: Conn>(db: &C, id: Uuid) -> Result<()> {
    let docs = documents::count_of_plan(db, id).await?;
    let ids = tasks::ids_of_plan(db, id).await?;
    let (reported, files) = reported_and_files(db, &ids).await?;
    if docs + reported + files > 0 {
        return Err(in_use(
            "plan_in_use",
            "Kế hoạch đã có văn bản hoặc kết quả, không xóa được",
            "the plan has documents or results",
            &[
                (docs, "văn bản", "document(s)"),
                (reported, "kết quả đã gửi", "submitted result(s)"),
                (files, "minh chứng", "evidence file(s)"),
            ],
        ));
    }
    Ok(())
}

/// Results past the draft stage and evidence files of these tasks.
async fn reported_and_files<C: Conn>(db: &C, task_ids: &[Uuid]) -> Result<(u64, u64)> {
    if task_ids.is_empty() {
        return Ok((0, 0));
    }
    let mut reported = 0;
    let mut files = 0;
    // Bounded IN lists, whatever the plan's size.
    for chunk in task_ids.chunks(500) {
        reported += results::count_reported_of(db, chunk).await?;
        files += evidence::count_of_tasks(db, chunk).await?;
    }
    Ok((reported, files))
}

/// A task may be deleted while its plan is open and it has no reported result
/// and no evidence.
pub(crate) async fn ensure_task_deletable<C: Conn>(db: &C, task: &tasks::Model) -> Result<()> {
    ensure_plan_open(db, task.plan_id).await?;
    let (reported, files) = reported_and_files(db, &[task.id]).await?;
    if reported + files > 0 {
        return Err(in_use(
            "task_has_result",
            "Nhiệm vụ đã có kết quả hoặc minh chứng, không xóa được (có thể lưu trữ)",
            "the task has a result or evidence (it can be archived instead)",
            &[(reported, "kết quả đã gửi", "submitted result(s)"), (files, "minh chứng", "evidence file(s)")],
        ));
    }
    Ok(())
}

/// A group may be deleted only when it holds no task.
pub(crate) async fn ensure_group_deletable<C: Conn>(db: &C, group: &task_groups::Model) -> Result<()> {
    ensure_plan_open(db, group.plan_id).await?;
    let n = tasks::count_in_group(db, group.id).await?;
    if n > 0 {
        return Err(in_use(
            "group_has_tasks",
            "Nhóm còn nhiệm vụ, không xóa được",
            "the group still holds tasks",
            &[(n, "nhiệm vụ", "task(s)")],
        ));
    }
    Ok(())
}

/// A user named by documents, reviews or evidence keeps their record (the
/// history would otherwise lose who did it).
pub(crate) async fn ensure_user_deletable<C: Conn>(db: &C, id: Uuid) -> Result<()> {
    let docs = documents::count_naming_user(db, id).await?;
    let reviews = results::count_reviewed_by(db, id).await?;
    let files = evidence::count_uploaded_by(db, id).await?;
    if docs + reviews + files > 0 {
        return Err(in_use(
            "user_has_history",
            "Người dùng đã ký, duyệt hoặc tải lên tài liệu, không xóa được",
            "the user has signed, reviewed or uploaded records",
            &[
                (docs, "văn bản", "document(s)"),
                (reviews, "lượt duyệt", "review(s)"),
                (files, "minh chứng", "evidence file(s)"),
            ],
        ));
    }
    Ok(())
}

/// `result_locked`: a submitted or accepted result is the office's to act on.
pub(crate) fn locked(state: ResultState) -> AppError {
    let label = state.label();
    AppError::conflict(
        "result_locked",
        format!("Kết quả đang ở trạng thái “{label}”, không sửa được / the result is {state} and cannot be changed"),
    )
}

/// Fails with `result_locked` while a task's result is submitted or accepted, and
/// with `plan_closed` once the plan's report is issued.
pub(crate) async fn ensure_editable<C: Conn>(db: &C, task_id: Uuid) -> Result<()> {
    ensure_task_open(db, task_id).await?;
    let r = results::of_task(db, task_id).await?;
    match r {
        Some(r) if r.state == ResultState::Submitted || r.state == ResultState::Accepted => Err(locked(r.state)),
        _ => Ok(()),
    }
}
