//! A unit asks to move a task's deadline or to withdraw the task; the office decides
//! (or the chairman, where the issuer's rules say so): approved, partly approved with
//! another date, or refused with a reason. The task keeps its original deadline, and
//! the decision, the task's new deadline (or its withdrawal), both audit events and the
//! mail to the unit are one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{allowed, check_task_visible, check_task_writable, require};
use super::follow_up_mail::{Notice, role_addresses, send, unit_addresses};
use super::{audited, local_date};
use crate::domain::access::Action;
use crate::domain::format::short_date;
use crate::domain::{AuditAction, Decision, FollowUpKind as K, FollowUpState as S, RequestKind, ResultState, Role};
use crate::error::{AppError, Check, Result};
use crate::model::{ChangeRequestInput, DecisionInput, FollowUp};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, follow_ups, plans, results, tasks};

const ENTITY: &str = "follow_ups";

/// Checks a new deadline: after today and inside the plan's year.
fn check_date(check: &mut Check, field: &str, d: Option<NaiveDate>, today: NaiveDate, year: i32) {
    match d {
        None => {
            check.add(field, "Cần ngày hạn mới / a new deadline is required");
        }
        Some(d) => {
            check.fail_if(d <= today, field, "Hạn mới phải sau hôm nay / the new deadline must be after today");
            check.fail_if(
                d.year() != year,
                field,
                &format!(
                    "Hạn mới phải trong năm {year} của kế hoạch / the new deadline must fall in the plan's year {year}"
                ),
            );
        }
    }
}

/// A task that may still be moved: live, in an open plan, its result not yet accepted.
async fn ensure_movable<C: Conn>(c: &C, task: &tasks::Model) -> Result<()> {
    super::integrity::ensure_live(c, task).await?;
    super::integrity::ensure_plan_open(c, task.plan_id).await?;
    if results::of_task(c, task.id).await?.is_some_and(|r| r.state == ResultState::Accepted) {
        return Err(AppError::conflict(
            "task_done",
            format!("Nhiệm vụ {} đã được chấp nhận kết quả / task {} is already accepted", task.code, task.code),
        ));
    }
    Ok(())
}

/// A unit asks for a new deadline or for the task to be withdrawn.
pub async fn request_change(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    input: ChangeRequestInput,
) -> Result<FollowUp> {
    require(actor, Action::ReportResult)?;
    let today = local_date(now);
    let txn = db.begin_write().await?;
    let task = tasks::get(&*txn, task_id).await?;
    check_task_writable(&*txn, actor, &task).await?;
    let plan = plans::get(&*txn, task.plan_id).await?;
    let mut check = Check::new();
    let kind: Option<K> = input.kind.value().map(Into::into);
    check.fail_if(kind.is_none(), "kind", &format!("Phải là / must be one of: {}", RequestKind::codes()));
    let reason = input.reason.trim();
    check.required("reason", reason).paragraphs("reason", reason, crate::domain::text::TEXT);
    let asked_on = input.asked_on.map(Into::into);
    if kind == Some(K::Extension) {
        check_date(&mut check, "asked_on", asked_on, today, plan.year);
        check.fail_if(
            asked_on.is_some() && asked_on == task.deadline,
            "asked_on",
            "Hạn mới trùng hạn hiện tại / the new deadline is the current one",
        );
    }
    check.finish()?;
    let kind = kind.unwrap_or(K::Extension);
    ensure_movable(&*txn, &task).await?;
    if follow_ups::open_request(&*txn, task.id).await?.is_some() {
        return Err(AppError::conflict(
            "request_open",
            "Nhiệm vụ đang có một đề xuất chờ quyết định / the task already has an open request",
        ));
    }
    let m = follow_ups::Model {
        asked_on: if kind == K::Extension { asked_on } else { None },
        ..follow_ups::line(
            plan.issuer_id,
            task.id,
            task.lead_unit_id,
            kind,
            S::Open,
            reason.to_owned(),
            actor.user_id,
            now,
        )
    };
    let m = follow_ups::insert(&*txn, m).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Request, ENTITY, m.id, None, Some(&m))).await?;
    let rules = super::deadline_rules::rules_of(&*txn, plan.issuer_id).await?;
    let deciders: &[Role] = if rules.signer_decides { &[Role::Signer] } else { &[Role::Office] };
    let addresses = role_addresses(&*txn, plan.issuer_id, deciders).await?;
    let unit = match task.lead_unit_id {
        Some(u) => unit_addresses(&*txn, u).await?.0,
        None => String::new(),
    };
    let what = match kind {
        K::Extension => {
            format!("đề xuất gia hạn nhiệm vụ {} đến ngày {}", task.code, short_date(asked_on.unwrap_or(today)))
        }
        _ => format!("đề xuất rút nhiệm vụ {}", task.code),
    };
    let notice = Notice {
        key: format!("follow_up:{}:open", m.id),
        issuer_id: plan.issuer_id,
        unit_id: task.lead_unit_id,
        to: if rules.signer_decides { "Lãnh đạo" } else { "Văn phòng" }.to_owned(),
        subject: format!("{unit} {what}"),
        heading: format!("{unit} {what}."),
        lines: vec![format!("Nhiệm vụ {}: {}", task.code, task.text), format!("Lý do: {reason}")],
    };
    send(&*txn, now, &notice, &addresses).await?;
    let out = super::follow_up_reads::to_models(&*txn, vec![m], today).await?;
    txn.commit().await?;
    Ok(out.into_iter().next().expect("one row"))
}

/// Whether `actor` decides the issuer's requests under `signer_decides`.
fn may_decide(actor: &Actor, signer_decides: bool) -> bool {
    match actor.role {
        None => true,
        Some(Role::Signer) => true,
        Some(_) => !signer_decides && allowed(actor, Action::ReviewResult),
    }
}

/// The office (or the chairman) decides a request.
pub async fn decide(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: DecisionInput) -> Result<FollowUp> {
    require(actor, Action::Read)?;
    let today = local_date(now);
    let txn = db.begin_write().await?;
    let before = follow_ups::get(&*txn, id).await?;
    let task = tasks::get(&*txn, before.task_id).await?;
    check_task_visible(&*txn, actor, &task).await?;
    let rules = super::deadline_rules::rules_of(&*txn, before.issuer_id).await?;
    if !may_decide(actor, rules.signer_decides) {
        return Err(AppError::Forbidden);
    }
    if !matches!(before.kind, K::Extension | K::Withdrawal) {
        return Err(AppError::conflict("not_a_request", "Đây không phải một đề xuất / this is not a request"));
    }
    if before.state != S::Open {
        return Err(AppError::conflict(
            "request_decided",
            "Đề xuất đã được quyết định / the request is already decided",
        ));
    }
    let plan = plans::get(&*txn, task.plan_id).await?;
    let mut check = Check::new();
    let decision = input.decision.value();
    check.fail_if(decision.is_none(), "decision", &format!("Phải là / must be one of: {}", Decision::codes()));
    check.fail_if(
        decision == Some(Decision::Partly) && before.kind == K::Withdrawal,
        "decision",
        "Đề xuất rút nhiệm vụ chỉ đồng ý hoặc không / a withdrawal is approved or refused",
    );
    let reason = input.reason.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if matches!(decision, Some(Decision::Partly | Decision::Refuse)) {
        check.required("reason", &reason);
    }
    check.paragraphs("reason", &reason, crate::domain::text::TEXT);
    let granted: Option<NaiveDate> = match decision {
        Some(Decision::Partly) => {
            let g = input.granted_on.map(Into::into);
            check_date(&mut check, "granted_on", g, today, plan.year);
            g
        }
        Some(Decision::Approve) if before.kind == K::Extension => before.asked_on,
        _ => None,
    };
    check.finish()?;
    let decision = decision.unwrap_or(Decision::Refuse);
    if decision != Decision::Refuse {
        ensure_movable(&*txn, &task).await?;
        if before.kind == K::Extension && granted.is_some_and(|g| g <= today) {
            return Err(AppError::field(
                "granted_on",
                "Hạn mới phải sau hôm nay / the new deadline must be after today",
            ));
        }
        let mut after = task.clone();
        after.updated_at = now;
        let action = if before.kind == K::Extension {
            after.original_deadline = task.original_deadline.or(task.deadline);
            after.deadline = granted;
            AuditAction::Decide
        } else {
            after.archived_at = Some(now);
            after.withdrawn_at = Some(now);
            after.archive_reason = Some(format!("Rút nhiệm vụ: {}", before.body).chars().take(2000).collect());
            AuditAction::Archive
        };
        let after = tasks::save(&*txn, after).await?;
        audited(&*txn, actor, now, super::Change::of(action, "tasks", task.id, Some(&task), Some(&after))).await?;
    }
    let mut after = before.clone();
    after.state = match decision {
        Decision::Approve => S::Approved,
        Decision::Partly => S::PartlyApproved,
        Decision::Refuse => S::Refused,
    };
    after.granted_on = granted;
    after.decision_reason = Some(reason).filter(|r| !r.is_empty());
    after.closed_by = actor.user_id;
    after.closed_at = Some(now);
    let after = follow_ups::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Decide, ENTITY, id, Some(&before), Some(&after))).await?;
    let summary = super::follow_up_reads::summary(&after, None, false);
    if let Some(unit) = task.lead_unit_id {
        let (name, addresses) = unit_addresses(&*txn, unit).await?;
        let notice = Notice {
            key: format!("follow_up:{id}:decided"),
            issuer_id: before.issuer_id,
            unit_id: Some(unit),
            to: name,
            subject: format!("Quyết định về đề xuất của đơn vị đối với nhiệm vụ {}", task.code),
            heading: format!("đã có quyết định về đề xuất của đơn vị đối với nhiệm vụ {}.", task.code),
            lines: vec![format!("Nhiệm vụ {}: {}", task.code, task.text), summary],
        };
        send(&*txn, now, &notice, &addresses).await?;
    }
    let out = super::follow_up_reads::to_models(&*txn, vec![after], today).await?;
    txn.commit().await?;
    Ok(out.into_iter().next().expect("one row"))
}
