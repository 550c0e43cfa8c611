//! Units and people that leave: a unit or user with history is deactivated, not
//! deleted. It keeps its place in every record; it is no longer offered for new
//! work, and a deactivated user can no longer log in.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `units.deactivated_at` and `users.deactivated_at`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_deactivation"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["units", "users"] {
            m.alter_table(
                Table::alter()
                    .table(c(table))
                    .add_column(timestamp_with_time_zone_null(c("deactivated_at")))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["units", "users"] {
            m.alter_table(Table::alter().table(c(table)).drop_column(c("deactivated_at")).to_owned()).await?;
        }
        Ok(())
    }
}
