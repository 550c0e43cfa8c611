//! E-mail: the durable outbox the dispatcher sends from, and the record of which
//! (task, threshold) reminders were already enqueued.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the outbox and the reminder log.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_mail"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A plan's own reminder policy (offsets, overdue repeat, working days); null: the server's.
        m.alter_table(Table::alter().table(c("plans")).add_column(json_null(c("reminder_policy"))).to_owned()).await?;
        // One row per message and address. Written in the transaction of the event that
        // causes it; `idempotency_key` makes a second write of the same message a no-op.
        m.create_table(
            Table::create()
                .table(c("outbox"))
                .col(pk_uuid(c("id")))
                .col(string_uniq(c("idempotency_key")))
                .col(string(c("kind")))
                .col(string(c("to_addr")))
                .col(text_null(c("recipient_label")))
                .col(text(c("subject")))
                .col(text(c("text_body")))
                .col(text(c("html_body")))
                .col(string_null(c("attachment_key")))
                .col(text_null(c("attachment_name")))
                .col(uuid_null(c("document_id")))
                .col(uuid_null(c("unit_id")))
                // pending → sending (claimed) → sent | failed; a stale claim returns to the pool.
                .col(string(c("state")))
                .col(integer(c("attempts")))
                .col(timestamp_with_time_zone(c("next_attempt_at")))
                .col(string_null(c("claimed_by")))
                .col(timestamp_with_time_zone_null(c("claimed_until")))
                .col(text_null(c("last_error")))
                .col(timestamp_with_time_zone_null(c("sent_at")))
                .col(timestamp_with_time_zone(c("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_state_next")
                .table(c("outbox"))
                .col(c("state"))
                .col(c("next_attempt_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_outbox_document").table(c("outbox")).col(c("document_id")).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table(c("reminders_sent"))
                .col(uuid(c("task_id")))
                .col(string(c("threshold")))
                .col(timestamp_with_time_zone(c("at")))
                .col(string(c("outbox_key")))
                .primary_key(Index::create().col(c("task_id")).col(c("threshold")))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_reminders_sent_task_id")
                        .from(c("reminders_sent"), c("task_id"))
                        .to(c("tasks"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("reminders_sent")).to_owned()).await?;
        m.drop_table(Table::drop().table(c("outbox")).to_owned()).await?;
        m.alter_table(Table::alter().table(c("plans")).drop_column(c("reminder_policy")).to_owned()).await
    }
}
