//! Signing hand-off: a prepared signature can be fetched once and answered once
//! by a token tool or a remote signing service through secret URLs, bound to the
//! document and the signer. Only the SHA-256 of each secret is stored.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the two secrets' hashes to `signing_sessions`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_handoff"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (column, index) in
            [("fetch_secret", "ux_signing_sessions_fetch"), ("return_secret", "ux_signing_sessions_return")]
        {
            m.alter_table(
                Table::alter().table(c("signing_sessions")).add_column(string_len_null(c(column), 64)).to_owned(),
            )
            .await?;
            m.create_index(Index::create().name(index).table(c("signing_sessions")).col(c(column)).unique().to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (column, index) in
            [("fetch_secret", "ux_signing_sessions_fetch"), ("return_secret", "ux_signing_sessions_return")]
        {
            m.drop_index(Index::drop().name(index).table(c("signing_sessions")).to_owned()).await?;
            m.alter_table(Table::alter().table(c("signing_sessions")).drop_column(c(column)).to_owned()).await?;
        }
        Ok(())
    }
}
