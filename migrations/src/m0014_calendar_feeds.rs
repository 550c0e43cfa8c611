//! Calendar feeds: a secret address per person or unit from which a calendar
//! program reads the deadlines as iCalendar. Only the SHA-256 of the secret is
//! stored; a feed works until it is revoked.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `calendar_feeds`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_calendar_feeds"
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
                .table(c("calendar_feeds"))
                .col(pk_uuid(c("id")))
                // Who made it; the feed shows what they may see.
                .col(uuid(c("user_id")))
                // Narrowed to one unit's tasks, or all the maker may see.
                .col(uuid_null(c("unit_id")))
                .col(string_len(c("label"), 300))
                .col(string_len(c("secret_hash"), 64).unique_key())
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone_null(c("revoked_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("calendar_feeds"), c("user_id"))
                        .to(c("users"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(c("calendar_feeds"), c("unit_id"))
                        .to(c("units"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_calendar_feeds_user").table(c("calendar_feeds")).col(c("user_id")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("calendar_feeds")).to_owned()).await
    }
}
