//! Stored files in the database: on PostgreSQL, evidence, signature and seal images
//! and issued PDFs live here so that every instance serves every file. SQLite keeps
//! them as files beside the database and leaves this table empty.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `blobs`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_blobs"
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
                .table(c("blobs"))
                // The file's key, e.g. "evidence/<id>" or "documents/<id>.pdf".
                .col(string_len(c("key"), 300).primary_key())
                .col(blob(c("bytes")))
                .col(big_integer(c("size")))
                .col(timestamp_with_time_zone(c("created_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("blobs")).to_owned()).await
    }
}
