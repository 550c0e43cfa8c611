//! The append-only audit log: one event per mutation, written in the mutation's
//! transaction and chained by SHA-256 so a removed or edited event is detectable.
//!
//! Every mutation appends an event (actor, action, entity, before, after, time, client
//! address) in its own transaction. Events carry `seq`, `prev_hash` and `hash =
//! SHA-256(canonical JSON of the event and prev_hash)`; `nhiemvu audit verify` walks the
//! chain. On PostgreSQL an advisory transaction lock serialises appenders.

use super::entities::audit_events;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, QueryOrder, QuerySelect};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something, and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The user, or `None` for the system itself (demo load, scheduler, CLI).
    pub user_id: Option<Uuid>,
    /// The client's address, when the action came over HTTP.
    pub client_addr: Option<String>,
    /// The user's role; `None` for the system, which may do anything.
    pub role: Option<crate::domain::Role>,
    /// The user's issuer.
    pub issuer_id: Option<Uuid>,
    /// The user's unit (unit officers).
    pub unit_id: Option<Uuid>,
    /// The user administers the server (creates offices, appoints their administrators).
    pub server_admin: bool,
    /// The database's revision read with the session, for requests that change
    /// nothing: kept reads are checked against it without asking again (see
    /// [`super::cache`]). `None` where the action may have written first.
    pub seen_rev: Option<i64>,
}

impl Actor {
    /// The server acting on its own.
    pub fn system() -> Actor {
        Actor::default()
    }
}

/// One change to record.
#[derive(Debug)]
pub struct Change<'a> {
    /// What was done.
    pub action: crate::domain::AuditAction,
    /// Table name, e.g. "tasks".
    pub entity: &'a str,
    /// The record changed.
    pub entity_id: Option<Uuid>,
    /// The record before (None on create).
    pub before: Option<Value>,
    /// The record after (None on delete).
    pub after: Option<Value>,
}

/// Appends `change` to the chain inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<(), sea_orm::DbErr> {
    record_many(db, actor, at, vec![change]).await
}

/// Appends many events in order (a bulk import): the chain's head is read once, the
/// hashes are chained in memory and the rows inserted a few hundred at a time, inside
/// the caller's transaction. The same chain as that many [`record`] calls.
pub async fn record_many<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    at: DateTime<Utc>,
    changes: Vec<Change<'_>>,
) -> Result<(), sea_orm::DbErr> {
    if changes.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Serialise appenders across connections and instances until commit.
        db.execute_unprepared("SELECT pg_advisory_xact_lock(7340032)").await?;
    }
    let mut offices = Offices::default();
    let mut issuers = Vec::with_capacity(changes.len());
    for change in &changes {
        issuers.push(offices.of(db, actor, change).await?);
    }
    let last = audit_events::Entity::find().order_by_desc(audit_events::Column::Seq).limit(1).one(db).await?;
    let (mut seq, mut prev_hash) = last.map_or((1, GENESIS.to_owned()), |e| (e.seq + 1, e.hash));
    let mut rows = Vec::with_capacity(changes.len());
    for (change, issuer_id) in changes.into_iter().zip(issuers) {
        let mut event = audit_events::Model {
            id: Uuid::now_v7(),
            seq,
            at,
            actor_id: actor.user_id,
            action: change.action,
            entity: change.entity.to_owned(),
            entity_id: change.entity_id,
            before: change.before,
            after: change.after,
            client_addr: actor.client_addr.clone(),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
            issuer_id,
        };
        event.hash = hash_of(&event);
        prev_hash = event.hash.clone();
        seq += 1;
        rows.push(audit_events::ActiveModel::from(event));
    }
    // 12 columns a row: well under every backend's bound on parameters.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        audit_events::Entity::insert_many(chunk).exec(db).await?;
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Every instance hears the new head when this commits (see `notify`).
        db.execute_unprepared(&super::notify::announce_sql(seq - 1)).await?;
    }
    Ok(())
}

/// Which office each event belongs to, so an office reads its own events only: the
/// issuer itself, the issuer its record names, the office of the user acting (an
/// office's users act in their office only), or the office of the plan, task or
/// user the record hangs from. Lookups are remembered for one append.
#[derive(Default)]
struct Offices {
    plans: std::collections::HashMap<Uuid, Option<Uuid>>,
    tasks: std::collections::HashMap<Uuid, Option<Uuid>>,
}

impl Offices {
    async fn of<C: ConnectionTrait>(
        &mut self,
        db: &C,
        actor: &Actor,
        change: &Change<'_>,
    ) -> Result<Option<Uuid>, sea_orm::DbErr> {
        use super::entities::{plans, tasks, users};
        if change.entity == "issuers" {
            return Ok(change.entity_id);
        }
        let field = |name: &str| {
            [&change.after, &change.before]
                .into_iter()
                .flatten()
                .find_map(|v| v.get(name).and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok()))
        };
        if let Some(issuer) = field("issuer_id") {
            return Ok(Some(issuer));
        }
        if actor.issuer_id.is_some() && !actor.server_admin {
            return Ok(actor.issuer_id);
        }
        let plan = match (field("plan_id"), field("task_id")) {
            (Some(plan), _) => Some(plan),
            (None, Some(task)) => match self.tasks.get(&task) {
                Some(plan) => *plan,
                None => {
                    let plan = tasks::Entity::find_by_id(task).one(db).await?.map(|t| t.plan_id);
                    self.tasks.insert(task, plan);
                    plan
                }
            },
            (None, None) => None,
        };
        if let Some(plan) = plan {
            if let Some(issuer) = self.plans.get(&plan) {
                return Ok(*issuer);
            }
            let issuer = plans::Entity::find_by_id(plan).one(db).await?.map(|p| p.issuer_id);
            self.plans.insert(plan, issuer);
            return Ok(issuer);
        }
        if let Some(user) = field("user_id") {
            return Ok(users::Entity::find_by_id(user).one(db).await?.map(|u| u.issuer_id));
        }
        Ok(actor.issuer_id)
    }
}

/// The hash of an event: SHA-256 over its canonical JSON, without its own hash.
pub fn hash_of(e: &audit_events::Model) -> String {
    let canonical = serde_json::json!([
        e.prev_hash,
        e.seq,
        e.at.timestamp_micros(),
        e.actor_id,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after,
        e.client_addr,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Walks the chain in order; returns the first broken sequence number, if any.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, sea_orm::DbErr> {
    let events = audit_events::Entity::find().order_by_asc(audit_events::Column::Seq).all(db).await?;
    let mut prev = GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as i64 + 1 || e.prev_hash != prev || hash_of(e) != e.hash {
            return Ok(Some(i as i64 + 1));
        }
        prev = e.hash.clone();
    }
    Ok(None)
}

impl<'a> Change<'a> {
    /// A change of the record `entity_id` of table `entity`: the records before and
    /// after, as they serialise (`None` on create, on delete).
    pub fn of<M: serde::Serialize>(
        action: crate::domain::AuditAction,
        entity: &'a str,
        entity_id: Uuid,
        before: Option<&M>,
        after: Option<&M>,
    ) -> Change<'a> {
        let to_json = |m: Option<&M>| m.map(|m| serde_json::to_value(m).unwrap_or(serde_json::Value::Null));
        Change { action, entity, entity_id: Some(entity_id), before: to_json(before), after: to_json(after) }
    }
}

/// Which events a reader asks for: each filter given holds.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Of this table.
    pub entity: Option<String>,
    /// Of this record.
    pub entity_id: Option<Uuid>,
    /// By this user.
    pub actor_id: Option<Uuid>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// What the reader may see; `None`: every event (the system).
    pub scope: Option<Scope>,
}

/// The events a reader may see: those of their office, and for a server
/// administrator the offices' own records (created, changed, removed) and what they
/// did themselves.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// Events of this office.
    pub office: Option<Uuid>,
    /// This server administrator's own events and every office's record.
    pub server_admin: Option<Uuid>,
}

/// One page of the events `f` keeps, newest first, and how many it keeps in all.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    f: Filter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<audit_events::Model>, u64), sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
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
    if let Some(scope) = f.scope {
        let mut any = sea_orm::Condition::any();
        if let Some(office) = scope.office {
            any = any.add(audit_events::Column::IssuerId.eq(office));
        }
        if let Some(me) = scope.server_admin {
            any = any.add(audit_events::Column::Entity.eq("issuers")).add(audit_events::Column::ActorId.eq(me));
        }
        q = q.filter(any);
    }
    let total = q.clone().count(db).await?;
    let rows = q.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// The events on one record (`entity`, `entity_id`), oldest first.
fn events_query(entity: &str, entity_id: Uuid) -> sea_orm::Select<audit_events::Entity> {
    use sea_orm::{ColumnTrait, QueryFilter};
    audit_events::Entity::find()
        .filter(audit_events::Column::Entity.eq(entity))
        .filter(audit_events::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_events::Column::Seq)
}

/// The events on one record (`entity`, `entity_id`), oldest first and at most
/// 500, kept to `actions` when given.
pub async fn events_of<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    entity_id: Uuid,
    actions: Option<&[&str]>,
) -> Result<Vec<audit_events::Model>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut q = events_query(entity, entity_id);
    if let Some(a) = actions {
        q = q.filter(audit_events::Column::Action.is_in(a.iter().copied()));
    }
    q.limit(500).all(db).await
}

/// Every event on one record (`entity`, `entity_id`), oldest first.
pub async fn all_events_of<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    entity_id: Uuid,
) -> Result<Vec<audit_events::Model>, sea_orm::DbErr> {
    events_query(entity, entity_id).all(db).await
}
