//! Entity for the `outbox` table (see migrations/src/m0003_mail.rs).

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One message to one address.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub kind: crate::domain::MailKind,
    pub to_addr: String,
    pub recipient_label: Option<String>,
    pub subject: String,
    #[serde(skip)]
    pub text_body: String,
    #[serde(skip)]
    pub html_body: String,
    pub attachment_key: Option<String>,
    pub attachment_name: Option<String>,
    pub document_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub issuer_id: Option<Uuid>,
    pub state: crate::domain::OutboxState,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
