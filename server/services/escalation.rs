//! Escalation by each issuer's deadline rules, in the background tick: a task overdue
//! by `tell_chairman_after` working days goes on the chairman's dashboard and into a
//! digest to the chairman; by `draft_letter_after` working days an urging letter is
//! drafted for the office to check and send; an explanation request unanswered by its
//! day is told to the chairman. Working days follow the plan's calendar (the Vietnamese
//! one by default). Each task escalates once per level, however often the tick runs
//! (a unique index on task, kind and level holds it across instances too).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::follow_up_mail::{Notice, role_addresses, send};
use super::local_date;
use super::urging::{How, five_working_days, urge_in};
use crate::domain::format::short_date;
use crate::domain::reminder::Policy;
use crate::domain::{AuditAction, FollowUpKind as K, FollowUpState as S, Role, UrgeBy};
use crate::error::Result;
use crate::storage::audit::Actor;
use crate::storage::{Db, follow_ups, issuers, plans, results, tasks};

/// What one tick raised.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Escalated {
    /// Tasks newly told to the chairman.
    pub told: u32,
    /// Tasks newly named in a drafted urging letter.
    pub drafted: u32,
    /// Urging letters drafted.
    pub letters: u32,
    /// Unanswered explanation requests told to the chairman.
    pub unanswered: u32,
}

/// Runs every issuer's rules on `now`; safe to call any number of times.
pub async fn escalate(db: &Db, server: &Policy, now: DateTime<Utc>) -> Result<Escalated> {
    let today = local_date(now);
    let c = &db.conn;
    // Keys only (no text) for every late task: the usual tick raises nothing new.
    let late = tasks::late_keys(c, today.pred_opt().unwrap_or(today)).await?;
    let ids: Vec<Uuid> = late.iter().map(|t| t.0).collect();
    let done: HashSet<Uuid> = results::reported_among(c, &ids).await?.into_iter().collect();
    let mut by_plan: BTreeMap<Uuid, Vec<(Uuid, NaiveDate)>> = BTreeMap::new();
    for (id, plan, deadline) in late.into_iter().filter(|t| !done.contains(&t.0)) {
        by_plan.entry(plan).or_default().push((id, deadline));
    }
    let plan_ids: Vec<Uuid> = by_plan.keys().copied().collect();
    let closed = super::integrity::closures(c, &plan_ids).await?;
    let mut open_plans: HashMap<Uuid, Vec<plans::Model>> = HashMap::new();
    for id in plan_ids.iter().filter(|id| !closed.contains_key(id)) {
        if let Some(p) = plans::find(c, *id).await? {
            open_plans.entry(p.issuer_id).or_default().push(p);
        }
    }
    let mut total = Escalated::default();
    for issuer in issuers::all(c).await? {
        let rules = super::deadline_rules::of_row(&issuer);
        let plans_of: Vec<plans::Model> = open_plans.remove(&issuer.id).unwrap_or_default();
        let unanswered = if rules.tell_chairman_unanswered {
            follow_ups::unanswered_before(c, issuer.id, today).await?
        } else {
            Vec::new()
        };
        let seen: HashSet<(Uuid, i32)> = follow_ups::escalations_of_issuer(c, issuer.id).await?.into_iter().collect();
        let still_late: HashSet<Uuid> = plans_of.iter().flat_map(|p| by_plan[&p.id].iter().map(|t| t.0)).collect();
        let settled: Vec<Uuid> = follow_ups::open_escalations(c, issuer.id)
            .await?
            .into_iter()
            .filter(|(_, task)| !still_late.contains(task))
            .map(|(id, _)| id)
            .collect();
        // Calendar days bound working days from above: a task not yet that many calendar
        // days late cannot be that many working days late.
        let due = |t: &(Uuid, NaiveDate), l: i32, after: u32| {
            after > 0 && (today - t.1).num_days() >= i64::from(after) && !seen.contains(&(t.0, l))
        };
        let candidates: HashSet<Uuid> = plans_of
            .iter()
            .flat_map(|p| by_plan[&p.id].iter())
            .filter(|t| due(t, 1, rules.tell_chairman_after) || due(t, 2, rules.draft_letter_after))
            .map(|t| t.0)
            .collect();
        if candidates.is_empty() && unanswered.is_empty() && settled.is_empty() {
            continue;
        }
        let txn = db.begin_write().await?;
        let mut changes = Vec::new();
        // The chairman's list keeps only the tasks still late.
        for id in settled {
            let e = follow_ups::get(&*txn, id).await?;
            let mut after = e.clone();
            after.state = S::Noted;
            after.closed_at = Some(now);
            let after = follow_ups::save(&*txn, after).await?;
            changes.push(super::Change::of(AuditAction::Escalate, "follow_ups", e.id, Some(&e), Some(&after)));
        }
        let mut told: Vec<String> = Vec::new();
        let mut raised: Vec<follow_ups::Model> = Vec::new();
        let mut letters = 0;
        let mut drafted = 0;
        for plan in &plans_of {
            let policy: Policy = plan
                .reminder_policy
                .as_ref()
                .and_then(|v| serde_json::from_value::<crate::model::ReminderPolicy>(v.clone()).ok())
                .map_or_else(|| server.clone(), |p| p.to_domain());
            let mut letter_units: Vec<Uuid> = Vec::new();
            let mut letter_tasks: HashMap<Uuid, i64> = HashMap::new();
            let wanted: Vec<Uuid> =
                by_plan[&plan.id].iter().map(|t| t.0).filter(|id| candidates.contains(id)).collect();
            let mut rows = tasks::in_ids(&*txn, &wanted).await?;
            rows.sort_by_key(|t| t.position);
            for t in &rows {
                let Some(deadline) = t.deadline else { continue };
                let days = policy.days_between(deadline, today);
                for (level, after) in [(1, rules.tell_chairman_after), (2, rules.draft_letter_after)] {
                    if after == 0 || days < i64::from(after) || seen.contains(&(t.id, level)) {
                        continue;
                    }
                    let body = match level {
                        1 => {
                            told.push(format!(
                                "Nhiệm vụ {}: {} (hạn {}, quá hạn {days} ngày làm việc)",
                                t.code,
                                t.text,
                                short_date(deadline)
                            ));
                            format!("Quá hạn {days} ngày làm việc: đã báo {}", sentence_case(&issuer.head_title))
                        }
                        _ => {
                            if let Some(u) = t.lead_unit_id.filter(|u| !letter_units.contains(u)) {
                                letter_units.push(u);
                            }
                            letter_tasks.insert(t.id, days);
                            format!("Quá hạn {days} ngày làm việc: đã dự thảo công văn đôn đốc")
                        }
                    };
                    let state = if level == 1 { S::Open } else { S::Noted };
                    let m = follow_ups::Model {
                        level: Some(level),
                        ..follow_ups::line(issuer.id, t.id, t.lead_unit_id, K::Escalation, state, body, None, now)
                    };
                    raised.push(m);
                }
            }
            follow_ups::insert_all(&*txn, &raised).await?;
            changes.extend(
                raised.drain(..).map(|m| super::Change::of(AuditAction::Escalate, "follow_ups", m.id, None, Some(&m))),
            );
            if !letter_units.is_empty() {
                let how = How { by: UrgeBy::Letter, one_each: false, today, report_by: five_working_days(today) };
                let outcome = urge_in(&*txn, &Actor::system(), now, plan, &letter_units, how).await?;
                letters += outcome.documents.len() as u32;
                drafted += letter_tasks.len() as u32;
            }
        }
        let mut late_answers = Vec::new();
        for q in unanswered {
            let mut after = q.clone();
            after.escalated_at = Some(now);
            let after = follow_ups::save(&*txn, after).await?;
            changes.push(super::Change::of(AuditAction::Escalate, "follow_ups", q.id, Some(&q), Some(&after)));
            let code = tasks::find(&*txn, q.task_id).await?.map(|t| t.code).unwrap_or_default();
            late_answers.push(format!(
                "Nhiệm vụ {code}: yêu cầu giải trình \"{}\" chưa được trả lời (hạn {})",
                q.body,
                q.asked_on.map(short_date).unwrap_or_default()
            ));
        }
        let signers = role_addresses(&*txn, issuer.id, &[Role::Signer]).await?;
        let mut lines = told.clone();
        lines.extend(late_answers.iter().cloned());
        if !lines.is_empty() {
            let notice = Notice {
                key: format!("escalate:{}:{today}:{}", issuer.id, now.timestamp_micros()),
                issuer_id: issuer.id,
                unit_id: None,
                to: sentence_case(&issuer.head_title),
                subject: format!("Nhiệm vụ quá hạn cần chỉ đạo ngày {}", short_date(today)),
                heading: "các nhiệm vụ sau đã quá hạn hoặc chưa được giải trình đúng hạn, đề nghị xem xét chỉ đạo"
                    .to_owned(),
                lines,
            };
            send(&*txn, now, &notice, &signers).await?;
        }
        if letters > 0 {
            let office = role_addresses(&*txn, issuer.id, &[Role::Office]).await?;
            let notice = Notice {
                key: format!("escalate:{}:{today}:letters:{}", issuer.id, now.timestamp_micros()),
                issuer_id: issuer.id,
                unit_id: None,
                to: "Văn phòng".to_owned(),
                subject: format!("Đã dự thảo {letters} công văn đôn đốc nhiệm vụ quá hạn"),
                heading: format!(
                    "theo quy tắc theo dõi hạn, hệ thống đã dự thảo {letters} công văn đôn đốc cho {drafted} nhiệm vụ \
                     quá hạn; đề nghị kiểm tra, trình ký và ban hành"
                ),
                lines: Vec::new(),
            };
            send(&*txn, now, &notice, &office).await?;
        }
        crate::storage::audit::record_many(&*txn, &Actor::system(), now, changes).await?;
        txn.commit().await?;
        total.told += told.len() as u32;
        total.drafted += drafted;
        total.letters += letters;
        total.unanswered += late_answers.len() as u32;
    }
    Ok(total)
}

/// "CHỦ TỊCH" as "Chủ tịch".
fn sentence_case(title: &str) -> String {
    let lower = title.trim().to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
