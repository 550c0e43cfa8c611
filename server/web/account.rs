//! The issuer and its units: first-run setup, each user's own page and calendar
//! addresses, the issuer's page and the units (people are in `people`, the
//! password pages in `links`).

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::Path;
use poem::{Body, Response, handler};
use serde::Serialize;
use uuid::Uuid;

use super::Open;
use super::links::{Errors, Gone, Values, repeat_error};
use super::view::{Named, Word};
use super::{Ctx, Form, Page, Posted, box_errors, field_errors, lines, render};
use crate::domain::{Role, UnitKind};
use crate::error::{AppError, Result};
use crate::model::{IssuerInput, Paging};
use crate::services::images::MAX_IMAGE_BYTES;
use crate::services::{auth, calendars, issuers, setup, units, users};

/// One's own page: address, signature image (signers), calendar feeds, password.
#[derive(Serialize)]
struct OwnView<'a> {
    username: &'a str,
    name: &'a str,
    id: Uuid,
    email: &'a str,
    signs: bool,
    has_signature_image: bool,
    feeds: Vec<FeedRow<'a>>,
    feed_units: Vec<Named>,
    max_image_kb: usize,
    #[serde(flatten)]
    after: After<'a>,
}

/// What a posted form adds to one's own page: its errors and typed address, or
/// the address of a feed just made (shown once).
#[derive(Serialize, Default)]
struct After<'a> {
    /// The address typed into a failed e-mail form, shown instead of the stored one.
    #[serde(skip)]
    email: Option<&'a str>,
    email_errors: Option<Errors>,
    errors: Option<Errors>,
    new_feed: Option<String>,
    feed_errors: Option<Errors>,
}

/// One calendar feed of one's own.
#[derive(Serialize)]
struct FeedRow<'a> {
    id: Uuid,
    label: &'a str,
    created: String,
    revoked: Option<String>,
}

/// `GET /account`.
#[handler]
pub(crate) async fn own_page(c: Ctx) -> Page {
    own(&c, StatusCode::OK, After::default()).await
}

/// One's own page, with what the form just posted left (`after`).
async fn own(c: &Ctx, status: StatusCode, after: After<'_>) -> Page {
    let me = users::get_user(&c.state.db, &c.actor, c.actor.user_id.unwrap_or_default()).await?;
    let signs = matches!(c.actor.role, Some(Role::Signer | Role::Admin));
    let feeds = calendars::list_feeds(&c.state.db, &c.actor).await?;
    // A unit officer's feed is their unit's; the office may narrow one to any unit.
    let feed_units = if c.actor.role == Some(Role::UnitOfficer) {
        Vec::new()
    } else {
        let all = Paging { page: 1, per_page: Paging::MAX_PER_PAGE };
        let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, ..Default::default() };
        let list = units::list_units(&c.state.db, &c.actor, filter, all).await?;
        list.items
            .iter()
            .filter(|u| u.deactivated_at.is_none())
            .map(|u| Named { id: u.id, name: u.data.name.clone() })
            .collect()
    };
    let view = OwnView {
        username: &c.username,
        name: &c.name,
        id: me.id,
        email: after.email.unwrap_or(&me.data.email),
        signs,
        has_signature_image: me.has_signature_image,
        feeds: feeds
            .iter()
            .map(|f| FeedRow {
                id: f.id,
                label: &f.label,
                created: super::view::vn_date(f.created_at),
                revoked: f.revoked_at.map(super::view::vn_date),
            })
            .collect(),
        feed_units,
        max_image_kb: MAX_IMAGE_BYTES / 1024,
        after,
    };
    Ok(c.page("account.html", status, view))
}

/// `POST /account/email`: a change of one's own e-mail address.
#[handler]
pub(crate) async fn own_email(Posted(c, f): Posted) -> Page {
    let email = f.get("email");
    match users::change_own_email(&c.state.db, &c.actor, c.now(), &email).await {
        Ok(_) => Ok(super::done("/account", "email_changed")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let after = After { email: Some(&email), email_errors: Some(errors), ..Default::default() };
                own(&c, StatusCode::UNPROCESSABLE_ENTITY, after).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /account`: a change of one's own password.
#[handler]
pub(crate) async fn own_change(Posted(c, f): Posted) -> Page {
    let (current, new, repeat) = (f.get("current"), f.get("new"), f.get("repeat"));
    let failed = |errors| After { errors: Some(errors), ..Default::default() };
    if let Some(errors) = repeat_error(&new, &repeat) {
        return own(&c, StatusCode::UNPROCESSABLE_ENTITY, failed(errors)).await;
    }
    match auth::change_own_password(&c.state.db, &c.actor, c.now(), c.session.id, &current, &new).await {
        Ok(()) => Ok(super::done("/account", "password_changed")),
        Err(e) => match field_errors(&e) {
            Some(errors) => own(&c, StatusCode::UNPROCESSABLE_ENTITY, failed(errors)).await,
            None => Err(e.into()),
        },
    }
}

/// Deactivates (`active == false`) or brings back a unit from the units page.
async fn unit_active(c: Ctx, id: Uuid, active: bool) -> Page {
    units::set_unit_active(&c.state.db, &c.actor, c.now(), id, active).await?;
    Ok(super::done("/admin/units#units", if active { "unit_reactivated" } else { "unit_deactivated" }))
}

/// `POST /admin/units/{id}/deactivate`.
#[handler]
pub(crate) async fn unit_deactivate(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    unit_active(c, id, false).await
}

/// `POST /admin/units/{id}/reactivate`.
#[handler]
pub(crate) async fn unit_reactivate(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    unit_active(c, id, true).await
}

/// The first-run setup page: the issuer's fields and the first administrator.
#[derive(Serialize)]
struct SetupView<'a> {
    secret: &'a str,
    values: BTreeMap<String, String>,
    errors: Option<Errors>,
}

/// What the setup page starts with: the usual words of a People's Committee.
fn setup_defaults() -> BTreeMap<String, String> {
    let words = [
        ("abbreviation", "UBND"),
        ("collective_title", "ỦY BAN NHÂN DÂN"),
        ("head_title", "CHỦ TỊCH"),
        ("deputy_title", "PHÓ CHỦ TỊCH"),
    ];
    words.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Why the setup link no longer works.
const SETUP_GONE: &str = "Liên kết thiết lập không còn dùng được: hệ thống đã có người dùng (hãy đăng nhập), hoặc máy chủ đã khởi động lại và in liên kết mới vào nhật ký.";

fn setup_gone() -> Response {
    render("setup.html", StatusCode::GONE, Gone { gone: SETUP_GONE })
}

/// `GET /setup/{secret}`.
#[handler]
pub(crate) async fn setup_page(o: Open, Path(secret): Path<String>) -> Response {
    if !o.state.setup.admits(&secret) || !matches!(setup::needs_setup(&o.state.db).await, Ok(true)) {
        return setup_gone();
    }
    render("setup.html", StatusCode::OK, SetupView { secret: &secret, values: setup_defaults(), errors: None })
}

/// The administrators' pages refuse everyone else.
pub(crate) fn admin_only(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin]) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The issuer's fields as typed on the setup or issuer page.
pub(crate) fn issuer_from(f: &Form) -> IssuerInput {
    IssuerInput {
        code: f.get("code").trim().to_owned(),
        name_lines: lines(&f.get("name_lines")),
        parent_lines: lines(&f.get("parent_lines")),
        abbreviation: f.get("abbreviation").trim().to_owned(),
        place_name: f.get("place_name").trim().to_owned(),
        full_name: f.get("full_name").trim().to_owned(),
        short_name: f.get("short_name").trim().to_owned(),
        subordinates_name: f.opt("subordinates_name"),
        collective_title: f.opt("collective_title"),
        head_title: f.get("head_title").trim().to_owned(),
        deputy_title: f.opt("deputy_title"),
    }
}

/// `POST /setup/{secret}`: the issuer and the first administrator, then the login.
#[handler]
pub(crate) async fn setup_run(o: Open, Path(secret): Path<String>, body: Body) -> Page {
    let f = Form::read(body).await;
    let issuer = issuer_from(&f);
    let admin = setup::FirstAdmin {
        username: f.get("username"),
        name: f.get("name"),
        email: f.get("email"),
        password: f.get("password"),
        repeat: f.get("repeat"),
    };
    let mut values = f.values();
    values.remove("password");
    values.remove("repeat");
    match setup::first_run(&o.state.db, &o.state.setup, &secret, o.now(), issuer, admin, Some(o.addr.clone())).await {
        Ok(username) => Ok(super::home::to_login("setup", &username)),
        Err(AppError::Conflict { code: "already_set_up", .. }) => Ok(setup_gone()),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let view = SetupView { secret: &secret, values, errors: Some(box_errors(errors)) };
                Ok(render("setup.html", StatusCode::UNPROCESSABLE_ENTITY, view))
            }
            None => Err(e.into()),
        },
    }
}

/// The administrators' units page: the issuer's units, and a box to paste a list.
#[derive(Serialize)]
struct UnitsView<'a> {
    units: Vec<UnitRow<'a>>,
    kinds: Vec<Word>,
    values: BTreeMap<String, String>,
    errors: Option<&'a Errors>,
    can_add: bool,
    list_problems: Vec<&'a str>,
    max_lines: usize,
}

/// One unit of the units page.
#[derive(Serialize)]
struct UnitRow<'a> {
    id: Uuid,
    short_name: &'a str,
    name: &'a str,
    kind: &'static str,
    emails: String,
    inactive_since: Option<String>,
}

/// The units page; `failed` holds the values and errors of a failed paste.
async fn units_view(c: &Ctx, failed: Option<(BTreeMap<String, String>, Errors)>) -> Page {
    admin_only(c)?;
    let all = Paging { page: 1, per_page: 500 };
    let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, kind: None };
    let list = units::list_units(&c.state.db, &c.actor, filter, all).await?;
    let rows = list
        .items
        .iter()
        .map(|u| UnitRow {
            id: u.id,
            short_name: &u.data.short_name,
            name: &u.data.name,
            kind: u.data.kind.parse::<UnitKind>().map(|k| k.label()).unwrap_or("Đơn vị khác"),
            emails: u.data.emails.join(", "),
            inactive_since: u.deactivated_at.map(super::view::vn_date),
        })
        .collect();
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (values, errors) = failed.map_or((BTreeMap::new(), None), |(v, e)| (v, Some(e)));
    // One problem a line of the pasted list.
    let list_problems = errors.as_ref().and_then(|e| e.get("list")).map(|m| m.lines().collect()).unwrap_or_default();
    let view = UnitsView {
        units: rows,
        kinds: Word::all::<UnitKind>(),
        values,
        errors: errors.as_ref(),
        can_add: c.actor.issuer_id.is_some(),
        list_problems,
        max_lines: crate::domain::unit_list::MAX_LINES,
    };
    Ok(c.page("units.html", status, view))
}

/// `GET /admin/units`.
#[handler]
pub(crate) async fn units_page(c: Ctx) -> Page {
    units_view(&c, None).await
}

/// `POST /admin/units`: units from a pasted list, all or none.
#[handler]
pub(crate) async fn units_add(Posted(c, f): Posted) -> Page {
    admin_only(&c)?;
    let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
    match units::create_from_list(&c.state.db, &c.actor, c.now(), issuer_id, &f.get("kind"), &f.get("list")).await {
        Ok(made) => Ok(super::done("/admin/units", if made.len() == 1 { "unit_added" } else { "units_added" })),
        Err(e) => match field_errors(&e) {
            Some(errors) => units_view(&c, Some((f.values(), errors))).await,
            None => Err(e.into()),
        },
    }
}

/// The issuer's page: its fields, and its seal image (not on a failed save).
#[derive(Serialize)]
struct IssuerView<'a> {
    values: Values<IssuerValues<'a>>,
    seal: Option<Seal>,
    errors: Option<Errors>,
}

/// The issuer's fields as stored, as the form shows them (one line a name line).
#[derive(Serialize)]
struct IssuerValues<'a> {
    code: &'a str,
    name_lines: String,
    parent_lines: String,
    abbreviation: &'a str,
    place_name: &'a str,
    full_name: &'a str,
    short_name: &'a str,
    subordinates_name: Option<&'a str>,
    collective_title: Option<&'a str>,
    head_title: &'a str,
    deputy_title: Option<&'a str>,
}

/// The seal image's box on the issuer's page.
#[derive(Serialize)]
struct Seal {
    id: Uuid,
    has: bool,
    max_kb: usize,
}

/// `GET /admin/issuer`: the issuer's name lines, place and signer titles, as printed.
#[handler]
pub(crate) async fn issuer_page(c: Ctx) -> Page {
    admin_only(&c)?;
    let id = c.actor.issuer_id.ok_or(AppError::NotFound { entity: "issuer" })?;
    let issuer = issuers::get_issuer(&c.state.db, &c.actor, id).await?;
    let seal = Seal { id: issuer.id, has: issuer.has_seal_image, max_kb: MAX_IMAGE_BYTES / 1024 };
    let i = &issuer.data;
    let values = IssuerValues {
        code: &i.code,
        name_lines: i.name_lines.join("\n"),
        parent_lines: i.parent_lines.join("\n"),
        abbreviation: &i.abbreviation,
        place_name: &i.place_name,
        full_name: &i.full_name,
        short_name: &i.short_name,
        subordinates_name: i.subordinates_name.as_deref(),
        collective_title: i.collective_title.as_deref(),
        head_title: &i.head_title,
        deputy_title: i.deputy_title.as_deref(),
    };
    let view = IssuerView { values: Values::Stored(values), seal: Some(seal), errors: None };
    Ok(c.page("issuer.html", StatusCode::OK, view))
}

/// `POST /admin/issuer`.
#[handler]
pub(crate) async fn issuer_save(Posted(c, f): Posted) -> Page {
    admin_only(&c)?;
    let id = c.actor.issuer_id.ok_or(AppError::NotFound { entity: "issuer" })?;
    match issuers::update_issuer(&c.state.db, &c.actor, c.now(), id, issuer_from(&f)).await {
        Ok(_) => Ok(super::done("/admin/issuer", "saved")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let view =
                    IssuerView { values: Values::Typed(f.values()), seal: None, errors: Some(box_errors(errors)) };
                Ok(c.page("issuer.html", StatusCode::UNPROCESSABLE_ENTITY, view))
            }
            None => Err(e.into()),
        },
    }
}

/// One unit's form (administrators): its names, kind and addresses.
#[derive(Serialize)]
struct UnitFormView<'a> {
    id: Uuid,
    values: Values<UnitValues<'a>>,
    errors: Option<Errors>,
    kinds: Vec<Word>,
}

/// A unit's fields as stored, as the form shows them (one address a line).
#[derive(Serialize)]
struct UnitValues<'a> {
    short_name: &'a str,
    name: &'a str,
    kind: &'a str,
    emails: String,
}

/// One unit's form; `failed` holds the values and errors of a failed save.
async fn unit_form(c: &Ctx, id: Uuid, failed: Option<(BTreeMap<String, String>, Errors)>) -> Page {
    admin_only(c)?;
    let u = units::get_unit(&c.state.db, &c.actor, id).await?;
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (values, errors) = match failed {
        Some((typed, errors)) => (Values::Typed(typed), Some(box_errors(errors))),
        None => {
            let emails = u.data.emails.join("\n");
            let stored = UnitValues { short_name: &u.data.short_name, name: &u.data.name, kind: &u.data.kind, emails };
            (Values::Stored(stored), None)
        }
    };
    let view = UnitFormView { id, values, errors, kinds: Word::all::<UnitKind>() };
    Ok(c.page("unit_form.html", status, view))
}

/// `GET /admin/units/{id}`.
#[handler]
pub(crate) async fn unit_edit(c: Ctx, Path(id): Path<Uuid>) -> Page {
    unit_form(&c, id, None).await
}

/// `POST /admin/units/{id}`.
#[handler]
pub(crate) async fn unit_save(Posted(c, f): Posted, Path(id): Path<Uuid>) -> Page {
    admin_only(&c)?;
    let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
    let input = crate::model::UnitInput {
        issuer_id,
        name: f.get("name").trim().to_owned(),
        short_name: f.get("short_name").trim().to_owned(),
        kind: f.get("kind").into(),
        emails: lines(&f.get("emails")),
    };
    match units::update_unit(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(_) => Ok(super::done("/admin/units#units", "unit_saved")),
        Err(e) => match field_errors(&e) {
            Some(errors) => unit_form(&c, id, Some((f.values(), errors))).await,
            None => Err(e.into()),
        },
    }
}

/// `POST /account/calendar`: makes a calendar feed and shows its address (once)
/// on the account page.
#[handler]
pub(crate) async fn feed_create(Posted(c, f): Posted) -> Page {
    let unit_id = f.get("unit_id").parse::<Uuid>().ok();
    let input = crate::model::CalendarFeedInput { unit_id };
    match calendars::create_feed(&c.state.db, &c.actor, c.now(), &c.state.public_url, input).await {
        Ok(made) => own(&c, StatusCode::CREATED, After { new_feed: Some(made.url), ..Default::default() }).await,
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                own(&c, StatusCode::UNPROCESSABLE_ENTITY, After { feed_errors: Some(errors), ..Default::default() })
                    .await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /account/calendar/{id}/revoke`: revokes one of one's calendar feeds.
#[handler]
pub(crate) async fn feed_revoke(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    calendars::revoke_feed(&c.state.db, &c.actor, c.now(), id).await?;
    Ok(super::done("/account#calendar", "feed_revoked"))
}

/// The iCalendar behind a feed's secret address (no session: calendar programs
/// cannot log in; the secret is the key).
#[handler]
pub(crate) async fn feed(o: Open, Path(file): Path<String>) -> Page {
    let secret = file.strip_suffix(".ics").unwrap_or("");
    match calendars::feed_ics(&o.state.db, secret, o.now(), &o.state.public_url, &o.state.reminders).await {
        Ok(text) => Ok(Response::builder()
            .content_type("text/calendar; charset=utf-8")
            .header("cache-control", "private, max-age=300")
            .body(text)),
        Err(AppError::NotFound { .. }) => Ok(Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("Không có lịch ở địa chỉ này (có thể đã bị thu hồi).")),
        Err(e) => Err(e.into()),
    }
}
