//! What depends on what: the checks that keep issued documents, their results
//! and their history from being deleted or changed. A delete that something
//! recorded depends on is refused with 409 naming what depends on it; a plan
//! whose report has been issued is closed to changes.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::domain::{DocumentKind, DocumentState, ResultState};
use crate::error::{AppError, Result};
use crate::storage::entities::{documents, evidence, plans, results, task_groups, tasks, users};

/// The issued report of a plan, if one is issued (or issued and corrected).
async fn issued_report<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> Result<Option<documents::Model>> {
    Ok(documents::Entity::find()
        .filter(documents::Column::PlanId.eq(plan_id))
        .filter(documents::Column::Kind.eq(DocumentKind::Report.code()))
        .filter(documents::Column::State.is_in([DocumentState::Issued.code(), DocumentState::Replaced.code()]))
        .one(db)
        .await?)
}

/// Fails with `plan_closed` once the plan's report has been issued: its tasks,
/// targets, results, evidence and proposals are then what the report says.
pub(crate) async fn ensure_plan_open<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> Result<()> {
    match issued_report(db, plan_id).await? {
        Some(d) => {
            let no = d.number.map(|n| format!("{n:02}/{}", d.issued_year.unwrap_or_default())).unwrap_or_default();
            Err(AppError::conflict(
                "plan_closed",
                format!(
                    "Kế hoạch đã có báo cáo ban hành (số {no}); không sửa hoặc xóa được nhiệm vụ, kết quả của năm này / \
                     the plan's report has been issued (No. {no}); its tasks and results can no longer change"
                ),
            ))
        }
        None => Ok(()),
    }
}

/// The plan a task belongs to must be open (see [`ensure_plan_open`]).
pub(crate) async fn ensure_task_open<C: ConnectionTrait>(db: &C, task_id: Uuid) -> Result<()> {
    match tasks::Entity::find_by_id(task_id).one(db).await? {
        Some(t) => ensure_plan_open(db, t.plan_id).await,
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
pub(crate) async fn ensure_issuer_deletable<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    let plans = plans::Entity::find().filter(plans::Column::IssuerId.eq(id)).count(db).await?;
    let docs = documents::Entity::find().filter(documents::Column::IssuerId.eq(id)).count(db).await?;
    let people = users::Entity::find().filter(users::Column::IssuerId.eq(id)).count(db).await?;
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
pub(crate) async fn ensure_plan_deletable<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    let docs = documents::Entity::find().filter(documents::Column::PlanId.eq(id)).count(db).await?;
    let task_ids = tasks::Entity::find().filter(tasks::Column::PlanId.eq(id));
    let ids: Vec<Uuid> = task_ids.all(db).await?.into_iter().map(|t| t.id).collect();
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
async fn reported_and_files<C: ConnectionTrait>(db: &C, task_ids: &[Uuid]) -> Result<(u64, u64)> {
    if task_ids.is_empty() {
        return Ok((0, 0));
    }
    let mut reported = 0;
    let mut files = 0;
    // Bounded IN lists, whatever the plan's size.
    for chunk in task_ids.chunks(500) {
        reported += results::Entity::find()
            .filter(results::Column::TaskId.is_in(chunk.to_vec()))
            .filter(results::Column::State.ne(ResultState::Draft.code()))
            .count(db)
            .await?;
        files += evidence::Entity::find().filter(evidence::Column::TaskId.is_in(chunk.to_vec())).count(db).await?;
    }
    Ok((reported, files))
}

/// A task may be deleted while its plan is open and it has no reported result
/// and no evidence.
pub(crate) async fn ensure_task_deletable<C: ConnectionTrait>(db: &C, task: &tasks::Model) -> Result<()> {
    ensure_plan_open(db, task.plan_id).await?;
    let (reported, files) = reported_and_files(db, &[task.id]).await?;
    if reported + files > 0 {
        return Err(in_use(
            "task_has_result",
            "Nhiệm vụ đã có kết quả hoặc minh chứng, không xóa được",
            "the task has a result or evidence",
            &[(reported, "kết quả đã gửi", "submitted result(s)"), (files, "minh chứng", "evidence file(s)")],
        ));
    }
    Ok(())
}

/// A group may be deleted only when it holds no task.
pub(crate) async fn ensure_group_deletable<C: ConnectionTrait>(db: &C, group: &task_groups::Model) -> Result<()> {
    ensure_plan_open(db, group.plan_id).await?;
    let n = tasks::Entity::find().filter(tasks::Column::GroupId.eq(group.id)).count(db).await?;
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
pub(crate) async fn ensure_user_deletable<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    let docs = documents::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(documents::Column::SignerUserId.eq(id))
                .add(documents::Column::ApprovedBy.eq(id)),
        )
        .count(db)
        .await?;
    let reviews = results::Entity::find().filter(results::Column::ReviewedBy.eq(id)).count(db).await?;
    let files = evidence::Entity::find().filter(evidence::Column::UploadedBy.eq(id)).count(db).await?;
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
pub(crate) fn locked(state: &str) -> AppError {
    let label = state.parse::<ResultState>().map(ResultState::label).unwrap_or(state);
    AppError::conflict(
        "result_locked",
        format!("Kết quả đang ở trạng thái “{label}”, không sửa được / the result is {state} and cannot be changed"),
    )
}

/// Fails with `result_locked` while a task's result is submitted or accepted, and
/// with `plan_closed` once the plan's report is issued.
pub(crate) async fn ensure_editable<C: ConnectionTrait>(db: &C, task_id: Uuid) -> Result<()> {
    ensure_task_open(db, task_id).await?;
    let r = results::Entity::find().filter(results::Column::TaskId.eq(task_id)).one(db).await?;
    match r {
        Some(r) if r.state == ResultState::Submitted.code() || r.state == ResultState::Accepted.code() => {
            Err(locked(&r.state))
        }
        _ => Ok(()),
    }
}
