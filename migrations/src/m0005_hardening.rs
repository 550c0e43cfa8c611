//! Abuse resistance: failed logins counted per login name (known or not) in a
//! table of their own, so every attempt is counted atomically and an unknown
//! name is throttled exactly like a known one.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `login_throttles` and moves the failure count off `users`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_hardening"
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
                .table(c("login_throttles"))
                // The login name as typed, trimmed and lower-cased: the same row for
                // every spelling, whether or not such a user exists.
                .col(string(c("name")).primary_key())
                // Attempts since the last success, counted before the password is checked.
                .col(integer(c("failures")))
                .col(timestamp_with_time_zone_null(c("locked_until")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .to_owned(),
        )
        .await?;
        // SQLite drops one column per statement.
        for col in ["failed_logins", "locked_until"] {
            m.alter_table(Table::alter().table(c("users")).drop_column(c(col)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(c("users")).add_column(integer(c("failed_logins")).default(0)).to_owned())
            .await?;
        m.alter_table(
            Table::alter().table(c("users")).add_column(timestamp_with_time_zone_null(c("locked_until"))).to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(c("login_throttles")).to_owned()).await
    }
}
