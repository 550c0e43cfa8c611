//! sea-orm entities, one module per table; they never leave `storage` and `services`.

pub mod account_links;
pub mod audit_events;
pub mod calendar_feeds;
pub mod contributions;
pub mod document_counters;
pub mod documents;
pub mod evidence;
pub mod form_drafts;
pub mod issuers;
pub mod login_throttles;
pub mod outbox;
pub mod plans;
pub mod proposals;
pub mod reminders_sent;
pub mod results;
pub mod rubrics;
pub mod sessions;
pub mod signing_keys;
pub mod signing_sessions;
pub mod targets;
pub mod task_cooperators;
pub mod task_groups;
pub mod tasks;
pub mod units;
pub mod users;
