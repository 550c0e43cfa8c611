//! The outbox: mail waiting, sent or failed.

super::rows::rows!(outbox, "message");

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TryInsertResult,
};
use uuid::Uuid;

use super::entities::outbox;

/// Inserts the message unless one with its idempotency key is queued; whether it is new.
pub async fn insert_new(c: &impl ConnectionTrait, m: Model) -> Result<bool, DbErr> {
    let r = outbox::Entity::insert(m.into_active_model().reset_all())
        .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
        .exec(c)
        .await?;
    Ok(matches!(r, TryInsertResult::Inserted(_)))
}

/// Claims for `instance` until `until`, in one statement, up to `limit` messages due
/// at `now` (pending and due, or sending under a claim that ran out), soonest first,
/// counting an attempt for each: SKIP LOCKED on PostgreSQL, the single writer on
/// SQLite, so two dispatchers never hold the same message. The claimed rows.
pub async fn claim_due(
    c: &impl ConnectionTrait,
    instance: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let backend = c.get_database_backend();
    let lock = if backend == DatabaseBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let p = |n: usize| if backend == DatabaseBackend::Postgres { format!("${n}") } else { "?".to_owned() };
    let sql = format!(
        "UPDATE outbox SET state = 'sending', claimed_by = {}, claimed_until = {}, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE (state = 'pending' AND next_attempt_at <= {}) \
         OR (state = 'sending' AND claimed_until < {}) ORDER BY next_attempt_at LIMIT {} {lock}) RETURNING *",
        p(1),
        p(2),
        p(3),
        p(4),
        limit
    );
    let stmt = Statement::from_sql_and_values(backend, sql, [instance.into(), until.into(), now.into(), now.into()]);
    outbox::Entity::find().from_raw_sql(stmt).all(c).await
}

/// One page of the messages, newest first, of `issuer`, in `state` and for
/// `document` when given, and how many in all.
pub async fn page(
    c: &impl ConnectionTrait,
    issuer: Option<Uuid>,
    state: Option<String>,
    document: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut q = outbox::Entity::find().order_by_desc(outbox::Column::Id);
    if let Some(i) = issuer {
        q = q.filter(outbox::Column::IssuerId.eq(i));
    }
    if let Some(s) = state {
        q = q.filter(outbox::Column::State.eq(s));
    }
    if let Some(d) = document {
        q = q.filter(outbox::Column::DocumentId.eq(d));
    }
    let total = q.clone().count(c).await?;
    let rows = q.offset(offset).limit(limit).all(c).await?;
    Ok((rows, total))
}

/// How many messages have an idempotency key starting with `prefix`.
pub async fn count_with_key_prefix(c: &impl ConnectionTrait, prefix: &str) -> Result<u64, DbErr> {
    outbox::Entity::find().filter(outbox::Column::IdempotencyKey.starts_with(prefix)).count(c).await
}

/// The message with idempotency key `key`.
pub async fn by_key(c: &impl ConnectionTrait, key: &str) -> Result<Option<Model>, DbErr> {
    outbox::Entity::find().filter(outbox::Column::IdempotencyKey.eq(key)).one(c).await
}

/// Writes what sending `m` came to, and only that: its claim ends, it is in
/// `state` with `last_error`, and when given it was sent at `sent_at` or is tried
/// again at `next_attempt_at`.
pub async fn settle(
    c: &impl ConnectionTrait,
    m: Model,
    state: crate::domain::OutboxState,
    last_error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    next_attempt_at: Option<DateTime<Utc>>,
) -> Result<Model, DbErr> {
    use sea_orm::Set;
    let mut am: outbox::ActiveModel = m.into();
    am.claimed_by = Set(None);
    am.claimed_until = Set(None);
    am.state = Set(state);
    am.last_error = Set(last_error);
    if let Some(t) = sent_at {
        am.sent_at = Set(Some(t));
    }
    if let Some(t) = next_attempt_at {
        am.next_attempt_at = Set(t);
    }
    am.update(c).await
}
