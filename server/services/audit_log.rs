//! Reading the audit log: an office's administrator reads its office's events, a
//! server administrator the offices' own records and what they did themselves.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access::Action;
use crate::error::Result;
use crate::model::{AuditEvent, Page, Paging};
use crate::storage::Db;
use crate::storage::audit::{self, Actor};

/// Filter for [`list_audit`].
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Table, e.g. "results".
    pub entity: Option<String>,
    /// One record.
    pub entity_id: Option<Uuid>,
    /// One user.
    pub actor_id: Option<Uuid>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Events, newest first.
pub async fn list_audit(db: &Db, actor: &Actor, f: AuditFilter, paging: Paging) -> Result<Page<AuditEvent>> {
    let office = super::access::allowed(actor, Action::ReadAudit);
    let server = super::access::allowed(actor, Action::ManageServer);
    if !office && !server {
        return Err(crate::error::AppError::Forbidden);
    }
    let scope = actor.role.map(|_| audit::Scope {
        office: office.then_some(actor.issuer_id).flatten(),
        server_admin: server.then_some(actor.user_id).flatten(),
    });
    let filter =
        audit::Filter { entity: f.entity, entity_id: f.entity_id, actor_id: f.actor_id, from: f.from, to: f.to, scope };
    let (rows, total) = audit::page(&db.conn, filter, paging.offset(), paging.per_page).await?;
    let items = rows
        .into_iter()
        .map(|e| AuditEvent {
            id: e.id,
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            client_addr: e.client_addr,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
        .collect();
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}
