//! Who is told of a task's follow-up, and the one mail that tells them: the unit (its
//! addresses and its officers), the office, the chairman (the signers) or the person
//! who asked. Written into the outbox inside the follow-up's own transaction, with a
//! key per follow-up and address, so a retried action queues nothing twice.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::json_list;
use super::outbox::{NewMessage, enqueue};
use crate::domain::{MailKind, Role};
use crate::error::{AppError, Result};
use crate::storage::{Conn, issuers, units, users};

/// One message to queue.
pub(crate) struct Notice {
    /// Unique per follow-up (and step): the address is added.
    pub key: String,
    /// The office sending it.
    pub issuer_id: Uuid,
    /// The unit it concerns, if any.
    pub unit_id: Option<Uuid>,
    /// "Kính gửi: …".
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// What happened, one sentence.
    pub heading: String,
    /// The tasks or details, one line each.
    pub lines: Vec<String>,
}

/// A unit's addresses and its active officers', each once.
pub(crate) async fn unit_addresses<C: Conn>(c: &C, unit_id: Uuid) -> Result<(String, Vec<String>)> {
    let Some(unit) = units::active_in(c, vec![unit_id]).await?.pop() else { return Ok((String::new(), Vec::new())) };
    let mut out: Vec<String> = json_list(&unit.emails);
    out.extend(users::active_officers_of(c, vec![unit_id]).await?.into_iter().map(|u| u.email));
    Ok((unit.name, dedup(out)))
}

/// The addresses of the issuer's active people in `roles`.
pub(crate) async fn role_addresses<C: Conn>(c: &C, issuer_id: Uuid, roles: &[Role]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for role in roles {
        out.extend(users::active_with_role(c, issuer_id, *role).await?.into_iter().map(|u| u.email));
    }
    Ok(dedup(out))
}

/// A person's address, if they are still active.
pub(crate) async fn person_address<C: Conn>(c: &C, user_id: Option<Uuid>) -> Result<Vec<String>> {
    let Some(id) = user_id else { return Ok(Vec::new()) };
    Ok(users::find(c, id).await?.filter(|u| u.deactivated_at.is_none()).map(|u| vec![u.email]).unwrap_or_default())
}

fn dedup(mut list: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    list.retain(|a| !a.trim().is_empty() && seen.insert(a.to_lowercase()));
    list
}

/// Queues `notice` to each address; how many were queued (a key already queued is skipped).
pub(crate) async fn send<C: Conn>(c: &C, now: DateTime<Utc>, notice: &Notice, addresses: &[String]) -> Result<u32> {
    if addresses.is_empty() {
        return Ok(0);
    }
    let issuer = issuers::find(c, notice.issuer_id).await?.map(|i| i.full_name).unwrap_or_default();
    let rendered = crate::mail::render(
        "follow_up.j2",
        serde_json::json!({
            "to": notice.to, "issuer": issuer, "subject": notice.subject, "heading": notice.heading,
            "lines": notice.lines,
        }),
    )
    .map_err(|e| AppError::Internal(format!("follow-up template: {e}")))?;
    let mut queued = 0;
    for addr in addresses {
        let msg = NewMessage {
            key: format!("{}:{addr}", notice.key),
            kind: MailKind::FollowUp,
            to: addr.clone(),
            recipient_label: Some(notice.to.clone()),
            subject: rendered.subject.clone(),
            text: rendered.text.clone(),
            html: rendered.html.clone(),
            attachment: None,
            document_id: None,
            unit_id: notice.unit_id,
            issuer_id: Some(notice.issuer_id),
        };
        if enqueue(c, now, msg).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
