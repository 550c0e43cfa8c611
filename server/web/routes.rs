//! Every page's address in one table (`ROUTES`, for `Allow` on a 405) and the
//! router that serves them.

use poem::{Body, EndpointExt, Request, Response, Route, get, handler, post};

use crate::state::AppState;

use super::frame::{css, framed, icon, script};
use super::view::markdown_html;
use super::*;

/// Restricted Markdown → HTML for the live preview (the CSRF token rides in a header).
#[handler]
async fn preview(c: Ctx, req: &Request, body: Body) -> Page {
    c.check_token(req.header("x-csrf-token").unwrap_or(""))?;
    let text = body.into_string().await.unwrap_or_default();
    Ok(Response::builder().content_type("text/html; charset=utf-8").body(markdown_html(&text)))
}

/// Every page path and the methods it takes (for `Allow` on a 405); kept in step
/// with [`routes`] by a test that tries each method on each path.
pub const ROUTES: &[(&str, &str)] = &[
    ("/", "GET"),
    ("/login", "GET, POST"),
    ("/logout", "POST"),
    ("/static/app.css", "GET"),
    ("/static/favicon.svg", "GET"),
    ("/favicon.ico", "GET"),
    ("/static/app.js", "GET"),
    ("/ui/preview", "POST"),
    ("/ui/draft", "POST"),
    ("/ui/draft/discard", "POST"),
    ("/ui/session", "GET"),
    ("/plans", "GET, POST"),
    ("/rubrics", "GET, POST"),
    ("/rubrics/new", "GET"),
    ("/rubrics/:id", "GET, POST"),
    ("/plans/:id", "GET"),
    ("/plans/:id/tasks", "POST"),
    ("/plans/:id/groups", "POST"),
    ("/plans/:id/rubric", "POST"),
    ("/plans/:id/carry-forward", "POST"),
    ("/plans/:id/copy-forward", "POST"),
    ("/plans/:id/import", "GET, POST"),
    ("/plans/:id/import/confirm", "POST"),
    ("/plans/:id/assignment", "POST"),
    ("/plans/:id/report", "POST"),
    ("/tasks", "GET"),
    ("/tasks/:id/edit", "GET, POST"),
    ("/tasks/:id/delete", "POST"),
    ("/tasks/:id/archive", "POST"),
    ("/tasks/:id/restore", "POST"),
    ("/inbox", "GET"),
    ("/tasks/:id", "GET, POST"),
    ("/tasks/:id/contribution", "POST"),
    ("/tasks/:id/requests", "POST"),
    ("/tasks/:id/asks", "POST"),
    ("/follow-ups/:id/decision", "POST"),
    ("/follow-ups/:id/answer", "POST"),
    ("/plans/:id/urge", "GET, POST"),
    ("/admin/deadline-rules", "GET, POST"),
    ("/review", "GET"),
    ("/review/:id", "GET, POST"),
    ("/documents", "GET, POST"),
    ("/sign-off", "GET"),
    ("/documents/:id", "GET, POST"),
    ("/documents/:id/step", "POST"),
    ("/documents/:id/pages/:page", "GET"),
    ("/admin/audit", "GET"),
    ("/admin/outbox", "GET"),
    ("/admin/outbox/:id/resend", "POST"),
    ("/admin/outbox/test", "POST"),
    ("/admin/keys", "GET"),
    ("/admin/users", "GET, POST"),
    ("/admin/users/:id", "GET, POST"),
    ("/admin/users/:id/invite", "POST"),
    ("/admin/users/:id/deactivate", "POST"),
    ("/admin/users/:id/reactivate", "POST"),
    ("/account", "GET, POST"),
    ("/account/email", "POST"),
    ("/account/calendar", "POST"),
    ("/account/calendar/:id/revoke", "POST"),
    ("/calendar/:file", "GET"),
    ("/forgot", "GET, POST"),
    ("/password/:secret", "GET, POST"),
    ("/setup/:secret", "GET, POST"),
    ("/admin/units", "GET, POST"),
    ("/admin/units/:id", "GET, POST"),
    ("/admin/units/:id/deactivate", "POST"),
    ("/admin/units/:id/reactivate", "POST"),
    ("/admin/issuer", "GET, POST"),
    ("/admin/offices", "GET, POST"),
    ("/admin/offices/admins", "POST"),
    ("/admin/keys/:id/retire", "POST"),
];

/// The pages, mounted at `/`.
pub fn routes(state: AppState) -> impl poem::Endpoint + 'static {
    Route::new()
        .at("/", get(home::dashboard))
        .at("/login", get(home::login_page).post(home::login))
        .at("/logout", post(home::logout))
        .at("/static/app.css", get(css))
        .at("/static/favicon.svg", get(icon))
        .at("/favicon.ico", get(icon))
        .at("/static/app.js", get(script))
        .at("/ui/preview", post(preview))
        .at("/ui/draft", post(keep::autosave))
        .at("/ui/draft/discard", post(keep::discard))
        .at("/ui/session", get(keep::session_state))
        .at("/plans", get(plans::list).post(plans::create))
        .at("/tasks", get(tasks::list))
        .at("/rubrics", get(rubrics::list).post(rubrics::create))
        .at("/rubrics/new", get(rubrics::new))
        .at("/rubrics/:id", get(rubrics::edit).post(rubrics::update))
        .at("/plans/:id", get(plans::show))
        .at("/plans/:id/tasks", post(plan_tasks::create_task))
        .at("/plans/:id/groups", post(plans::create_group))
        .at("/plans/:id/rubric", post(plans::set_rubric))
        .at("/plans/:id/carry-forward", post(plans::carry_forward))
        .at("/plans/:id/copy-forward", post(plans::copy_forward))
        .at("/plans/:id/import", get(sheets::page).post(sheets::check))
        .at("/plans/:id/import/confirm", post(sheets::confirm))
        .at("/plans/:id/assignment", post(plans::assignment))
        .at("/plans/:id/report", post(plans::report))
        .at("/tasks/:id/edit", get(plan_tasks::edit_task).post(plan_tasks::update_task))
        .at("/tasks/:id/delete", post(plan_tasks::delete_task))
        .at("/tasks/:id/archive", post(plan_tasks::archive_task))
        .at("/tasks/:id/restore", post(plan_tasks::restore_task))
        .at("/inbox", get(inbox::inbox))
        .at("/tasks/:id", get(results::task_page).post(results::save_result))
        .at("/tasks/:id/contribution", post(results::save_contribution))
        .at("/tasks/:id/requests", post(follow_ups::request))
        .at("/tasks/:id/asks", post(follow_ups::ask))
        .at("/follow-ups/:id/decision", post(follow_ups::decide))
        .at("/follow-ups/:id/answer", post(follow_ups::answer))
        .at("/plans/:id/urge", get(urging::page).post(urging::urge))
        .at("/admin/deadline-rules", get(deadline_rules::page).post(deadline_rules::save))
        .at("/review", get(results::review_list))
        .at("/review/:id", get(results::review_page).post(results::review_step))
        .at("/documents", get(documents::list).post(documents::start))
        .at("/sign-off", get(documents::sign_off))
        .at("/documents/:id", get(documents::show).post(documents::save))
        .at("/documents/:id/pages/:page", get(documents::page_image))
        .at("/documents/:id/step", post(documents::step))
        .at("/admin/audit", get(audit::audit))
        .at("/admin/outbox", get(audit::outbox_page))
        .at("/admin/keys", get(keys::page))
        .at("/admin/keys/:id/retire", post(keys::retire))
        .at("/admin/outbox/:id/resend", post(audit::resend))
        .at("/admin/outbox/test", post(audit::mail_test))
        .at("/admin/users", get(people::people_page).post(people::people_add))
        .at("/admin/users/:id", get(people::person_edit).post(people::person_save))
        .at("/admin/users/:id/invite", post(people::people_invite))
        .at("/admin/users/:id/deactivate", post(people::people_deactivate))
        .at("/admin/users/:id/reactivate", post(people::people_reactivate))
        .at("/account", get(account::own_page).post(account::own_change))
        .at("/account/email", post(account::own_email))
        .at("/account/calendar", post(account::feed_create))
        .at("/account/calendar/:id/revoke", post(account::feed_revoke))
        .at("/calendar/:file", get(account::feed))
        .at("/forgot", get(links::forgot_page).post(links::forgot))
        .at("/password/:secret", get(links::link_page).post(links::link_set))
        .at("/setup/:secret", get(account::setup_page).post(account::setup_run))
        .at("/admin/units", get(account::units_page).post(account::units_add))
        .at("/admin/units/:id", get(account::unit_edit).post(account::unit_save))
        .at("/admin/units/:id/deactivate", post(account::unit_deactivate))
        .at("/admin/units/:id/reactivate", post(account::unit_reactivate))
        .at("/admin/issuer", get(account::issuer_page).post(account::issuer_save))
        .at("/admin/offices", get(offices::offices_page).post(offices::office_add))
        .at("/admin/offices/admins", post(offices::office_admin_add))
        .around(framed)
        .with(poem::middleware::AddData::new(state))
}
