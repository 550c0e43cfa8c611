//! nhiemvu: the key-task register of a People's Committee and the official
//! documents about it.
//!
//! The map of the code (dependencies point downwards only):
//!
//! - [`web`]: the web interface: server-rendered pages (minijinja) over the
//!   services, for the office, units, signer and administrators; `frame` (templates,
//!   menu, headers, error pages drawn from a handler's `PageError`), `form` (the
//!   request context poem extracts: `Ctx`, `Open`, forms), `view` (the shared view
//!   pieces: a vocabulary's `Word`, dates, numbers), `records` (the plan a page is
//!   about and its snapshot), `task_form` (reading the task form) and `routes` (one
//!   table of addresses); each page renders a typed view; forms carry CSRF;
//!   `keep` saves what was typed (autosave drafts, forms posted after the session
//!   expired; the `Posted` extractor) and offers it back; `account` covers first-run setup, the issuer,
//!   units and one's own account (with its calendar addresses), `people` the
//!   administrators' people and invitations, `offices` the server administrator's offices
//!   and their administrators, `rubrics`
//!   the rating bands, `tasks` the filtered task list, `sheets` the import page,
//!   `start` the "Bắt đầu" checklist of a new office and the menu's counts,
//!   `task_overview` the office's view of a task, `inbox` a unit's tasks and the
//!   questions waiting for its answer, `follow_up_panel` and `follow_ups` a task's
//!   "Theo dõi hạn" (requests, decisions, explanation requests, directions, answers),
//!   `urging` the four-way counts, what waits for each person and urging units,
//!   `deadline_rules` an office's deadline rules, `audit` the audit log.
//!   Pages speak Vietnamese only.
//! - [`http`]: the JSON API (poem-openapi, one `XxxApi` per resource), who is
//!   calling (tokens, cookies, CSRF), the body cap, connection limits, `Allow` on
//!   405, the text rules stated in the OpenAPI document (`spec`), and the single
//!   place where errors become HTTP statuses.
//! - [`scheduler`]: the outbox dispatcher, the reminder scan, escalation by each
//!   office's deadline rules, the certificate expiry warnings and scheduled backups,
//!   beside the server.
//! - [`services`]: one function per user action, owning its one transaction;
//!   access checks, validation, audit events, workflows; a document's life under
//!   `documents/` (drafting from a plan, the Nghị định 30 check, issuing, signatures,
//!   printing, with its state diagram); the `Clock` pages read; a task's own
//!   history (`task_history`), the register laid out for print (`summary`), the outbox,
//!   contributions, kept drafts, signing keys as records
//!   (`keys`: import, retire, expiry); what issued records depend on, closed years
//!   and archived tasks (`integrity`);
//!   first-run setup (`setup`) and one-time password links, invitations and resets
//!   (`accounts`); a plan at a glance (`figures`), spreadsheets in and out
//!   (`spreadsheets`), calendar feeds (`calendars`); deadlines as offices move them:
//!   extension and withdrawal requests and their decisions (`deadline_requests`),
//!   explanation requests and directions (`follow_ups`), their reads
//!   (`follow_up_reads`) and mail (`follow_up_mail`), urging units by mail or công
//!   văn đôn đốc (`urging`), escalation (`escalation`) and the rules behind them
//!   (`deadline_rules`). Services name no sea-orm and
//!   import each other in one direction only
//!   (`tests/api/structure.rs` reads the source to keep it so).
//! - [`storage`]: every query, one file per table (`rows!` gives get, find,
//!   insert, save and remove; named queries beside them), the vocabularies as
//!   column types (`vocab`), the database pool,
//!   migrations, entities, the audit chain (`audit::record`), files,
//!   the reads several services share (`queries`), reads kept by revision and
//!   scope (`cache`), whether a SQLite file changed without asking it (`watch`),
//!   the heads every instance hears on PostgreSQL, trusted under a lease (`notify`),
//!   and backups that restore (`backup`).
//! - [`mail`]: e-mail templates and the SMTP transport (and `Recording`, the seam for
//!   tests); the only module that names lettre.
//! - [`render`]: typst World, fonts and PDF export; the only module that names typst.
//! - [`inspect`]: reads any PDF (pages, positioned text, fonts) for the Nghị
//!   định 30 check, counts its pages and draws a page as an image; with
//!   `signing::pdf_read` the only modules that name hayro.
//! - [`signing`]: PAdES signatures: PDF objects through hayro-syntax and an
//!   incremental writer, CMS build and check, PKCS#12 keys and their sealing with the
//!   key-encryption key (AES-256-GCM), RFC 3161 timestamps (`tsa`), the trust store enforced,
//!   stamped number/date and seal, a linear verifier.
//! - [`sheet`]: spreadsheets in and out (.xlsx read and written, CSV written); the
//!   only module that names calamine or rust_xlsxwriter.
//! - [`model`]: the public shape of records, shared by the API and the services.
//! - [`domain`]: pure rules: roles, rubric bands, vocabularies, Vietnamese wording,
//!   restricted Markdown, what user text may contain, number and date parsing,
//!   file types, reminder days and the Vietnamese calendar of days off (lunar
//!   calendar, holidays, swaps), iCalendar text, the print view model, where lines may break, the
//!   signature block, the Nghị định 30 check (data rules and layout rules), and the
//!   Government's four-way deadline status with the "Nguy cơ chậm" flag (`deadlines`).
//! - [`config`]: typed settings from `config/*.toml` and `APP__…` variables.
//! - [`state`]: what every handler may use (database, renderer, files, signing).
//! - [`app`]: wiring: router, server start-up.
//! - [`error`]: the one error type of the services.

pub mod app;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod inspect;
pub mod mail;
pub mod model;
pub mod render;
pub mod scheduler;
pub mod services;
pub mod sheet;
pub mod signing;
pub mod state;
pub mod storage;
pub mod web;
