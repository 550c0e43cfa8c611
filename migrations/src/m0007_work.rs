//! Nothing typed is lost: co-operating units' contributions to a task, and
//! drafts of forms kept on the server (autosaved, or caught when a session had
//! expired) until the user saves them.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `contributions` and `form_drafts`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_work"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // What a co-operating unit reports on a task it helps with (one per unit and task).
        m.create_table(
            Table::create()
                .table(c("contributions"))
                .col(pk_uuid(c("id")))
                .col(uuid(c("task_id")))
                .col(uuid(c("unit_id")))
                .col(text(c("text")))
                .col(uuid_null(c("updated_by")))
                .col(timestamp_with_time_zone(c("created_at")))
                .col(timestamp_with_time_zone(c("updated_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("contributions"), c("task_id"))
                        .to(c("tasks"), c("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(c("contributions"), c("unit_id"))
                        .to(c("units"), c("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_contributions_task_unit")
                .table(c("contributions"))
                .col(c("task_id"))
                .col(c("unit_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        // A page's form as the user last typed it, kept until they save: by user and page.
        m.create_table(
            Table::create()
                .table(c("form_drafts"))
                .col(uuid(c("user_id")))
                .col(string(c("path")))
                .col(json(c("fields")))
                .col(timestamp_with_time_zone(c("saved_at")))
                // Set when the draft was caught from a post whose session had expired.
                .col(boolean(c("from_expired_session")).default(false))
                .primary_key(Index::create().col(c("user_id")).col(c("path")))
                .foreign_key(
                    ForeignKey::create()
                        .from(c("form_drafts"), c("user_id"))
                        .to(c("users"), c("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(c("form_drafts")).to_owned()).await?;
        m.drop_table(Table::drop().table(c("contributions")).to_owned()).await
    }
}
