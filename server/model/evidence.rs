//! Evidence (minh chứng): files attached to a task or one of its targets.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// An uploaded file's record.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Evidence {
    /// Record id; also the stored file's name.
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// The target, if the file supports one.
    pub target_id: Option<Uuid>,
    /// The name the file had on the uploader's computer.
    pub file_name: String,
    /// The type detected from the file's bytes.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// For a PDF: its digital signatures as checked at upload (empty: not signed).
    pub signatures: Option<Vec<crate::signing::SignatureReport>>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct AuditEvent {
    /// Record id.
    pub id: Uuid,
    /// Position in the hash chain, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none: the system).
    pub actor_id: Option<Uuid>,
    /// What was done.
    pub action: crate::domain::AuditAction,
    /// Table, e.g. "results".
    pub entity: String,
    /// The record.
    pub entity_id: Option<Uuid>,
    /// The record before.
    pub before: Option<serde_json::Value>,
    /// The record after.
    pub after: Option<serde_json::Value>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}
