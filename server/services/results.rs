//! Results: the lead unit's account of a task, its self-score and rating.
//! The rating is proposed by the plan's rubric; a different one needs a reason.
//!
//! Workflow: draft → submitted (by the lead unit) → accepted, or returned with a
//! comment → (edited) → submitted … An accepted result is locked until the office
//! reopens it. Every step is audited.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_task_visible, check_task_writable, issuer_filter, require, unit_scope};
use super::{audited, not_found, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::domain::{ResultState, rubric::SCORE_RANGE};
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, ResultInput, ReviewEvent, TaskResult};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{results, tasks};

const ENTITY: &str = "results";

/// Checks `i` against the task's plan rubric; returns (proposed rating, override kept).
async fn evaluate<C: Conn>(db: &C, i: &ResultInput) -> Result<(Option<String>, Option<String>)> {
    let mut check = Check::new();
    check.paragraphs("narrative", &i.narrative, text::NARRATIVE).opt_line(
        "rating_override",
        i.rating_override.as_deref(),
        text::NAME,
    );
    if let Some(r) = &i.override_reason {
        check.paragraphs("override_reason", r, text::TEXT);
    }
    check.fail_if(
        i.self_score.is_some_and(|s| !SCORE_RANGE.contains(&s)),
        "self_score",
        "Điểm tự chấm từ 0 đến 100 / the self-score must be 0–100",
    );
    if let Some(s) = &i.state {
        check.fail_if(
            s.parse::<ResultState>().is_err(),
            "state",
            &format!("Phải là / must be one of: {}", ResultState::codes()),
        );
    }
    check.finish()?;
    let task =
        tasks::find(db, i.task_id).await?.ok_or_else(|| AppError::field("task_id", unknown_ref("nhiệm vụ / task")))?;
    let plan = crate::storage::plans::get(db, task.plan_id).await?;
    let rubric = super::rubrics::load(db, plan.rubric_id).await?;
    let proposed = i.self_score.and_then(|s| rubric.rate(s)).map(str::to_owned);
    let wanted = i.rating_override.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let kept = match wanted {
        Some(r) if Some(r) == proposed.as_deref() => None,
        Some(r) if !rubric.has_label(r) => {
            let labels: Vec<&str> = rubric.bands().iter().map(|b| b.label.as_str()).collect();
            return Err(AppError::field("rating_override", format!("Phải là / must be one of: {}", labels.join("; "))));
        }
        Some(r) => {
            if i.override_reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
                return Err(AppError::field(
                    "override_reason",
                    "Xếp loại khác với bộ tiêu chí cần nêu lý do / a rating other than the rubric's needs a reason",
                ));
            }
            Some(r.to_owned())
        }
        None => None,
    };
    Ok((proposed, kept))
}

fn to_model(m: results::Model) -> TaskResult {
    let final_rating = m.rating_override.clone().or_else(|| m.proposed_rating.clone());
    TaskResult {
        id: m.id,
        flagged: m.rating_override.is_some(),
        data: ResultInput {
            task_id: m.task_id,
            narrative: m.narrative,
            self_score: m.self_score,
            rating_override: m.rating_override,
            override_reason: m.override_reason,
            state: Some(m.state.into()),
        },
        proposed_rating: m.proposed_rating,
        final_rating,
        review_comment: m.review_comment,
        submitted_at: m.submitted_at,
        reviewed_by: m.reviewed_by,
        reviewed_at: m.reviewed_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn fill(
    m: &mut results::Model,
    i: ResultInput,
    proposed: Option<String>,
    kept: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason = kept.as_ref().and(i.override_reason.map(|r| r.trim().to_owned()));
    m.narrative = i.narrative;
    m.self_score = i.self_score;
    m.proposed_rating = proposed;
    m.rating_override = kept;
    m.override_reason = reason;
    if let Some(state) = i.state {
        m.state = state.checked("state")?;
    }
    m.updated_at = now;
    Ok(())
}

/// Only the system (demo data, imports) sets a state directly; people use the workflow.
fn check_state_input(actor: &Actor, i: &ResultInput, current: ResultState) -> Result<()> {
    match &i.state {
        Some(s) if actor.role.is_some() && s.as_str() != current.code() => Err(AppError::field(
            "state",
            "Trạng thái đổi qua các bước gửi, duyệt, trả lại / the state changes through submit, accept and return",
        )),
        _ => Ok(()),
    }
}

/// A new draft result of a task, before its fields are filled.
fn new_draft(task_id: Uuid, now: DateTime<Utc>) -> results::Model {
    results::Model {
        id: Uuid::now_v7(),
        task_id,
        narrative: String::new(),
        self_score: None,
        proposed_rating: None,
        rating_override: None,
        override_reason: None,
        state: ResultState::Draft,
        review_comment: None,
        reviewed_by: None,
        reviewed_at: None,
        submitted_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Creates the result of a task (one per task), as a draft.
pub async fn create_result(db: &Db, actor: &Actor, now: DateTime<Utc>, input: ResultInput) -> Result<TaskResult> {
    require(actor, Action::ReportResult)?;
    let txn = db.begin_write().await?;
    let task = tasks::find(&*txn, input.task_id).await?;
    match &task {
        Some(t) if check_task_visible(&*txn, actor, t).await.is_ok() => check_task_writable(&*txn, actor, t).await?,
        _ => return Err(AppError::field("task_id", unknown_ref("nhiệm vụ / task"))),
    }
    super::integrity::ensure_task_open(&*txn, input.task_id).await?;
    check_state_input(actor, &input, ResultState::Draft)?;
    let (proposed, kept) = evaluate(&*txn, &input).await?;
    let mut m = new_draft(input.task_id, now);
    fill(&mut m, input, proposed, kept, now)?;
    let m = results::insert(&*txn, m).await.map_err(|e| {
        AppError::from_db(e, "duplicate_result", "Nhiệm vụ đã có báo cáo kết quả / the task already has a result")
    })?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

async fn load_visible<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<(results::Model, tasks::Model)> {
    let r = results::get(db, id).await?;
    let task = crate::storage::tasks::get(db, r.task_id).await?;
    check_task_visible(db, actor, &task).await.map_err(|_| not_found("result"))?;
    Ok((r, task))
}

/// One result.
pub async fn get_result(db: &Db, actor: &Actor, id: Uuid) -> Result<TaskResult> {
    require(actor, Action::Read)?;
    Ok(to_model(load_visible(&db.conn, actor, id).await?.0))
}

/// The review history of a result, oldest first: each submission, return (with
/// its comment), acceptance and reopening, read from the audit trail.
pub async fn history(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<ReviewEvent>> {
    require(actor, Action::Read)?;
    load_visible(&db.conn, actor, id).await?;
    let steps = ["submit", "return", "accept", "reopen"];
    let events = crate::storage::audit::events_of(&db.conn, ENTITY, id, Some(&steps)).await?;
    let names = crate::storage::queries::user_names(&db.conn, events.iter().filter_map(|e| e.actor_id)).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let comment = (e.action == AuditAction::Return)
                .then(|| {
                    e.after.as_ref().and_then(|a| a.get("review_comment")).and_then(|c| c.as_str()).map(str::to_owned)
                })
                .flatten();
            let action_label = match e.action {
                AuditAction::Submit => "Đơn vị gửi Văn phòng",
                AuditAction::Return => "Văn phòng trả lại",
                AuditAction::Accept => "Văn phòng chấp nhận",
                _ => "Mở lại để sửa",
            };
            ReviewEvent {
                at: e.at,
                action_label: action_label.to_owned(),
                action: e.action,
                by: e.actor_id.and_then(|a| names.get(&a).cloned()),
                comment,
            }
        })
        .collect())
}

/// Replaces a draft or returned result's fields; the rating is proposed again.
pub async fn update_result(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: ResultInput,
) -> Result<TaskResult> {
    require(actor, Action::ReportResult)?;
    let txn = db.begin_write().await?;
    let (before, task) = load_visible(&*txn, actor, id).await?;
    check_task_writable(&*txn, actor, &task).await?;
    super::integrity::ensure_live(&*txn, &task).await?;
    if before.task_id != input.task_id {
        return Err(AppError::field(
            "task_id",
            "Kết quả không chuyển sang nhiệm vụ khác / a result stays with its task",
        ));
    }
    check_state_input(actor, &input, before.state)?;
    let editable = before.state == ResultState::Draft || before.state == ResultState::Returned;
    if actor.role.is_some() && !editable {
        return Err(super::integrity::locked(before.state));
    }
    let (proposed, kept) = evaluate(&*txn, &input).await?;
    let mut after = before.clone();
    fill(&mut after, input, proposed, kept, now)?;
    let after = results::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// A step of the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The lead unit sends its draft (or returned) result to the office.
    Submit,
    /// The office accepts a submitted result; it is then locked.
    Accept,
    /// The office returns a submitted result with a comment.
    Return,
    /// The office reopens an accepted result (with a reason), returning it to the unit.
    Reopen,
}

impl Step {
    fn code(self) -> &'static str {
        self.action().code()
    }

    /// What the audit log calls the step.
    fn action(self) -> AuditAction {
        match self {
            Step::Submit => AuditAction::Submit,
            Step::Accept => AuditAction::Accept,
            Step::Return => AuditAction::Return,
            Step::Reopen => AuditAction::Reopen,
        }
    }
}

/// Moves a result one step along the workflow.
pub async fn step_result(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    step: Step,
    comment: Option<String>,
) -> Result<TaskResult> {
    use ResultState::*;
    require(actor, if step == Step::Submit { Action::ReportResult } else { Action::ReviewResult })?;
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if let Some(c) = &comment {
        Check::new().paragraphs("comment", c, text::TEXT).finish()?;
    }
    if matches!(step, Step::Return | Step::Reopen) && comment.is_none() {
        return Err(AppError::field("comment", "Cần nêu lý do / a comment is required"));
    }
    let txn = db.begin_write().await?;
    let (before, task) = load_visible(&*txn, actor, id).await?;
    if step == Step::Submit {
        check_task_writable(&*txn, actor, &task).await?;
    }
    super::integrity::ensure_live(&*txn, &task).await?;
    let state = before.state;
    let next = match (step, state) {
        (Step::Submit, Draft | Returned) => Submitted,
        (Step::Accept, Submitted) => Accepted,
        (Step::Return, Submitted) => Returned,
        (Step::Reopen, Accepted) => Returned,
        _ => {
            return Err(AppError::conflict(
                "invalid_transition",
                format!(
                    "Không thể {} khi kết quả đang ở trạng thái {} / cannot {} a result that is {}",
                    step.code(),
                    state.code(),
                    step.code(),
                    state.code()
                ),
            ));
        }
    };
    let mut after = before.clone();
    after.state = next;
    after.updated_at = now;
    match step {
        Step::Submit => after.submitted_at = Some(now),
        _ => {
            after.reviewed_by = actor.user_id;
            after.reviewed_at = Some(now);
            after.review_comment = comment;
        }
    }
    let after = results::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(step.action(), ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a draft or returned result.
pub async fn delete_result(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ReportResult)?;
    let txn = db.begin_write().await?;
    let (before, task) = load_visible(&*txn, actor, id).await?;
    check_task_writable(&*txn, actor, &task).await?;
    super::integrity::ensure_live(&*txn, &task).await?;
    super::integrity::ensure_editable(&*txn, before.task_id).await?;
    results::remove(&*txn, id).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Results in the actor's scope, optionally of one plan's tasks, one task, or in one state.
pub async fn list_results(
    db: &Db,
    actor: &Actor,
    plan_id: Option<Uuid>,
    task_id: Option<Uuid>,
    state: Option<String>,
    paging: Paging,
) -> Result<Page<TaskResult>> {
    require(actor, Action::Read)?;
    let filter =
        results::Filter { issuer: issuer_filter(actor), unit: unit_scope(actor), plan: plan_id, task: task_id, state };
    let total = results::count(&db.conn, &filter).await?;
    let items = results::page(&db.conn, &filter, paging.offset(), paging.per_page).await?;
    Ok(Page { items: items.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}

/// What a lead unit reports on a task in one go: the narrative, the self-score,
/// the values its targets reached, and whether to send it to the office now.
#[derive(Debug, Clone)]
pub struct Report {
    /// Restricted Markdown.
    pub narrative: String,
    /// 0–100.
    pub self_score: Option<i32>,
    /// (target, value reached): only targets of this task.
    pub actuals: Vec<(Uuid, Option<f64>)>,
    /// Submit to the office after saving.
    pub submit: bool,
}

/// Saves a task's report — the result (created or updated), the target values
/// reached and, when asked, the submit step — in ONE transaction: if any part is
/// refused, nothing is written and every field error is returned together.
pub async fn report(db: &Db, actor: &Actor, now: DateTime<Utc>, task_id: Uuid, r: Report) -> Result<TaskResult> {
    require(actor, Action::ReportResult)?;
    let mut check = Check::new();
    if r.submit && r.narrative.trim().is_empty() {
        check.add("narrative", "Nhập kết quả thực hiện trước khi gửi / write the result before submitting");
    }
    check.finish()?;
    let txn = db.begin_write().await?;
    let task = tasks::get(&*txn, task_id).await?;
    check_task_visible(&*txn, actor, &task).await?;
    check_task_writable(&*txn, actor, &task).await?;
    super::integrity::ensure_live(&*txn, &task).await?;
    let existing = results::of_task(&*txn, task_id).await?;
    let input = ResultInput {
        task_id,
        narrative: r.narrative,
        self_score: r.self_score,
        rating_override: existing.as_ref().and_then(|e| e.rating_override.clone()),
        override_reason: existing.as_ref().and_then(|e| e.override_reason.clone()),
        state: None,
    };
    let (proposed, kept) = evaluate(&*txn, &input).await?;
    let saved = match existing {
        Some(before) => {
            let editable = before.state == ResultState::Draft || before.state == ResultState::Returned;
            if !editable {
                return Err(super::integrity::locked(before.state));
            }
            let mut after = before.clone();
            fill(&mut after, input, proposed, kept, now)?;
            let after = results::save(&*txn, after).await?;
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
            let mut m = new_draft(task_id, now);
            fill(&mut m, input, proposed, kept, now)?;
            let m = results::insert(&*txn, m).await?;
            audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
            m
        }
    };
    super::targets::record_actuals(&*txn, actor, now, task_id, &r.actuals).await?;
    let saved = if r.submit {
        let mut after = saved.clone();
        after.state = ResultState::Submitted;
        after.submitted_at = Some(now);
        after.updated_at = now;
        let after = results::save(&*txn, after).await?;
        audited(
            &*txn,
            actor,
            now,
            super::Change::of(AuditAction::Submit, ENTITY, after.id, Some(&saved), Some(&after)),
        )
        .await?;
        after
    } else {
        saved
    };
    txn.commit().await?;
    Ok(to_model(saved))
}
