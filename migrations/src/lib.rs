//! Database migrations for nhiemvu: one portable set for SQLite and PostgreSQL.
//!
//! Migrations are written with sea-query's builder API only (no raw SQL), so the
//! same code creates the same schema on both backends.

pub use sea_orm_migration::prelude::*;

mod m0001_register;
mod m0002_workflow;
mod m0003_mail;
mod m0004_signing;
mod m0005_hardening;
mod m0006_documents;
mod m0007_work;
mod m0008_handoff;
mod m0009_signing_keys;
mod m0010_blobs;
mod m0011_account_links;
mod m0012_outbox_issuer;
mod m0013_deactivation;
mod m0014_calendar_feeds;
mod m0015_archive_corrections;
mod m0016_server_admin;
mod m0017_deadlines;

/// The ordered list of migrations the server applies at start-up.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_register::Migration),
            Box::new(m0002_workflow::Migration),
            Box::new(m0003_mail::Migration),
            Box::new(m0004_signing::Migration),
            Box::new(m0005_hardening::Migration),
            Box::new(m0006_documents::Migration),
            Box::new(m0007_work::Migration),
            Box::new(m0008_handoff::Migration),
            Box::new(m0009_signing_keys::Migration),
            Box::new(m0010_blobs::Migration),
            Box::new(m0011_account_links::Migration),
            Box::new(m0012_outbox_issuer::Migration),
            Box::new(m0013_deactivation::Migration),
            Box::new(m0014_calendar_feeds::Migration),
            Box::new(m0015_archive_corrections::Migration),
            Box::new(m0016_server_admin::Migration),
            Box::new(m0017_deadlines::Migration),
        ]
    }
}
