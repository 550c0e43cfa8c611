//! A leader asks a unit to explain a late or at-risk task by a date (yêu cầu giải
//! trình), or gives a direction (ý kiến chỉ đạo) on a task or on every open task a unit
//! leads; the unit answers on the task. Each ask, each answer and its mail are one
//! transaction; the thread stays with the task and prints in its history.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{allowed, check_task_visible, check_task_writable, plan_in_scope, require};
use super::follow_up_mail::{Notice, person_address, send, unit_addresses};
use super::{audited, local_date};
use crate::domain::access::Action;
use crate::domain::format::short_date;
use crate::domain::{AskKind, AuditAction, FollowUpKind as K, FollowUpState as S, ResultState, Role};
use crate::error::{AppError, Check, Result};
use crate::model::{AnswerInput, AskInput, FollowUp};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, follow_ups, results, tasks};

const ENTITY: &str = "follow_ups";

/// Leaders ask: the office (and its administrator) and the chairman.
fn require_leader(actor: &Actor) -> Result<()> {
    if actor.role.is_none() || actor.role == Some(Role::Signer) || allowed(actor, Action::ReviewResult) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The ask's kind, text and date, checked.
fn checked(input: &AskInput, today: NaiveDate) -> Result<(K, String, Option<NaiveDate>)> {
    let mut check = Check::new();
    let kind: Option<K> = input.kind.value().map(Into::into);
    check.fail_if(kind.is_none(), "kind", &format!("Phải là / must be one of: {}", AskKind::codes()));
    let body = input.body.trim().to_owned();
    check.required("body", &body).paragraphs("body", &body, crate::domain::text::TEXT);
    let by: Option<NaiveDate> = input.answer_by.map(Into::into);
    if kind == Some(K::Explanation) {
        match by {
            None => {
                check.add("answer_by", "Cần hạn trả lời / the day to answer by is required");
            }
            Some(d) => {
                check.fail_if(d < today, "answer_by", "Hạn trả lời không trước hôm nay / not before today");
                check.fail_if(
                    d > today + chrono::Duration::days(366),
                    "answer_by",
                    "Hạn trả lời trong vòng một năm / within a year",
                );
            }
        }
    }
    check.finish()?;
    Ok((kind.unwrap_or(K::Direction), body, if kind == Some(K::Explanation) { by } else { None }))
}

/// Opens the follow-ups on `list` (one transaction) and tells the unit once.
async fn open_on<C: Conn>(
    c: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    issuer_id: Uuid,
    list: &[tasks::Model],
    (kind, body, by): (K, String, Option<NaiveDate>),
) -> Result<Vec<follow_ups::Model>> {
    let mut rows = Vec::new();
    for task in list {
        let m = follow_ups::Model {
            asked_on: by,
            ..follow_ups::line(issuer_id, task.id, task.lead_unit_id, kind, S::Open, body.clone(), actor.user_id, now)
        };
        let m = follow_ups::insert(c, m).await?;
        audited(c, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
        rows.push(m);
    }
    let Some(unit) = list.first().and_then(|t| t.lead_unit_id) else { return Ok(rows) };
    let (name, addresses) = unit_addresses(c, unit).await?;
    let what = match (kind, by) {
        (K::Explanation, Some(d)) => format!("đề nghị đơn vị giải trình, trả lời trước ngày {}", short_date(d)),
        _ => "có ý kiến chỉ đạo, đề nghị đơn vị thực hiện và trả lời".to_owned(),
    };
    let mut lines: Vec<String> = list.iter().map(|t| format!("Nhiệm vụ {}: {}", t.code, t.text)).collect();
    lines.push(format!("{}: {body}", kind.label()));
    let notice = Notice {
        key: format!("follow_up:{}:open", rows[0].id),
        issuer_id,
        unit_id: Some(unit),
        to: name,
        subject: format!("{} về {} nhiệm vụ", kind.label(), list.len()),
        heading: format!("{what}."),
        lines,
    };
    send(c, now, &notice, &addresses).await?;
    Ok(rows)
}

/// A leader asks the task's unit for an explanation, or gives a direction on the task.
pub async fn ask(db: &Db, actor: &Actor, now: DateTime<Utc>, task_id: Uuid, input: AskInput) -> Result<FollowUp> {
    require(actor, Action::Read)?;
    require_leader(actor)?;
    let today = local_date(now);
    let txn = db.begin_write().await?;
    let task = tasks::get(&*txn, task_id).await?;
    check_task_visible(&*txn, actor, &task).await?;
    let asked = checked(&input, today)?;
    super::integrity::ensure_live(&*txn, &task).await?;
    if task.lead_unit_id.is_none() {
        return Err(AppError::conflict(
            "task_unassigned",
            format!("Nhiệm vụ {} chưa có đơn vị chủ trì / task {} has no lead unit", task.code, task.code),
        ));
    }
    let plan = crate::storage::plans::get(&*txn, task.plan_id).await?;
    let rows = open_on(&*txn, actor, now, plan.issuer_id, std::slice::from_ref(&task), asked).await?;
    let out = super::follow_up_reads::to_models(&*txn, rows, today).await?;
    txn.commit().await?;
    Ok(out.into_iter().next().expect("one row"))
}

/// A leader asks a unit about every open task it leads in the plan (the unit's row on
/// the dashboard): one follow-up per task, one mail.
pub async fn ask_unit(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    unit_id: Uuid,
    input: AskInput,
) -> Result<Vec<FollowUp>> {
    require(actor, Action::Read)?;
    require_leader(actor)?;
    let today = local_date(now);
    let txn = db.begin_write().await?;
    let plan = plan_in_scope(&*txn, actor, plan_id).await?;
    let asked = checked(&input, today)?;
    let done: std::collections::HashSet<Uuid> = results::of_task_ids(&*txn, tasks::ids_of_plan(&*txn, plan_id).await?)
        .await?
        .into_iter()
        .filter(|r| r.state == ResultState::Accepted)
        .map(|r| r.task_id)
        .collect();
    let list: Vec<tasks::Model> = tasks::live_in_plan(&*txn, plan_id)
        .await?
        .into_iter()
        .filter(|t| t.lead_unit_id == Some(unit_id) && !done.contains(&t.id))
        .collect();
    if list.is_empty() {
        return Err(AppError::field(
            "unit_id",
            "Đơn vị không chủ trì nhiệm vụ nào đang thực hiện trong kế hoạch / the unit leads no open task of the plan",
        ));
    }
    let rows = open_on(&*txn, actor, now, plan.issuer_id, &list, asked).await?;
    let out = super::follow_up_reads::to_models(&*txn, rows, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// The unit answers an explanation request or replies to a direction.
pub async fn answer(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: AnswerInput) -> Result<FollowUp> {
    require(actor, Action::ReportResult)?;
    let today = local_date(now);
    let txn = db.begin_write().await?;
    let before = follow_ups::get(&*txn, id).await?;
    let task = tasks::get(&*txn, before.task_id).await?;
    check_task_writable(&*txn, actor, &task).await?;
    let text = input.answer.trim().to_owned();
    Check::new().required("answer", &text).paragraphs("answer", &text, crate::domain::text::TEXT).finish()?;
    if !matches!(before.kind, K::Explanation | K::Direction) {
        return Err(AppError::conflict(
            "not_a_question",
            "Chỉ trả lời yêu cầu giải trình hoặc ý kiến chỉ đạo / only explanation requests and directions are answered",
        ));
    }
    if before.state != S::Open {
        return Err(AppError::conflict("already_answered", "Đã trả lời / already answered"));
    }
    let mut after = before.clone();
    after.state = S::Answered;
    after.answer = Some(text.clone());
    after.closed_by = actor.user_id;
    after.closed_at = Some(now);
    let after = follow_ups::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Answer, ENTITY, id, Some(&before), Some(&after))).await?;
    let addresses = person_address(&*txn, before.opened_by).await?;
    let unit = match task.lead_unit_id {
        Some(u) => unit_addresses(&*txn, u).await?.0,
        None => String::new(),
    };
    let notice = Notice {
        key: format!("follow_up:{id}:answered"),
        issuer_id: before.issuer_id,
        unit_id: task.lead_unit_id,
        to: "Người yêu cầu".to_owned(),
        subject: format!("{unit} trả lời {} nhiệm vụ {}", before.kind.label().to_lowercase(), task.code),
        heading: format!("{unit} đã trả lời {} về nhiệm vụ {}.", before.kind.label().to_lowercase(), task.code),
        lines: vec![format!("{}: {}", before.kind.label(), before.body), format!("Trả lời: {text}")],
    };
    send(&*txn, now, &notice, &addresses).await?;
    let out = super::follow_up_reads::to_models(&*txn, vec![after], today).await?;
    txn.commit().await?;
    Ok(out.into_iter().next().expect("one row"))
}
