//! The one integration test binary: every test gets a fresh database (a SQLite
//! file, or a new PostgreSQL database when TEST_DATABASE_URL is set).

mod abuse;
mod accounts;
mod audit;
mod deadline_pages;
mod deadlines;
mod demo;
mod documents;
mod errors;
mod evidence;
mod helpers;
mod issuing;
mod mail;
mod matrix;
mod nd30;
mod newcomer;
mod offices;
mod organisation;
mod plans;
mod poppler;
mod process;
mod reads;
mod render;
mod running;
mod schema_rules;
mod sheets;
mod signatures;
mod smtp;
mod structure;
mod summary;
mod tasks;
mod web;
mod work;
mod workflow;
