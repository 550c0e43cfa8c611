//! Signing keys as managed records: a PKCS#12 imported through the API or the CLI
//! is kept here, its private key sealed with the key-encryption key (never in the
//! clear), with what an administrator needs to see of its certificate.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `signing_keys`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_signing_keys"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(c("signing_keys"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("issuer_id")))
                // The signer whose key it is; empty for the issuing body's own key.
                .col(uuid_null(c("user_id")))
                .col(string(c("subject")))
                .col(string(c("issued_by")))
                .col(string(c("serial")))
                .col(string_len(c("fingerprint"), 64))
                .col(timestamp_with_time_zone(c("not_before")))
                .col(timestamp_with_time_zone(c("not_after")))
                .col(blob(c("sealed")))
                .col(uuid_null(c("installed_by")))
                .col(timestamp_with_time_zone(c("installed_at")))
                .col(timestamp_with_time_zone_null(c("retired_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("signing_keys"), c("issuer_id"))
                        .to(c("issuers"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(c("signing_keys"), c("user_id"))
                        .to(c("users"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_signing_keys_holder")
                .table(c("signing_keys"))
                .col(c("issuer_id"))
                .col(c("user_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("signing_keys")).to_owned()).await
    }
}
