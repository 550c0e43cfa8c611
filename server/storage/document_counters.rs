//! The yearly number counters of an issuer's documents.

pub use super::entities::document_counters::Model;

use super::entities::document_counters::{ActiveModel, Column as K, Entity};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// The next number of the issuer's counter for `kind` in `year` (the counter starts
/// at 0 when missing). The increment is an UPDATE, so concurrent issuers queue on
/// the counter row until commit; `None` if the row is not there to read back.
pub async fn next_number(
    c: &impl ConnectionTrait,
    issuer_id: Uuid,
    year: i32,
    kind: &str,
) -> Result<Option<i32>, DbErr> {
    Entity::insert(ActiveModel {
        issuer_id: Set(issuer_id),
        year: Set(year),
        kind: Set(kind.to_owned()),
        last_number: Set(0),
    })
    .on_conflict_do_nothing_on([K::IssuerId, K::Year, K::Kind])
    .exec(c)
    .await?;
    Entity::update_many()
        .col_expr(K::LastNumber, Expr::col(K::LastNumber).add(1))
        .filter(K::IssuerId.eq(issuer_id))
        .filter(K::Year.eq(year))
        .filter(K::Kind.eq(kind))
        .exec(c)
        .await?;
    Ok(Entity::find_by_id((issuer_id, year, kind.to_owned())).one(c).await?.map(|r| r.last_number))
}
