//! Deadlines as offices move them: a task keeps its original deadline when it is
//! extended and the day it was withdrawn; its follow-ups (extension and withdrawal
//! requests, explanation requests, directions, urgings, escalations) are rows of
//! their own; an issuer keeps its deadline rules; an urging letter names the units it
//! urges and the day to report by.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `follow_ups`, `tasks.original_deadline`, `tasks.withdrawn_at`,
/// `issuers.deadline_rules`, `documents.about_units` and `documents.report_by`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_deadlines"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [date_null(c("original_deadline")), timestamp_with_time_zone_null(c("withdrawn_at"))] {
            m.alter_table(Table::alter().table(c("tasks")).add_column(col).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(c("issuers")).add_column(json_null(c("deadline_rules"))).to_owned()).await?;
        for col in [json_null(c("about_units")), date_null(c("report_by"))] {
            m.alter_table(Table::alter().table(c("documents")).add_column(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(c("follow_ups"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("issuer_id")))
                .col(uuid(c("task_id")))
                // The unit concerned (the lead unit when it was opened).
                .col(uuid_null(c("unit_id")))
                // extension, withdrawal, explanation, direction, urging, escalation.
                .col(string_len(c("kind"), 20))
                // open, approved, partly_approved, refused, answered, noted.
                .col(string_len(c("state"), 20))
                // The reason, question, direction or note.
                .col(text(c("body")))
                // The deadline asked for, the day to answer by, the day to report by.
                .col(date_null(c("asked_on")))
                // The deadline granted.
                .col(date_null(c("granted_on")))
                // The unit's answer or reply.
                .col(text_null(c("answer")))
                // Why a request was refused or partly approved.
                .col(text_null(c("decision_reason")))
                // The urging letter (công văn đôn đốc).
                .col(uuid_null(c("document_id")))
                // An escalation's level (1: the chairman told, 2: a letter drafted).
                .col(integer_null(c("level")))
                .col(uuid_null(c("opened_by")))
                .col(timestamp_with_time_zone(c("opened_at")))
                .col(uuid_null(c("closed_by")))
                .col(timestamp_with_time_zone_null(c("closed_at")))
                // When an unanswered explanation request was told to the chairman.
                .col(timestamp_with_time_zone_null(c("escalated_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("follow_ups"), c("task_id"))
                        .to(c("tasks"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_follow_ups_task").table(c("follow_ups")).col(c("task_id")).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("ix_follow_ups_issuer_state")
                .table(c("follow_ups"))
                .col(c("issuer_id"))
                .col(c("state"))
                .to_owned(),
        )
        .await?;
        // One escalation per task and level (other kinds have no level, and NULLs differ).
        m.create_index(
            Index::create()
                .name("ux_follow_ups_escalation")
                .table(c("follow_ups"))
                .col(c("task_id"))
                .col(c("kind"))
                .col(c("level"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("follow_ups")).to_owned()).await?;
        for col in ["about_units", "report_by"] {
            m.alter_table(Table::alter().table(c("documents")).drop_column(c(col)).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(c("issuers")).drop_column(c("deadline_rules")).to_owned()).await?;
        for col in ["original_deadline", "withdrawn_at"] {
            m.alter_table(Table::alter().table(c("tasks")).drop_column(c(col)).to_owned()).await?;
        }
        Ok(())
    }
}
