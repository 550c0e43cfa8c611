//! key Signing keys of issuers and signers.

super::rows::rows!(signing_keys, "signing");

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::signing_keys;

/// Installed keys (of `issuer` when given; with `retired` the retired ones too),
/// newest first.
pub async fn newest_first(c: &impl ConnectionTrait, issuer: Option<Uuid>, retired: bool) -> Result<Vec<Model>, DbErr> {
    let mut q = signing_keys::Entity::find();
    if let Some(i) = issuer {
        q = q.filter(signing_keys::Column::IssuerId.eq(i));
    }
    if !retired {
        q = q.filter(signing_keys::Column::RetiredAt.is_null());
    }
    q.order_by_desc(signing_keys::Column::InstalledAt).all(c).await
}

/// Keys in use (of `issuer` when given) whose certificate ends before `before`,
/// soonest first.
pub async fn ending_before(
    c: &impl ConnectionTrait,
    issuer: Option<Uuid>,
    before: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    let mut q = signing_keys::Entity::find()
        .filter(signing_keys::Column::RetiredAt.is_null())
        .filter(signing_keys::Column::NotAfter.lt(before));
    if let Some(i) = issuer {
        q = q.filter(signing_keys::Column::IssuerId.eq(i));
    }
    q.order_by_asc(signing_keys::Column::NotAfter).all(c).await
}
