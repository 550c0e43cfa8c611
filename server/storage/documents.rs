//! Documents: reports, plans and letters, from draft to issued.

super::rows::rows!(documents, "document");

use super::entities::documents;
use super::entities::documents::{Column, Entity};
use crate::domain::{DocumentKind, DocumentState};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// The issued reports of `plans`.
pub async fn issued_reports_of(c: &impl ConnectionTrait, plans: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    documents::Entity::find()
        .filter(documents::Column::PlanId.is_in(plans.iter().copied()))
        .filter(documents::Column::Kind.eq(DocumentKind::Report.code()))
        .filter(documents::Column::State.eq(DocumentState::Issued.code()))
        .all(c)
        .await
}

/// The corrections of `replaced` still being prepared (neither issued nor replaced).
pub async fn open_corrections_of(
    c: &impl ConnectionTrait,
    replaced: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<Model>, DbErr> {
    documents::Entity::find()
        .filter(documents::Column::ReplacesId.is_in(replaced))
        .filter(documents::Column::State.is_not_in([DocumentState::Issued.code(), DocumentState::Replaced.code()]))
        .all(c)
        .await
}

/// How many documents `issuer` has.
pub async fn count_of_issuer(c: &impl ConnectionTrait, issuer: Uuid) -> Result<u64, DbErr> {
    documents::Entity::find().filter(documents::Column::IssuerId.eq(issuer)).count(c).await
}

/// How many documents belong to `plan`.
pub async fn count_of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<u64, DbErr> {
    documents::Entity::find().filter(documents::Column::PlanId.eq(plan)).count(c).await
}

/// How many documents name `user` as their signer or approver.
pub async fn count_naming_user(c: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    documents::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(documents::Column::SignerUserId.eq(user))
                .add(documents::Column::ApprovedBy.eq(user)),
        )
        .count(c)
        .await
}

/// A document of `plan`, if it has any.
pub async fn any_of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Option<Model>, DbErr> {
    documents::Entity::find().filter(documents::Column::PlanId.eq(plan)).one(c).await
}

/// Which documents a listing shows (every filter given holds).
#[derive(Debug, Default, Clone)]
pub struct Listing {
    /// Only these issuers' (each one given must match).
    pub issuers: Vec<Uuid>,
    /// Only issued and replaced ones (what a unit officer may read).
    pub published_only: bool,
    /// Only those about this plan.
    pub plan_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only in this state.
    pub state: Option<String>,
}

/// One page of the documents `l` selects, newest first, and how many it selects in all.
pub async fn page(c: &impl ConnectionTrait, l: &Listing, offset: u64, limit: u64) -> Result<(Vec<Model>, u64), DbErr> {
    let mut q = Entity::find().order_by_desc(Column::Id);
    for i in &l.issuers {
        q = q.filter(Column::IssuerId.eq(*i));
    }
    if l.published_only {
        q = q.filter(Column::State.is_in([DocumentState::Issued.code(), DocumentState::Replaced.code()]));
    }
    if let Some(p) = l.plan_id {
        q = q.filter(Column::PlanId.eq(p));
    }
    if let Some(k) = &l.kind {
        q = q.filter(Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = &l.state {
        q = q.filter(Column::State.eq(s.as_str()));
    }
    let total = q.clone().count(c).await?;
    let rows = q.offset(offset).limit(limit).all(c).await?;
    Ok((rows, total))
}

/// A correction of `id` that is not issued yet, if one is being prepared.
pub async fn open_correction_of(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::ReplacesId.eq(id)).filter(Column::State.ne(DocumentState::Issued.code())).one(c).await
}

/// The plan's year-end reports other than `except`, not replaced (in no set order).
pub async fn other_reports_of_plan(c: &impl ConnectionTrait, plan: Uuid, except: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanId.eq(plan))
        .filter(Column::Kind.eq(DocumentKind::Report.code()))
        .filter(Column::Id.ne(except))
        .filter(Column::State.ne(DocumentState::Replaced.code()))
        .all(c)
        .await
}

/// The plan's year-end reports, not replaced, newest first.
pub async fn reports_of_plan(c: &impl ConnectionTrait, plan: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanId.eq(plan))
        .filter(Column::Kind.eq(DocumentKind::Report.code()))
        .filter(Column::State.ne(DocumentState::Replaced.code()))
        .order_by_desc(Column::CreatedAt)
        .all(c)
        .await
}
