//! Documents: reports, plans and letters, from draft to issued.

super::rows::rows!(documents, "document");

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::documents;
use crate::domain::{DocumentKind, DocumentState};

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
