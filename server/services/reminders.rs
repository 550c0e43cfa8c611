//! Deadline reminders: one digest a day per unit, listing every task it leads
//! that is due soon or overdue. Each (task, threshold) is reminded once — the
//! record of it is written with the message, so a second tick, a restart or a
//! second instance finds it and sends nothing more.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::json_list;
use super::local_date;
use super::outbox::{NewMessage, enqueue};
use crate::domain::format::short_date;
use crate::domain::reminder::{Policy, Threshold};
use crate::error::{AppError, Result};
use crate::storage::{Db, issuers, plans, reminders_sent, results, tasks, units, users};

/// A task in a digest.
#[derive(Debug, Clone, Serialize)]
pub struct DueTask {
    /// The task.
    #[serde(skip)]
    pub task_id: Uuid,
    /// Its threshold key.
    #[serde(skip)]
    pub threshold: String,
    /// "1.1".
    pub code: String,
    /// The task's text.
    pub text: String,
    /// "15/12/2024".
    pub deadline: String,
    /// "còn 3 ngày", "đã quá hạn 4 ngày".
    pub when: String,
}

/// What one unit is sent today.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    /// The unit.
    pub unit_id: Uuid,
    /// Its name.
    pub unit: String,
    /// The issuer's name in sentences.
    pub issuer: String,
    /// The issuer.
    #[serde(skip)]
    pub issuer_id: Uuid,
    /// Where it goes: the unit's contact addresses and its officers'.
    pub addresses: Vec<String>,
    /// Its due tasks, by code.
    pub tasks: Vec<DueTask>,
}

/// The digests due at `now`, minus what was already reminded. Reads only. Each
/// plan's own policy applies to its tasks; `server` to plans without one.
pub async fn plan_reminders(db: &Db, server: &Policy, now: DateTime<Utc>) -> Result<Vec<Digest>> {
    let today = local_date(now);
    let c = &db.conn;
    let policies: HashMap<Uuid, Policy> = plans::with_reminder_policy(c)
        .await?
        .into_iter()
        .filter_map(|p| {
            let policy: crate::model::ReminderPolicy = serde_json::from_value(p.reminder_policy?).ok()?;
            Some((p.id, policy.to_domain()))
        })
        .collect();
    let longest = policies.values().chain([server]).flat_map(|p| p.offsets.iter().copied()).max().unwrap_or(0);
    // Working days stretch an offset over weekends and holidays: look far enough ahead.
    let horizon = today + Duration::days(longest * 2 + 14);
    let candidates = tasks::led_and_due_by(c, horizon).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|t| t.id).collect();
    let done: HashSet<Uuid> =
        results::submitted_or_accepted_of(c, ids.clone()).await?.into_iter().map(|r| r.task_id).collect();
    let sent: HashSet<(Uuid, String)> =
        reminders_sent::of_tasks(c, ids).await?.into_iter().map(|r| (r.task_id, r.threshold)).collect();
    let mut by_unit: BTreeMap<Uuid, Vec<DueTask>> = BTreeMap::new();
    for t in candidates {
        let (Some(deadline), Some(unit)) = (t.deadline, t.lead_unit_id) else { continue };
        if done.contains(&t.id) {
            continue;
        }
        let policy = policies.get(&t.plan_id).unwrap_or(server);
        let Some(threshold) = policy.due(today, deadline) else { continue };
        let key = threshold.key();
        if sent.contains(&(t.id, key.clone())) {
            continue;
        }
        let late = if today > deadline { policy.days_between(deadline, today) } else { 0 };
        let left = if today <= deadline { policy.days_between(today, deadline) } else { 0 };
        let when = match threshold {
            Threshold::Before(_) => Threshold::Before(left).describe(0),
            Threshold::Overdue(_) => threshold.describe(late),
        };
        by_unit.entry(unit).or_default().push(DueTask {
            task_id: t.id,
            threshold: key,
            code: t.code.clone(),
            text: t.text.clone(),
            deadline: short_date(deadline),
            when,
        });
    }
    if by_unit.is_empty() {
        return Ok(vec![]);
    }
    let unit_ids: Vec<Uuid> = by_unit.keys().copied().collect();
    // A unit that has stopped working gets no reminders, nor do people whose account is closed.
    let unit_rows: HashMap<Uuid, units::Model> =
        units::active_in(c, unit_ids.clone()).await?.into_iter().map(|u| (u.id, u)).collect();
    let mut officers: HashMap<Uuid, Vec<String>> = HashMap::new();
    for u in users::active_officers_of(c, unit_ids).await? {
        if let Some(unit) = u.unit_id {
            officers.entry(unit).or_default().push(u.email);
        }
    }
    let issuer_names: HashMap<Uuid, String> = issuers::all(c).await?.into_iter().map(|i| (i.id, i.full_name)).collect();
    let mut digests = Vec::new();
    for (unit_id, mut tasks) in by_unit {
        let Some(unit) = unit_rows.get(&unit_id) else { continue };
        tasks.sort_by_key(|t| natural(&t.code));
        let mut addresses: Vec<String> = json_list(&unit.emails);
        addresses.extend(officers.remove(&unit_id).unwrap_or_default());
        let mut seen = HashSet::new();
        addresses.retain(|a| seen.insert(a.to_lowercase()));
        if addresses.is_empty() {
            tracing::warn!(unit = %unit.name, "no address to remind");
            continue;
        }
        digests.push(Digest {
            unit_id,
            unit: unit.name.clone(),
            issuer: issuer_names.get(&unit.issuer_id).cloned().unwrap_or_default(),
            issuer_id: unit.issuer_id,
            addresses,
            tasks,
        });
    }
    Ok(digests)
}

/// "1.10" after "1.9".
fn natural(code: &str) -> Vec<u64> {
    code.split('.').map(|p| p.parse().unwrap_or(u64::MAX)).collect()
}

/// Enqueues today's digests; returns what was queued. Safe to call any number of times.
pub async fn send_reminders(db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<Digest>> {
    let today = local_date(now);
    let planned = plan_reminders(db, policy, now).await?;
    let mut queued = Vec::new();
    for mut digest in planned {
        let txn = db.begin_write().await?;
        let key = format!("reminder:{}:{today}", digest.unit_id);
        let mut fresh = Vec::new();
        for t in digest.tasks {
            let row = reminders_sent::Model {
                task_id: t.task_id,
                threshold: t.threshold.clone(),
                at: now,
                outbox_key: key.clone(),
            };
            if reminders_sent::record(&*txn, row).await? {
                fresh.push(t);
            }
        }
        if fresh.is_empty() {
            continue;
        }
        digest.tasks = fresh;
        let rendered = crate::mail::render(
            "reminder.j2",
            serde_json::json!({
                "unit": digest.unit, "issuer": digest.issuer, "date": short_date(today), "tasks": digest.tasks,
            }),
        )
        .map_err(|e| AppError::Internal(format!("reminder template: {e}")))?;
        for addr in &digest.addresses {
            let msg = NewMessage {
                key: format!("{key}:{addr}"),
                kind: crate::domain::MailKind::Reminder,
                to: addr.clone(),
                recipient_label: Some(digest.unit.clone()),
                subject: rendered.subject.clone(),
                text: rendered.text.clone(),
                html: rendered.html.clone(),
                attachment: None,
                document_id: None,
                unit_id: Some(digest.unit_id),
                issuer_id: Some(digest.issuer_id),
            };
            enqueue(&*txn, now, msg).await?;
        }
        txn.commit().await?;
        queued.push(digest);
    }
    Ok(queued)
}

/// Parses "2024-12-08" or an RFC 3339 time for `nhiemvu remind --at`.
pub fn parse_at(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    // 08:00 in Vietnam.
    Ok(d.and_hms_opt(1, 0, 0).expect("valid time").and_utc())
}

/// The server's reminder days as the domain rules take them.
pub fn policy(s: &crate::config::ReminderSettings) -> crate::domain::reminder::Policy {
    crate::domain::reminder::Policy {
        offsets: s.offsets_days.clone(),
        overdue_every: s.overdue_every_days,
        working_days: s.working_days,
        holidays: s.holidays.iter().copied().collect(),
        workdays: s.workdays.iter().copied().collect(),
    }
}
