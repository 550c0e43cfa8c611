//! The web interface: server-rendered pages (minijinja, HTML autoescaped) over the
//! same services as the API, for the office, the units, the signer and
//! administrators. A browser session is the API's session cookie; every form
//! carries the session's CSRF token, and a change without it is refused.
//!
//! The shared parts are split by concern: [`frame`] (templates, the menu, headers,
//! error pages), [`form`] (the request context poem extracts — `Ctx` for a signed-in
//! user, `Open` for pages without a session — forms and field errors), [`view`] (the
//! shared view pieces), [`records`] (the plan a page is about) and [`routes`] (one
//! table of every address); each page file holds the handlers of one part of the
//! site. A handler takes `Ctx` or `Posted` (from [`keep`]: the form, its CSRF token
//! checked, kept if the session had expired), renders a typed view struct, and
//! answers `Page`; its error becomes the error page in the user's frame.
//!
//! The CSRF token is checked before anything else. The enhancements that need script
//! (Markdown preview, evidence upload with progress, the signing-key import, the
//! signature and seal image uploads) send it in `X-CSRF-Token`. A failed save re-renders
//! the form with the typed values and each field's error; other errors become a
//! 403/404/409 page. Pages send a strict Content-Security-Policy (only our own script and
//! styles).

mod account;
mod audit;
mod deadline_rules;
mod documents;
mod follow_up_panel;
mod follow_ups;
mod form;
mod frame;
mod home;
mod inbox;
mod keep;
mod keys;
mod links;
mod notice;
mod offices;
mod people;
mod plan_tasks;
mod plans;
mod records;
mod results;
mod routes;
mod rubrics;
mod sheets;
mod start;
mod task_form;
mod task_overview;
mod tasks;
mod urging;
mod view;

pub(crate) use form::{Form, Open, box_errors, ctx, field_errors, session_cookie};
pub use frame::not_found_page;
pub(crate) use frame::{Ctx, Page, done, local_path, plain_error_page, redirect, render};
pub(crate) use keep::Posted;
pub use routes::{ROUTES, routes};
pub(crate) use view::{lines, markdown_html, num, vietnamese};
