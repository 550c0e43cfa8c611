//! Applying the roles of `domain::access` to records: the action check (403) and
//! the scope check (404, so a record out of scope is not even confirmed to exist).

use uuid::Uuid;

use crate::domain::Role;
use crate::domain::access::{Action, allows};
use crate::error::{AppError, Result};
use crate::storage::audit::Actor;
use crate::storage::{Conn, plans, task_cooperators, tasks};

/// Whether the actor may do `action`: the system may do anything, a server
/// administrator administers the server, and an office role grants the rest.
pub(crate) fn allowed(actor: &Actor, action: Action) -> bool {
    match (actor.role, action) {
        (None, _) => true,
        (Some(_), Action::ManageServer) => actor.server_admin,
        (Some(role), action) => allows(role, action),
    }
}

/// Fails with `Forbidden` unless the actor may do `action`.
pub(crate) fn require(actor: &Actor, action: Action) -> Result<()> {
    if allowed(actor, action) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Whether records of `issuer_id` are in the actor's scope: their own office's (the
/// system's: every office's).
pub(crate) fn in_scope(actor: &Actor, issuer_id: Uuid) -> bool {
    actor.role.is_none() || actor.issuer_id == Some(issuer_id)
}

/// Fails with `NotFound` when a record of `issuer_id` is out of the actor's scope.
pub(crate) fn check_scope(actor: &Actor, issuer_id: Uuid, entity: &'static str) -> Result<()> {
    if in_scope(actor, issuer_id) { Ok(()) } else { Err(AppError::NotFound { entity }) }
}

/// The issuer a list must be limited to (`None`: every issuer, for the system).
pub(crate) fn issuer_filter(actor: &Actor) -> Option<Uuid> {
    actor.role.map(|_| actor.issuer_id.unwrap_or(Uuid::nil()))
}

/// Fails with `Forbidden` unless the actor administers some people: an office's
/// administrator or a server administrator ([`administers_user`] says whom).
pub(crate) fn require_people(actor: &Actor) -> Result<()> {
    if allowed(actor, Action::ManageOrganisation) || allowed(actor, Action::ManageServer) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the actor administers the account of a user of `issuer_id` with `role`
/// (an existing account or one being made): their office's administrator for the
/// office's people, a server administrator for every office's administrators.
/// Only a server administrator makes or changes a server administrator.
pub(crate) fn administers_user(actor: &Actor, issuer_id: Uuid, role: Role) -> Result<()> {
    let by_server = allowed(actor, Action::ManageServer) && matches!(role, Role::Admin | Role::ServerAdmin);
    if by_server {
        return Ok(());
    }
    if !allowed(actor, Action::ManageOrganisation) || role == Role::ServerAdmin {
        return Err(AppError::Forbidden);
    }
    check_scope(actor, issuer_id, "user")
}

/// The unit a unit officer is limited to.
pub(crate) fn unit_scope(actor: &Actor) -> Option<Uuid> {
    (actor.role == Some(Role::UnitOfficer)).then(|| actor.unit_id.unwrap_or(Uuid::nil()))
}

/// Whether a unit officer's unit leads or co-operates on `task`.
async fn takes_part<C: Conn>(db: &C, unit: Uuid, task: &tasks::Model) -> Result<bool> {
    if task.lead_unit_id == Some(unit) {
        return Ok(true);
    }
    Ok(task_cooperators::co_operates(db, task.id, unit).await?)
}

/// Fails with `NotFound` unless the actor may see `task` (its issuer; for a unit
/// officer, a task their unit leads or co-operates on).
pub(crate) async fn check_task_visible<C: Conn>(db: &C, actor: &Actor, task: &tasks::Model) -> Result<()> {
    let plan = crate::storage::plans::get(db, task.plan_id).await?;
    check_scope(actor, plan.issuer_id, "task")?;
    if let Some(unit) = unit_scope(actor)
        && !takes_part(db, unit, task).await?
    {
        return Err(AppError::NotFound { entity: "task" });
    }
    Ok(())
}

/// For writing a task's result: visible, and for a unit officer, led by their unit
/// (co-operating units read but do not write the lead unit's account).
pub(crate) async fn check_task_writable<C: Conn>(db: &C, actor: &Actor, task: &tasks::Model) -> Result<()> {
    check_task_visible(db, actor, task).await?;
    match unit_scope(actor) {
        Some(unit) if task.lead_unit_id != Some(unit) => Err(AppError::Forbidden),
        _ => Ok(()),
    }
}

/// Fails with `NotFound` when the plan's issuer is out of scope; returns the plan.
pub(crate) async fn plan_in_scope<C: Conn>(db: &C, actor: &Actor, plan_id: Uuid) -> Result<plans::Model> {
    let plan = crate::storage::plans::get(db, plan_id).await?;
    check_scope(actor, plan.issuer_id, "plan")?;
    Ok(plan)
}

/// Fails with `NotFound { entity }` when the plan's issuer is out of scope.
pub(crate) async fn check_plan_scope<C: Conn>(
    db: &C,
    actor: &Actor,
    plan_id: Uuid,
    entity: &'static str,
) -> Result<()> {
    let plan = crate::storage::plans::get(db, plan_id).await?;
    check_scope(actor, plan.issuer_id, entity)
}

/// Whether a plan named in a request body exists and is in scope.
pub(crate) async fn plan_ref_ok<C: Conn>(db: &C, actor: &Actor, plan_id: Uuid) -> Result<bool> {
    Ok(plans::find(db, plan_id).await?.is_some_and(|p| in_scope(actor, p.issuer_id)))
}
