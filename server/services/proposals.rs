//! Proposals: the tasks a report proposes for next year, in three sections.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::access::{check_plan_scope, in_scope, require};
use super::{audited, not_found, unknown_ref};
use crate::domain::ProposalSection;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Proposal, ProposalInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{plans, proposals, units};

const ENTITY: &str = "proposals";

async fn validate<C: ConnectionTrait>(db: &C, actor: &Actor, i: &ProposalInput) -> Result<()> {
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
    let plan = plans::Entity::find_by_id(i.plan_id)
        .one(db)
        .await?
        .filter(|p| in_scope(actor, p.issuer_id))
        .ok_or_else(|| AppError::field("plan_id", unknown_ref("kế hoạch / plan")))?;
    if let Some(u) = i.unit_id {
        match units::Entity::find_by_id(u).one(db).await? {
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
            let last = proposals::Entity::find()
                .filter(proposals::Column::PlanId.eq(input.plan_id))
                .filter(proposals::Column::Section.eq(input.section.as_str()))
                .order_by_desc(proposals::Column::Position)
                .one(&*txn)
                .await?;
            super::position_after(last.map(|p| p.position), 10_000)?
        }
    };
    let m = proposals::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(input.plan_id),
        section: Set(input.section.into()),
        position: Set(position),
        text: Set(input.text),
        unit_id: Set(input.unit_id),
        place: Set(input.place.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    audited(&*txn, actor, now, "create", ENTITY, m.id, None, Some(&m)).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One proposal.
pub async fn get_proposal(db: &Db, actor: &Actor, id: Uuid) -> Result<Proposal> {
    require(actor, Action::Read)?;
    let m = proposals::Entity::find_by_id(id).one(&db.conn).await?.ok_or_else(|| not_found("proposal"))?;
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
    let before = proposals::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("proposal"))?;
    check_plan_scope(&*txn, actor, before.plan_id, "proposal").await?;
    if before.plan_id != input.plan_id {
        return Err(AppError::field(
            "plan_id",
            "Đề xuất không chuyển sang kế hoạch khác / a proposal stays with its plan",
        ));
    }
    validate(&*txn, actor, &input).await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    let mut am: proposals::ActiveModel = before.clone().into();
    am.section = Set(input.section.into());
    if let Some(p) = input.position {
        am.position = Set(p);
    }
    am.text = Set(input.text);
    am.unit_id = Set(input.unit_id);
    am.place = Set(input.place.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()));
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a proposal.
pub async fn delete_proposal(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = proposals::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("proposal"))?;
    check_plan_scope(&*txn, actor, before.plan_id, "proposal").await?;
    super::integrity::ensure_plan_open(&*txn, before.plan_id).await?;
    proposals::Entity::delete_by_id(id).exec(&*txn).await?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// A plan's proposals, by section then position.
pub async fn list_proposals(db: &Db, actor: &Actor, plan_id: Uuid, section: Option<String>) -> Result<Vec<Proposal>> {
    require(actor, Action::Read)?;
    check_plan_scope(&db.conn, actor, plan_id, "plan").await?;
    let mut q = proposals::Entity::find().filter(proposals::Column::PlanId.eq(plan_id));
    if let Some(s) = section {
        q = q.filter(proposals::Column::Section.eq(s));
    }
    let rows = q.order_by_asc(proposals::Column::Position).order_by_asc(proposals::Column::Id).all(&db.conn).await?;
    let mut items: Vec<Proposal> = rows.into_iter().map(to_model).collect();
    let rank = |s: &str| ProposalSection::ALL.iter().position(|x| x.code() == s).unwrap_or(usize::MAX);
    items.sort_by_key(|p| rank(&p.data.section));
    Ok(items)
}
