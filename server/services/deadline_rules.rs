//! An issuer's deadline rules: who decides a request to move or withdraw a task, when
//! an overdue task is told to the chairman or gets an urging letter drafted, and when a
//! task is "Nguy cơ chậm". Defaults until the office's administrator changes them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_scope, require};
use super::audited;
use crate::domain::AuditAction;
use crate::domain::access::Action;
use crate::domain::deadlines::DeadlineRules;
use crate::error::{AppError, Check, Result};
use crate::model::DeadlineRulesInput;
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, issuers};

/// The rules kept with `issuer` (the defaults where none are set).
pub(crate) fn of_row(issuer: &issuers::Model) -> DeadlineRules {
    issuer.deadline_rules.as_ref().and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

/// The rules of `issuer_id`, read inside the caller's transaction.
pub(crate) async fn rules_of<C: Conn>(c: &C, issuer_id: Uuid) -> Result<DeadlineRules> {
    Ok(issuers::find(c, issuer_id).await?.as_ref().map(of_row).unwrap_or_default())
}

/// The issuer's deadline rules, for anyone of the office.
pub async fn get_rules(db: &Db, actor: &Actor, issuer_id: Uuid) -> Result<DeadlineRulesInput> {
    require(actor, Action::Read)?;
    check_scope(actor, issuer_id, "issuer")?;
    let issuer = issuers::get(&db.conn, issuer_id).await?;
    Ok(of_row(&issuer).into())
}

/// Replaces the issuer's deadline rules (its administrator).
pub async fn set_rules(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    issuer_id: Uuid,
    input: DeadlineRulesInput,
) -> Result<DeadlineRulesInput> {
    require(actor, Action::ManageOrganisation)?;
    check_scope(actor, issuer_id, "issuer")?;
    let rules: DeadlineRules = input.into();
    let mut check = Check::new();
    for (field, message) in rules.problems() {
        check.add(field, message);
    }
    check.finish()?;
    let txn = db.begin_write().await?;
    let before = issuers::get(&*txn, issuer_id).await?;
    let mut after = before.clone();
    after.deadline_rules =
        Some(serde_json::to_value(rules).map_err(|e| AppError::Internal(format!("deadline rules: {e}")))?);
    after.updated_at = now;
    let after = issuers::save(&*txn, after).await?;
    audited(
        &*txn,
        actor,
        now,
        super::Change::of(AuditAction::SetRules, "issuers", issuer_id, Some(&before), Some(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(of_row(&after).into())
}
