//! Two kinds of administrator: an office's administrator keeps to its office, a
//! server administrator creates offices and appoints their administrators. Today's
//! administrators keep the office role (`admin`), so nobody gains a right; the audit
//! log learns which office each event belongs to, so an office's administrator
//! reads its own office's events only.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `users.server_admin` and `audit_events.issuer_id` (filled for the events
/// already written, from the record each names or, failing that, its actor).
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_server_admin"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

/// Tables whose rows name their issuer.
const OWN_ISSUER: &[&str] = &["units", "users", "plans", "rubrics", "documents", "signing_keys", "outbox"];
/// Tables whose rows name their plan.
const OF_PLAN: &[&str] = &["task_groups", "tasks", "proposals"];
/// Tables whose rows name their task.
const OF_TASK: &[&str] = &["results", "targets", "evidence", "contributions"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(c("users")).add_column(boolean(c("server_admin")).default(false)).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(c("audit_events")).add_column(uuid_null(c("issuer_id"))).to_owned()).await?;
        let db = m.get_connection();
        let fill = |source: String, entity: Option<&str>| {
            let only = entity.map(|e| format!(" AND entity = '{e}'")).unwrap_or_default();
            format!("UPDATE audit_events SET issuer_id = ({source}) WHERE issuer_id IS NULL{only}")
        };
        let mut statements = vec!["UPDATE audit_events SET issuer_id = entity_id WHERE entity = 'issuers'".to_owned()];
        for t in OWN_ISSUER {
            statements
                .push(fill(format!("SELECT x.issuer_id FROM {t} x WHERE x.id = audit_events.entity_id"), Some(t)));
        }
        for t in OF_PLAN {
            statements.push(fill(
                format!(
                    "SELECT p.issuer_id FROM {t} x JOIN plans p ON p.id = x.plan_id WHERE x.id = audit_events.entity_id"
                ),
                Some(t),
            ));
        }
        for t in OF_TASK {
            statements.push(fill(
                format!(
                    "SELECT p.issuer_id FROM {t} x JOIN tasks k ON k.id = x.task_id JOIN plans p ON p.id = k.plan_id \
                     WHERE x.id = audit_events.entity_id"
                ),
                Some(t),
            ));
        }
        // Sessions, feeds and records since deleted: the office of whoever acted.
        statements.push(fill("SELECT u.issuer_id FROM users u WHERE u.id = audit_events.actor_id".to_owned(), None));
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        m.create_index(
            Index::create().name("ix_audit_events_issuer").table(c("audit_events")).col(c("issuer_id")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_audit_events_issuer").table(c("audit_events")).to_owned()).await?;
        m.alter_table(Table::alter().table(c("audit_events")).drop_column(c("issuer_id")).to_owned()).await?;
        m.alter_table(Table::alter().table(c("users")).drop_column(c("server_admin")).to_owned()).await
    }
}
