//! Entity for the `signing_keys` table (see migrations/src/m0009_signing_keys.rs).

use sea_orm::entity::prelude::*;

/// An imported signing key: the certificate's particulars and the sealed private key.
/// Not `Serialize`: the sealed bytes never reach the audit log or an answer.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issuer_id: Uuid,
    /// The signer whose key it is; `None` for the issuing body's own key.
    pub user_id: Option<Uuid>,
    /// The certificate's subject common name.
    pub subject: String,
    /// The common name of the authority that issued the certificate.
    pub issued_by: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate (DER), hex.
    pub fingerprint: String,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    /// The private key and chain sealed with the key-encryption key.
    pub sealed: Vec<u8>,
    pub installed_by: Option<Uuid>,
    pub installed_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `storage`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
