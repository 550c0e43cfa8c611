//! One-time links that let a person set their password: an invitation sent when
//! an administrator creates their account, or a reset they asked for because they
//! forgot it. Only the SHA-256 of each link's secret is stored; a link works once
//! and until it expires.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `account_links`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_account_links"
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
                .table(c("account_links"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("user_id")))
                // "invite" or "reset".
                .col(string_len(c("purpose"), 16))
                .col(string_len(c("secret_hash"), 64).unique_key())
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("expires_at")))
                .col(timestamp_with_time_zone_null(c("used_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("account_links"), c("user_id"))
                        .to(c("users"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_account_links_user").table(c("account_links")).col(c("user_id")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("account_links")).to_owned()).await
    }
}
