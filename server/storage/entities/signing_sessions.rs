//! Entity for the `signing_sessions` table (see migrations/src/m0004_signing.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A prepared copy waiting for an external signature.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "signing_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
    pub user_id: Uuid,
    pub pdf_key: String,
    pub contents_start: i64,
    pub contents_end: i64,
    pub digest: String,
    pub layout: Json,
    pub document_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// SHA-256 (hex) of the secret in the hand-off URL, until it is used.
    pub fetch_secret: Option<String>,
    /// SHA-256 (hex) of the secret in the return URL, once the hand-off was fetched.
    pub return_secret: Option<String>,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
