//! Outgoing mail as the API shows it.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// One message to one address, and where it stands.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct OutboxMessage {
    /// Record id (also the Message-ID's local part).
    pub id: Uuid,
    /// What the message is about.
    pub kind: crate::domain::MailKind,
    /// The address.
    pub to_addr: String,
    /// The "Nơi nhận" line it belongs to, for documents.
    pub recipient_label: Option<String>,
    /// Subject.
    pub subject: String,
    /// The document delivered, if any.
    pub document_id: Option<Uuid>,
    /// The unit reminded, if any.
    pub unit_id: Option<Uuid>,
    /// Where it stands.
    pub state: crate::domain::OutboxState,
    /// Attempts so far.
    pub attempts: i32,
    /// When the next attempt is due (pending).
    pub next_attempt_at: DateTime<Utc>,
    /// The last error, if any.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}
