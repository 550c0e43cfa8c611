//! A task's follow-ups as the API and the pages show them: each line with who opened
//! and closed it, the urging letter's number once issued, whether an explanation is
//! overdue, and the sentence the task's history tells; and what awaits each role.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::access::{check_scope, check_task_visible, require, unit_scope};
use super::local_date;
use crate::domain::access::Action;
use crate::domain::format::short_date;
use crate::domain::{FollowUpKind as K, FollowUpState as S, Role};
use crate::error::Result;
use crate::model::FollowUp;
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, documents, follow_ups, issuers, tasks};

/// The task's follow-ups, oldest first, as `actor` may see them.
pub async fn task_follow_ups(db: &Db, actor: &Actor, today: NaiveDate, task_id: Uuid) -> Result<Vec<FollowUp>> {
    require(actor, Action::Read)?;
    let task = tasks::get(&db.conn, task_id).await?;
    check_task_visible(&db.conn, actor, &task).await?;
    let rows = follow_ups::of_task(&db.conn, task_id).await?;
    to_models(&db.conn, rows, today).await
}

/// The open follow-ups waiting for `actor`: requests to decide (the office, or the
/// chairman where the issuer's rules say so), the escalations told to the chairman,
/// and for a unit officer the explanation requests and directions on their unit's tasks.
pub async fn awaiting(db: &Db, actor: &Actor, today: NaiveDate) -> Result<Vec<FollowUp>> {
    require(actor, Action::Read)?;
    let Some(issuer) = actor.issuer_id else { return Ok(Vec::new()) };
    check_scope(actor, issuer, "issuer")?;
    let rules = super::deadline_rules::rules_of(&db.conn, issuer).await?;
    let kinds: Vec<K> = match actor.role {
        Some(Role::Signer) if rules.signer_decides => vec![K::Extension, K::Withdrawal, K::Escalation],
        Some(Role::Signer) => vec![K::Escalation],
        Some(Role::Office | Role::Admin) if !rules.signer_decides => vec![K::Extension, K::Withdrawal],
        Some(Role::UnitOfficer) => vec![K::Explanation, K::Direction],
        _ => Vec::new(),
    };
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = follow_ups::open_of_issuer(&db.conn, issuer, &kinds, 500).await?;
    if let Some(unit) = unit_scope(actor) {
        rows.retain(|r| r.unit_id == Some(unit));
    }
    // An escalation waits on the chairman while its task is still late.
    let mut items = to_models(&db.conn, rows, today).await?;
    items.retain(|f| f.kind != K::Escalation || f.level == Some(1));
    Ok(items)
}

/// How many explanation requests and directions wait for a unit officer's answer
/// (the count beside the inbox); 0 for everyone else.
pub async fn waiting_for_unit(db: &Db, actor: &Actor) -> Result<u64> {
    match unit_scope(actor) {
        Some(unit) => Ok(follow_ups::count_open_of_unit(&db.conn, unit, &[K::Explanation, K::Direction]).await?),
        None => Ok(0),
    }
}

/// Turns rows into the API's records (names, task codes, letter numbers read once).
pub(crate) async fn to_models<C: Conn>(c: &C, rows: Vec<follow_ups::Model>, today: NaiveDate) -> Result<Vec<FollowUp>> {
    let ids: Vec<Uuid> = rows.iter().flat_map(|r| [r.opened_by, r.closed_by]).flatten().collect();
    let people = crate::storage::queries::user_names(c, ids).await?;
    let task_ids: Vec<Uuid> =
        rows.iter().map(|r| r.task_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let codes: HashMap<Uuid, String> = tasks::in_ids(c, &task_ids).await?.into_iter().map(|t| (t.id, t.code)).collect();
    let mut symbols: HashMap<Uuid, Option<String>> = HashMap::new();
    for id in rows.iter().filter_map(|r| r.document_id) {
        if symbols.contains_key(&id) {
            continue;
        }
        let symbol = match documents::find(c, id).await? {
            Some(d) if d.number.is_some() => {
                let abbr = issuers::find(c, d.issuer_id).await?.map(|i| i.abbreviation).unwrap_or_default();
                let sym = crate::services::documents::records::symbol(d.kind, &abbr, d.drafting_unit.as_deref());
                Some(format!("{}/{sym}", d.number.unwrap_or_default()))
            }
            _ => None,
        };
        symbols.insert(id, symbol);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let symbol = r.document_id.and_then(|d| symbols.get(&d).cloned().flatten());
            let overdue = r.kind == K::Explanation && r.state == S::Open && r.asked_on.is_some_and(|d| d < today);
            let summary = summary(&r, symbol.as_deref(), overdue);
            FollowUp {
                id: r.id,
                task_id: r.task_id,
                task_code: codes.get(&r.task_id).cloned().unwrap_or_default(),
                unit_id: r.unit_id,
                kind: r.kind,
                state: r.state,
                asked_on: r.asked_on.map(Into::into),
                granted_on: r.granted_on.map(Into::into),
                answer: r.answer.clone(),
                decision_reason: r.decision_reason.clone(),
                document_id: r.document_id,
                document_symbol: symbol,
                level: r.level,
                opened_by: r.opened_by.and_then(|u| people.get(&u).cloned()),
                opened_at: r.opened_at,
                closed_by: r.closed_by.and_then(|u| people.get(&u).cloned()),
                closed_at: r.closed_at,
                overdue,
                summary,
                body: r.body,
            }
        })
        .collect())
}

/// The sentence a follow-up adds to the task's history.
pub(crate) fn summary(r: &follow_ups::Model, symbol: Option<&str>, overdue: bool) -> String {
    let date = |d: Option<NaiveDate>| d.map(short_date).unwrap_or_default();
    let decided = || match r.state {
        S::Open => " — chờ quyết định".to_owned(),
        S::Approved => match r.kind {
            K::Extension => format!(" — Đồng ý, hạn mới {}", date(r.granted_on)),
            _ => " — Đồng ý rút nhiệm vụ".to_owned(),
        },
        S::PartlyApproved => format!(
            " — Đồng ý một phần, hạn mới {} ({})",
            date(r.granted_on),
            r.decision_reason.as_deref().unwrap_or_default()
        ),
        S::Refused => format!(" — Không đồng ý ({})", r.decision_reason.as_deref().unwrap_or_default()),
        _ => String::new(),
    };
    let answered = || match (&r.answer, overdue) {
        (Some(a), _) => format!(" — Trả lời: {a}"),
        (None, true) => " — quá hạn trả lời".to_owned(),
        (None, false) => String::new(),
    };
    match r.kind {
        K::Extension => format!("Đề xuất gia hạn đến {}: {}{}", date(r.asked_on), r.body, decided()),
        K::Withdrawal => format!("Đề xuất rút nhiệm vụ: {}{}", r.body, decided()),
        K::Explanation => format!("Yêu cầu giải trình (trả lời trước {}): {}{}", date(r.asked_on), r.body, answered()),
        K::Direction => format!("Ý kiến chỉ đạo: {}{}", r.body, answered()),
        K::Urging => {
            let when = short_date(local_date(r.opened_at));
            match (r.document_id, symbol) {
                (Some(_), Some(s)) => format!("Đã đôn đốc ngày {when}, văn bản số {s}"),
                (Some(_), None) => format!("Đôn đốc ngày {when} bằng công văn (dự thảo, chưa ban hành)"),
                (None, _) => format!("Đã đôn đốc ngày {when} bằng thư nhắc"),
            }
        }
        K::Escalation => r.body.clone(),
    }
}
