//! People and workflow: sessions and API tokens, login lockout, signature and seal
//! images, the review trail of results, and the registration of issued documents.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds what logins, reviews, sign-off and issuing need.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_workflow"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

/// SQLite adds one column per ALTER TABLE, so each column is its own statement.
async fn add(m: &SchemaManager<'_>, table: &str, column: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(c(table)).add_column(column).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Lockout after repeated failed logins; the signer's signature image (a storage key).
        add(m, "users", integer(c("failed_logins")).default(0).to_owned()).await?;
        add(m, "users", timestamp_with_time_zone_null(c("locked_until"))).await?;
        add(m, "users", string_null(c("signature_image"))).await?;
        // The seal image (a storage key).
        add(m, "issuers", string_null(c("seal_image"))).await?;
        // Who reviewed a result and when.
        add(m, "results", uuid_null(c("reviewed_by"))).await?;
        add(m, "results", timestamp_with_time_zone_null(c("reviewed_at"))).await?;
        add(m, "results", timestamp_with_time_zone_null(c("submitted_at"))).await?;
        // Sign-off and registration of documents; the frozen PDF's storage key.
        add(m, "documents", uuid_null(c("approved_by"))).await?;
        add(m, "documents", timestamp_with_time_zone_null(c("approved_at"))).await?;
        add(m, "documents", text_null(c("review_comment"))).await?;
        add(m, "documents", integer_null(c("issued_year"))).await?;
        add(m, "documents", string_null(c("pdf_key"))).await?;
        // A number is unique per issuer, kind and year (numbers restart each January).
        m.create_index(
            Index::create()
                .name("ix_documents_registration")
                .table(c("documents"))
                .col(c("issuer_id"))
                .col(c("kind"))
                .col(c("issued_year"))
                .col(c("number"))
                .unique()
                .to_owned(),
        )
        .await?;

        // Browser sessions and API tokens; only a hash of the secret is stored.
        m.create_table(
            Table::create()
                .table(c("sessions"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("user_id")))
                .col(string_uniq(c("token_hash")))
                .col(string(c("kind")))
                .col(string_null(c("name")))
                .col(string(c("csrf_token")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("expires_at")))
                .col(timestamp_with_time_zone_null(c("revoked_at")))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_user_id")
                        .from(c("sessions"), c("user_id"))
                        .to(c("users"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_sessions_user_id").table(c("sessions")).col(c("user_id")).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("sessions")).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_documents_registration").table(c("documents")).to_owned()).await?;
        for (t, col) in [
            ("documents", "pdf_key"),
            ("documents", "issued_year"),
            ("documents", "review_comment"),
            ("documents", "approved_at"),
            ("documents", "approved_by"),
            ("results", "submitted_at"),
            ("results", "reviewed_at"),
            ("results", "reviewed_by"),
            ("issuers", "seal_image"),
            ("users", "signature_image"),
            ("users", "locked_until"),
            ("users", "failed_logins"),
        ] {
            m.alter_table(Table::alter().table(c(t)).drop_column(c(col)).to_owned()).await?;
        }
        Ok(())
    }
}
