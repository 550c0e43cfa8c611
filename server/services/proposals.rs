//! Proposals: the tasks a report proposes for next year, in three sections.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_plan_scope, in_scope, require};
use super::{audited, unknown_ref};
use crate::domain::ProposalSection;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Proposal, ProposalInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{plans, proposals, units};

const ENTITY: &str = "proposals";

async fn validate<C: Conn>(db: &C, actor: &Actor, i: &ProposalInput) -> Result<()> {
    Check::new()
        .required("text", &i.text)
        .paragraphs("text", &i.text, text::TEXT)
        .opt_line("place", i.place.as_deref(), text::NAME)
        .fail_if(
            i.section.parse::<ProposalSection>().is_err(),
            "section",
            &format!("Phải là / must be one of: {}", ProposalSection::codes()),
        )
        .fail_if(i.position.is_some_and(|p| p < 1), "position", "Từ 1 trở lên / must be 1 or more")
        .finish()?;
    let plan = plans::find(db, i.plan_id)
        .await?
        .filter(|p| in_scope(actor, p.issuer_id))
        .ok_or_else(|| AppError::field("plan_id", unknown_ref("kế hoạch / plan")))?;
    if let Some(u) = i.unit_id {
        match units::find(db, u).await? {
            Some(unit) if unit.issuer_id == plan.issuer_id => {}
            _ => return Err(AppError::field("unit_id", unknown_ref("đơn vị / unit"))),
        }
    }
    Ok(())
}

fn to_model(m: proposals::Model) -> Proposal {
    Proposal {
        id: m.id,
        data: ProposalInput {
            plan_id: m.plan_id,
            section: m.section.into(),
            position: Some(m.position),
            text: m.text,
            unit_id: m.unit_id,
            place: m.place,
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Adds a proposal to a plan.
pub async fn create_proposal(db: &Db, actor: &Actor, now: DateTime<Utc>, input: ProposalInput) -> Result<Proposal> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    validate(&*txn, actor, &input).await?;
    super::integrity::ensure_plan_open(&*txn, input.plan_id).await?;
    let position = match input.position {
        Some(p) => p,
        None => {
            let last = proposals::last_in_section(&*txn, input.plan_id, input.section.as_str()).await?;
            super::position_after(last.map(|p| p.position), 10_000)?
        }
    };
    let m = proposals::Model {
        id: Uuid::now_v7(),
        plan_id: input.plan_id,
        section: input.section.checked("section")?,
        position,
        text: input.text,
        unit_id: input.unit_id,
        place: input.place.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
        created_at: now,
        updated_at: now,
    };
    let m = proposals::insert(&*txn, m).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One proposal.
pub async fn get_proposal(db: &Db, actor: &Actor, id: Uuid) -> Result<Proposal> {
    require(actor, Action::Read)?;
    let m = proposals::get(&db.conn, id).await?;
    check_plan_scope(&db.conn, actor, m.plan_id, "proposal").await?;
    Ok(to_model(m))
}

/// Replaces a proposal's fields (it stays with its plan).
pub async fn update_proposal(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: ProposalInput,
) -> Result<Proposal> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = proposals::get(&*txn, id).await?;
    check_plan_scope(&*txn, actor, before.plan_id, "proposal").await?;
    if before.plan_id != input.plan_id {
        return Err(AppError::field(
            "plan_id",
            "Đề xuất không chuyển sang kế hoạch khác / a proposal stays with its plan",
        ));
    }
    validate(&*txn, actor, &input).await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    let mut after = before.clone();
    after.section = input.section.checked("section")?;
    if let Some(p) = input.position {
        after.position = p;
    }
    after.text = input.text;
    after.unit_id = input.unit_id;
    after.place = input.place.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    after.updated_at = now;
    let after = proposals::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a proposal.
pub async fn delete_proposal(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = proposals::get(&*txn, id).await?;
    check_plan_scope(&*txn, actor, before.plan_id, "proposal").await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    proposals::remove(&*txn, id).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// A plan's proposals, by section then position.
pub async fn list_proposals(db: &Db, actor: &Actor, plan_id: Uuid, section: Option<String>) -> Result<Vec<Proposal>> {
    require(actor, Action::Read)?;
    check_plan_scope(&db.conn, actor, plan_id, "plan").await?;
    let rows = proposals::of_plan(&db.conn, plan_id, section.as_deref()).await?;
    let mut items: Vec<Proposal> = rows.into_iter().map(to_model).collect();
    let rank = |s: &str| ProposalSection::ALL.iter().position(|x| x.code() == s).unwrap_or(usize::MAX);
    items.sort_by_key(|p| rank(&p.data.section));
    Ok(items)
}
