//! Digital signatures: the signer-signed copy of a document, where its blanks
//! are, and signing sessions waiting for an external signature.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the signed copy to documents and the signing sessions.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_signing"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for col in [string_null(c("signed_pdf_key")), string_null(c("signed_pdf_sha256"))] {
            m.alter_table(Table::alter().table(c("documents")).add_column(col).to_owned()).await?;
        }
        // Where the blanks and the signature box are on the signed copy (page, x, y).
        m.alter_table(Table::alter().table(c("documents")).add_column(json_null(c("signing_layout"))).to_owned())
            .await?;
        // What the signatures of an evidence PDF said when it was uploaded.
        m.alter_table(Table::alter().table(c("evidence")).add_column(json_null(c("signatures"))).to_owned()).await?;
        // A prepared copy waiting for a signature made outside the server (token, remote CA).
        m.create_table(
            Table::create()
                .table(c("signing_sessions"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("document_id")))
                .col(uuid(c("user_id")))
                .col(string(c("pdf_key")))
                .col(big_integer(c("contents_start")))
                .col(big_integer(c("contents_end")))
                .col(string(c("digest")))
                .col(json(c("layout")))
                // The document as it was when prepared: a later change makes the session stale.
                .col(timestamp_with_time_zone(c("document_updated_at")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("expires_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("signing_sessions"), c("document_id"))
                        .to(c("documents"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("signing_sessions")).to_owned()).await?;
        m.alter_table(Table::alter().table(c("evidence")).drop_column(c("signatures")).to_owned()).await?;
        for col in ["signing_layout", "signed_pdf_sha256", "signed_pdf_key"] {
            m.alter_table(Table::alter().table(c("documents")).drop_column(c(col)).to_owned()).await?;
        }
        Ok(())
    }
}
