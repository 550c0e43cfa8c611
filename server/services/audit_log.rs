//! Reading the audit log (administrators).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::access::require;
use crate::domain::access::Action;
use crate::error::Result;
use crate::model::{AuditEvent, Page, Paging};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::audit_events;

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
    require(actor, Action::ReadAudit)?;
    let mut q = audit_events::Entity::find().order_by_desc(audit_events::Column::Seq);
    if let Some(e) = f.entity {
        q = q.filter(audit_events::Column::Entity.eq(e));
    }
    if let Some(e) = f.entity_id {
        q = q.filter(audit_events::Column::EntityId.eq(e));
    }
    if let Some(a) = f.actor_id {
        q = q.filter(audit_events::Column::ActorId.eq(a));
    }
    if let Some(t) = f.from {
        q = q.filter(audit_events::Column::At.gte(t));
    }
    if let Some(t) = f.to {
        q = q.filter(audit_events::Column::At.lt(t));
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = q.offset(paging.offset()).limit(paging.per_page).all(&db.conn).await?;
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
