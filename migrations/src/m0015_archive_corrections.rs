//! A task that was reported on is archived rather than deleted: it keeps its
//! result and history but leaves the lists, figures, reports and reminders. A
//! correction of an issued document states its reason; while a correction of a
//! plan's issued report is being prepared, the plan's data may change again.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `tasks.archived_at`, `tasks.archive_reason` and `documents.correction_reason`,
/// and the indexes that writes of a large plan look up by: a group's last task (the
/// next position) and a plan's report and its correction (whether the plan is closed).
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_archive_corrections"
    }
}

const INDEXES: &[(&str, &str, &[&str])] = &[
    ("ix_tasks_group_position", "tasks", &["group_id", "position"]),
    ("ix_documents_plan", "documents", &["plan_id", "kind", "state"]),
    ("ix_documents_replaces", "documents", &["replaces_id"]),
];

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        m.alter_table(
            Table::alter().table(c("tasks")).add_column(timestamp_with_time_zone_null(c("archived_at"))).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(c("tasks")).add_column(string_len_null(c("archive_reason"), 2000)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(c("documents")).add_column(string_len_null(c("correction_reason"), 2000)).to_owned(),
        )
        .await?;
        for (name, table, cols) in INDEXES {
            let mut ix = Index::create();
            ix.name(*name).table(c(table));
            for col in *cols {
                ix.col(c(col));
            }
            m.create_index(ix.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(*name).table(c(table)).to_owned()).await?;
        }
        for col in ["archived_at", "archive_reason"] {
            m.alter_table(Table::alter().table(c("tasks")).drop_column(c(col)).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(c("documents")).drop_column(c("correction_reason")).to_owned()).await
    }
}
