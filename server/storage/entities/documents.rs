//! Entity for the `documents` table (see migrations/src/m0001_register.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One row of `documents`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issuer_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub kind: crate::domain::DocumentKind,
    pub state: crate::domain::DocumentState,
    pub subject: String,
    pub legal_bases: Json,
    pub opening: Option<String>,
    pub sections: Json,
    pub closing: Option<String>,
    pub recipients: Json,
    pub signer_authority: Option<String>,
    pub signer_collective: Option<String>,
    pub signer_head_title: Option<String>,
    pub signer_position: String,
    pub signer_name: String,
    pub signer_user_id: Option<Uuid>,
    pub drafting_unit: Option<String>,
    pub number: Option<i32>,
    pub dated_on: Option<Date>,
    pub issued_at: Option<DateTimeUtc>,
    pub pdf_sha256: Option<String>,
    pub replaces_id: Option<Uuid>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub review_comment: Option<String>,
    pub issued_year: Option<i32>,
    pub pdf_key: Option<String>,
    pub signed_pdf_key: Option<String>,
    pub signed_pdf_sha256: Option<String>,
    pub signing_layout: Option<Json>,
    pub correction_reason: Option<String>,
    pub about_units: Option<Json>,
    pub report_by: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
