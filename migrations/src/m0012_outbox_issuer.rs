//! Whose mail a message is: the outbox row carries its issuer, so an office sees
//! its own issuer's mail (documents, reminders, invitations, key warnings) and no
//! one else's.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `outbox.issuer_id`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_outbox_issuer"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(c("outbox")).add_column(uuid_null(c("issuer_id"))).to_owned()).await?;
        // Rows from before: their document's or unit's issuer.
        let db = m.get_connection();
        for (column, table) in [("document_id", "documents"), ("unit_id", "units")] {
            let fill = Query::update()
                .table(c("outbox"))
                .value(
                    c("issuer_id"),
                    SimpleExpr::SubQuery(
                        None,
                        Box::new(
                            Query::select()
                                .column(c("issuer_id"))
                                .from(c(table))
                                .and_where(Expr::col((c(table), c("id"))).equals((c("outbox"), c(column))))
                                .to_owned()
                                .into_sub_query_statement(),
                        ),
                    ),
                )
                .and_where(Expr::col(c("issuer_id")).is_null())
                .and_where(Expr::col(c(column)).is_not_null())
                .to_owned();
            db.execute(&fill).await?;
        }
        m.create_index(Index::create().name("ix_outbox_issuer").table(c("outbox")).col(c("issuer_id")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_outbox_issuer").table(c("outbox")).to_owned()).await?;
        m.alter_table(Table::alter().table(c("outbox")).drop_column(c("issuer_id")).to_owned()).await
    }
}
