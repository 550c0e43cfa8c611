//! The office urges units (đôn đốc) about their overdue and at-risk tasks: the digest
//! mail now, or a công văn đôn đốc drafted from the data — addressed to the units,
//! opening from the plan's basis, one appendix table per unit, the day to report by,
//! "Nơi nhận" from the units — ready to check, submit and sign. One letter for all the
//! units or one each. Every task named keeps a history line ("Đã đôn đốc ngày …,
//! văn bản số …"). The mail or the letters, the lines and their audit events are one
//! transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{plan_in_scope, require};
use super::follow_up_mail::{Notice, send, unit_addresses};
use super::local_date;
use super::print_letter::{Urged, urged_tasks};
use super::print_register::load_register;
use crate::domain::access::Action;
use crate::domain::format::short_date;
use crate::domain::reminder::Policy;
use crate::domain::{AuditAction, DocumentKind, FollowUpKind, FollowUpState, UrgeBy};
use crate::error::{AppError, Check, Result};
use crate::model::{Recipient, UrgeInput, UrgeOutcome};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, follow_ups, issuers, plans};

/// Five working days after `today`: the default day to report by.
pub fn five_working_days(today: NaiveDate) -> NaiveDate {
    let policy = Policy::default();
    let (mut d, mut n) = (today, 0);
    while n < 5 {
        d += Duration::days(1);
        if policy.is_working_day(d) {
            n += 1;
        }
    }
    d
}

/// Urges the units of `input` about their overdue and at-risk tasks in `plan_id`.
pub async fn urge(db: &Db, actor: &Actor, now: DateTime<Utc>, plan_id: Uuid, input: UrgeInput) -> Result<UrgeOutcome> {
    require(actor, Action::ReviewResult)?;
    let today = local_date(now);
    let by = input.by.checked("by")?;
    if by == UrgeBy::Letter {
        require(actor, Action::ManageDocument)?;
    }
    let report_by: NaiveDate = input.report_by.map(Into::into).unwrap_or_else(|| five_working_days(today));
    let mut check = Check::new();
    check
        .fail_if(input.unit_ids.is_empty(), "unit_ids", "Chọn ít nhất một đơn vị / choose at least one unit")
        .fail_if(input.unit_ids.len() > 200, "unit_ids", "Tối đa 200 đơn vị / at most 200 units")
        .fail_if(
            report_by <= today,
            "report_by",
            "Hạn báo cáo phải sau hôm nay / the day to report by must be after today",
        )
        .fail_if(
            report_by > today + Duration::days(366),
            "report_by",
            "Hạn báo cáo trong vòng một năm / within a year",
        );
    let mut seen = std::collections::HashSet::new();
    for (n, u) in input.unit_ids.iter().enumerate() {
        check.fail_if(!seen.insert(*u), &format!("unit_ids[{n}]"), "Trùng đơn vị / listed twice");
    }
    check.finish()?;
    let txn = db.begin_write().await?;
    let plan = plan_in_scope(&*txn, actor, plan_id).await?;
    super::integrity::ensure_plan_open(&*txn, plan_id).await?;
    let how = How { by, one_each: input.one_each, today, report_by };
    let outcome = urge_in(&*txn, actor, now, &plan, &input.unit_ids, how).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// How an urging is made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct How {
    /// Mail or letter.
    pub by: UrgeBy,
    /// One letter per unit.
    pub one_each: bool,
    /// The day it is made.
    pub today: NaiveDate,
    /// The day to report by.
    pub report_by: NaiveDate,
}

/// [`urge`] inside the caller's transaction, for units already checked.
pub(crate) async fn urge_in<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &plans::Model,
    unit_ids: &[Uuid],
    how: How,
) -> Result<UrgeOutcome> {
    let How { by, one_each, today, report_by } = how;
    let reg = load_register(txn, plan.id).await?;
    for (n, u) in unit_ids.iter().enumerate() {
        if reg.units.get(u).is_none_or(|x| x.issuer_id != plan.issuer_id) {
            return Err(AppError::field(&format!("unit_ids[{n}]"), super::unknown_ref("đơn vị / unit")));
        }
    }
    let rules = super::deadline_rules::rules_of(txn, plan.issuer_id).await?;
    let urged = urged_tasks(&reg, unit_ids, today, &rules);
    let units: Vec<Uuid> = unit_ids.iter().copied().filter(|u| urged.contains_key(u)).collect();
    if units.is_empty() {
        return Err(AppError::field(
            "unit_ids",
            "Các đơn vị đã chọn không có nhiệm vụ quá hạn hoặc có nguy cơ chậm / none of these units has an overdue or \
             at-risk task",
        ));
    }
    let mut outcome = UrgeOutcome { units: units.len() as u32, tasks: 0, mails: 0, documents: Vec::new() };
    let mut lines: Vec<(Uuid, &Urged<'_>, Option<Uuid>)> = Vec::new();
    match by {
        UrgeBy::Mail => {
            for u in &units {
                let list = &urged[u];
                let (name, addresses) = unit_addresses(txn, *u).await?;
                let notice = Notice {
                    key: format!("urge:{u}:{}", now.timestamp_micros()),
                    issuer_id: plan.issuer_id,
                    unit_id: Some(*u),
                    to: name.clone(),
                    subject: format!("Đôn đốc thực hiện {} nhiệm vụ trọng tâm của {name}", list.len()),
                    heading: format!(
                        "đề nghị đơn vị khẩn trương thực hiện và báo cáo trước ngày {} các nhiệm vụ quá hạn hoặc có \
                         nguy cơ chậm sau",
                        short_date(report_by)
                    ),
                    lines: list.iter().map(describe).collect(),
                };
                outcome.mails += send(txn, now, &notice, &addresses).await?;
                lines.extend(list.iter().map(|x| (*u, x, None)));
            }
        }
        UrgeBy::Letter => {
            let issuer = issuers::get(txn, plan.issuer_id).await?;
            let groups: Vec<Vec<Uuid>> =
                if one_each { units.iter().map(|u| vec![*u]).collect() } else { vec![units.clone()] };
            for group in groups {
                let doc =
                    draft_letter(txn, actor, now, (plan, &issuer), &reg, &group, &urged, (today, report_by)).await?;
                outcome.documents.push(doc);
                for u in &group {
                    lines.extend(urged[u].iter().map(|x| (*u, x, Some(doc))));
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(lines.len());
    for (unit, x, doc) in lines {
        let m = follow_ups::Model {
            asked_on: Some(report_by),
            document_id: doc,
            ..follow_ups::line(
                plan.issuer_id,
                x.task.id,
                Some(unit),
                FollowUpKind::Urging,
                FollowUpState::Noted,
                describe(x),
                actor.user_id,
                now,
            )
        };
        rows.push(m);
        outcome.tasks += 1;
    }
    follow_ups::insert_all(txn, &rows).await?;
    let changes =
        rows.iter().map(|m| super::Change::of(AuditAction::Urge, "follow_ups", m.id, None, Some(m))).collect();
    crate::storage::audit::record_many(txn, actor, now, changes).await?;
    Ok(outcome)
}

/// "Nhiệm vụ 1.2: … (hạn 30/06/2026, quá hạn 12 ngày)".
fn describe(x: &Urged<'_>) -> String {
    let deadline = x.task.deadline.map(short_date).unwrap_or_default();
    let state =
        if x.days_late > 0 { format!("quá hạn {} ngày", x.days_late) } else { "nguy cơ chậm".to_owned() };
    format!("Nhiệm vụ {}: {} (hạn {deadline}, {state})", x.task.code, x.task.text)
}

/// Drafts one công văn đôn đốc to `group`, prefilled from the data.
#[allow(clippy::too_many_arguments)]
async fn draft_letter<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    (plan, issuer): (&plans::Model, &issuers::Model),
    reg: &super::print_register::Register,
    group: &[Uuid],
    urged: &std::collections::BTreeMap<Uuid, Vec<Urged<'_>>>,
    (today, report_by): (NaiveDate, NaiveDate),
) -> Result<Uuid> {
    let names: Vec<String> = group.iter().map(|u| reg.unit_name(Some(*u))).collect();
    let count: usize = group.iter().map(|u| urged[u].len()).sum();
    let bases: Vec<String> = super::json_list(&plan.based_on);
    let basis = if bases.is_empty() { plan.title.clone() } else { bases.join("; ") };
    let who = issuer.full_name.trim();
    let units = names.join(", ");
    let opening = format!(
        "Thực hiện {basis}, {who} đã giao các cơ quan, đơn vị chủ trì thực hiện các nhiệm vụ trọng tâm năm {}. \
         Đến ngày {}, {units} còn {count} nhiệm vụ đã quá hạn hoặc có nguy cơ chậm so với tiến độ đề ra (chi tiết \
         tại Phụ lục kèm theo).",
        plan.year,
        short_date(today)
    );
    let closing = format!(
        "Để bảo đảm tiến độ, {who} đề nghị {units} khẩn trương tập trung thực hiện các nhiệm vụ nêu trên; báo cáo kết \
         quả, tiến độ thực hiện và giải trình nguyên nhân chậm (nếu có) về {who} (qua Văn phòng) trước ngày {} để \
         tổng hợp./.",
        short_date(report_by)
    );
    let start = super::drafting::Start {
        plan_id: plan.id,
        kind: DocumentKind::Letter,
        subject: Some(format!("V/v đôn đốc thực hiện nhiệm vụ trọng tâm năm {}", plan.year)),
    };
    let mut recipients: Vec<Recipient> = group
        .iter()
        .filter_map(|u| reg.units.get(u))
        .map(|u| Recipient { label: u.name.clone(), emails: super::json_list(&u.emails) })
        .collect();
    recipients.push(Recipient { label: "Lưu: VT, VP".into(), emails: Vec::new() });
    let about = serde_json::to_value(group).map_err(|e| AppError::Internal(e.to_string()))?;
    let recipients = serde_json::to_value(&recipients).map_err(|e| AppError::Internal(e.to_string()))?;
    let doc = super::drafting::start_in(txn, actor, now, start, move |m| {
        m.about_units = Some(about);
        m.report_by = Some(report_by);
        m.opening = Some(opening);
        m.closing = Some(closing);
        m.recipients = recipients;
    })
    .await?;
    Ok(doc.id)
}
