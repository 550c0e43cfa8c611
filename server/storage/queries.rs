//! Reads that several services share. Each lives here once, so that no service
//! calls another just to load a record (services import each other in one
//! direction only; `tests/api/structure.rs` checks it).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::Result;
use crate::storage::entities::{signing_keys, users};

/// The signing key in use of an issuing body (`user_id` `None`) or of one of its
/// signers, if one was imported.
pub async fn key_in_use<C: ConnectionTrait>(
    db: &C,
    issuer_id: Uuid,
    user_id: Option<Uuid>,
) -> Result<Option<signing_keys::Model>> {
    let q = signing_keys::Entity::find()
        .filter(signing_keys::Column::IssuerId.eq(issuer_id))
        .filter(signing_keys::Column::RetiredAt.is_null());
    let q = match user_id {
        Some(u) => q.filter(signing_keys::Column::UserId.eq(u)),
        None => q.filter(signing_keys::Column::UserId.is_null()),
    };
    Ok(q.order_by_desc(signing_keys::Column::InstalledAt).one(db).await?)
}

/// The full names of `ids` (people behind a history's events), in one query.
pub async fn user_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let found = users::Entity::find().filter(users::Column::Id.is_in(ids)).all(db).await?;
    Ok(found.into_iter().map(|u| (u.id, u.name)).collect())
}
