//! Signing keys as administrators see them: the certificate, never the private key.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// Largest PKCS#12 file accepted, in bytes (a key with a chain of a few certificates
/// is 3–10 KB).
pub const MAX_PKCS12_BYTES: usize = 64 * 1024;

/// A PKCS#12 file (.p12, .pfx) to install as a signer's or an issuing body's key.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct KeyImportInput {
    /// The file, base64 (at most 64 KiB before encoding).
    #[oai(validator(max_length = 87400))]
    pub pkcs12_base64: String,
    /// The file's passphrase; used once to open it, never stored.
    #[oai(write_only)]
    #[oai(validator(max_length = 1024))]
    pub passphrase: String,
}

/// An installed signing key.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct SigningKeyInfo {
    /// Record id.
    pub id: Uuid,
    /// The issuing body it belongs to (or whose signer holds it).
    pub issuer_id: Uuid,
    /// The signer who holds it; absent for the issuing body's own key.
    pub user_id: Option<Uuid>,
    /// Who holds it: the signer's name or the issuing body's name.
    pub holder: String,
    /// The certificate's subject common name.
    pub subject: String,
    /// Who issued the certificate (common name).
    pub issued_by: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate, hex.
    pub fingerprint: String,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// Who installed it (absent: the command line).
    pub installed_by: Option<Uuid>,
    /// Their name.
    pub installed_by_name: Option<String>,
    /// When it was installed.
    pub installed_at: DateTime<Utc>,
    /// When it was replaced or retired; absent while it is the one in use.
    pub retired_at: Option<DateTime<Utc>>,
    /// Whether it is in use: installed, not retired.
    pub active: bool,
    /// Days until the certificate expires (negative once it has).
    pub days_left: i64,
}
