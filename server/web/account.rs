//! The issuer and its units: first-run setup, each user's own page and calendar
//! addresses, the issuer's page and the units (people are in `people`, the
//! password pages in `links`).

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::links::repeat_error;
use super::{Ctx, Form, box_errors, error_page, field_errors, lines, render, respond, session, session_form};
use crate::domain::{Role, UnitKind};
use crate::error::{AppError, Result};
use crate::model::{IssuerInput, Paging};
use crate::services::{auth, issuers, now, setup, units, users};
use crate::state::AppState;

#[handler]
pub(crate) async fn own_page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    own(&c, StatusCode::OK, json!({})).await
}

/// One's own page: address, signature image (signers), password. `extra` carries
/// a failed form's errors and values.
async fn own(c: &Ctx, status: StatusCode, extra: Value) -> Response {
    let me = match users::get_user(&c.state.db, &c.actor, c.actor.user_id.unwrap_or_default()).await {
        Ok(me) => me,
        Err(e) => return error_page(Some(c), &e),
    };
    let signs = matches!(c.actor.role, Some(Role::Signer | Role::Admin));
    let feeds = match crate::services::calendars::list_feeds(&c.state.db, &c.actor).await {
        Ok(f) => f,
        Err(e) => return error_page(Some(c), &e),
    };
    let feeds: Vec<Value> = feeds
        .iter()
        .map(|f| {
            json!({"id": f.id, "label": f.label, "created": super::documents::vn_date(f.created_at),
            "revoked": f.revoked_at.map(super::documents::vn_date)})
        })
        .collect();
    // A unit officer's feed is their unit's; the office may narrow one to any unit.
    let feed_units = if c.actor.role == Some(Role::UnitOfficer) {
        Vec::new()
    } else {
        let all = crate::model::Paging { page: 1, per_page: crate::model::Paging::MAX_PER_PAGE };
        match units::list_units(
            &c.state.db,
            &c.actor,
            units::UnitFilter { issuer_id: c.actor.issuer_id, ..Default::default() },
            all,
        )
        .await
        {
            Ok(p) => p
                .items
                .iter()
                .filter(|u| u.deactivated_at.is_none())
                .map(|u| json!({"id": u.id, "name": u.data.name}))
                .collect(),
            Err(e) => return error_page(Some(c), &e),
        }
    };
    let mut ctx = json!({"username": c.username, "name": c.name, "id": me.id, "email": me.data.email,
        "signs": signs, "has_signature_image": me.has_signature_image, "feeds": feeds, "feed_units": feed_units,
        "max_image_kb": crate::services::images::MAX_IMAGE_BYTES / 1024});
    if let (Some(o), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    c.page("account.html", status, ctx)
}

/// A change of one's own e-mail address.
#[handler]
pub(crate) async fn own_email(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    if let Err(e) = f.check_csrf(&c) {
        return error_page(Some(&c), &e);
    }
    match users::change_own_email(&c.state.db, &c.actor, now(), &f.get("email")).await {
        Ok(_) => super::done("/account", "email_changed"),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                own(&c, StatusCode::UNPROCESSABLE_ENTITY, json!({"email_errors": errors, "email": f.get("email")}))
                    .await
            }
            None => error_page(Some(&c), &e),
        },
    }
}

#[handler]
pub(crate) async fn own_change(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    if let Err(e) = f.check_csrf(&c) {
        return error_page(Some(&c), &e);
    }
    let (current, new, repeat) = (f.get("current"), f.get("new"), f.get("repeat"));
    if let Some(errors) = repeat_error(&new, &repeat) {
        return own(&c, StatusCode::UNPROCESSABLE_ENTITY, json!({"errors": errors})).await;
    }
    match auth::change_own_password(&c.state.db, &c.actor, now(), c.session.id, &current, &new).await {
        Ok(()) => super::done("/account", "password_changed"),
        Err(e) => match field_errors(&e) {
            Some(errors) => own(&c, StatusCode::UNPROCESSABLE_ENTITY, json!({"errors": errors})).await,
            None => error_page(Some(&c), &e),
        },
    }
}

/// Deactivates (`active == false`) or brings back a unit from the units page.
async fn unit_active(state: Data<&AppState>, req: &Request, id: Uuid, body: Body, active: bool) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        units::set_unit_active(&c.state.db, &c.actor, now(), id, active).await?;
        Ok(super::done("/admin/units#units", if active { "unit_reactivated" } else { "unit_deactivated" }))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn unit_deactivate(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    body: Body,
) -> Response {
    unit_active(state, req, id, body, false).await
}

#[handler]
pub(crate) async fn unit_reactivate(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    body: Body,
) -> Response {
    unit_active(state, req, id, body, true).await
}

/// What the setup page starts with: the usual words of a People's Committee.
fn setup_defaults() -> Value {
    json!({"abbreviation": "UBND", "collective_title": "ỦY BAN NHÂN DÂN",
        "head_title": "CHỦ TỊCH", "deputy_title": "PHÓ CHỦ TỊCH"})
}

fn setup_gone() -> Response {
    render(
        "setup.html",
        StatusCode::GONE,
        json!({"gone": "Liên kết thiết lập không còn dùng được: hệ thống đã có người dùng (hãy đăng nhập), hoặc máy chủ đã khởi động lại và in liên kết mới vào nhật ký."}),
    )
}

#[handler]
pub(crate) async fn setup_page(state: Data<&AppState>, Path(secret): Path<String>) -> Response {
    if !state.setup.admits(&secret) || !matches!(setup::needs_setup(&state.db).await, Ok(true)) {
        return setup_gone();
    }
    render("setup.html", StatusCode::OK, json!({"secret": secret, "values": setup_defaults()}))
}

/// The administrators' pages refuse everyone else.
pub(crate) fn admin_only(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin]) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The issuer's fields as typed on the setup or issuer page.
fn issuer_from(f: &Form) -> IssuerInput {
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

#[handler]
pub(crate) async fn setup_run(
    state: Data<&AppState>,
    req: &Request,
    Path(secret): Path<String>,
    body: Body,
) -> Response {
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
    let addr = Some(req.remote_addr().to_string());
    match setup::first_run(&state.db, &state.setup, &secret, now(), issuer, admin, addr).await {
        Ok(username) => super::home::to_login("setup", &username),
        Err(AppError::Conflict { code: "already_set_up", .. }) => setup_gone(),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let errors = box_errors(errors);
                render(
                    "setup.html",
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"secret": secret, "values": values, "errors": errors}),
                )
            }
            None => error_page(None, &e),
        },
    }
}

/// The administrators' units page: the issuer's units, and a box to paste a list.
async fn units_view(
    c: &Ctx,
    status: StatusCode,
    values: Value,
    errors: Option<BTreeMap<String, String>>,
) -> Result<Response> {
    admin_only(c)?;
    let all = Paging { page: 1, per_page: 500 };
    let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, kind: None };
    let list = units::list_units(&c.state.db, &c.actor, filter, all).await?;
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|u| {
            let kind = u.data.kind.parse::<UnitKind>().map(|k| k.label()).unwrap_or("Đơn vị khác");
            json!({"id": u.id, "short_name": u.data.short_name, "name": u.data.name, "kind": kind,
                "emails": u.data.emails.join(", "), "inactive_since": u.deactivated_at.map(super::documents::vn_date)})
        })
        .collect();
    let kinds: Vec<Value> = UnitKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect();
    // One problem a line of the pasted list.
    let list_problems: Vec<&str> =
        errors.as_ref().and_then(|e| e.get("list")).map(|m| m.lines().collect()).unwrap_or_default();
    Ok(c.page(
        "units.html",
        status,
        json!({"units": rows, "kinds": kinds, "values": values, "errors": errors, "can_add": c.actor.issuer_id.is_some(),
            "list_problems": list_problems,
            "max_lines": crate::domain::unit_list::MAX_LINES}),
    ))
}

#[handler]
pub(crate) async fn units_page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = units_view(&c, StatusCode::OK, json!({}), None).await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn units_add(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        admin_only(&c)?;
        let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
        match units::create_from_list(&c.state.db, &c.actor, now(), issuer_id, &f.get("kind"), &f.get("list")).await {
            Ok(made) => Ok(super::done("/admin/units", if made.len() == 1 { "unit_added" } else { "units_added" })),
            Err(e) => match field_errors(&e) {
                Some(errors) => units_view(&c, StatusCode::UNPROCESSABLE_ENTITY, json!(f.values()), Some(errors)).await,
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}

/// The issuer's page: its name lines, place and signer titles, as printed.
#[handler]
pub(crate) async fn issuer_page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        admin_only(&c)?;
        let id = c.actor.issuer_id.ok_or_else(|| AppError::NotFound { entity: "issuer" })?;
        let issuer = issuers::get_issuer(&c.state.db, &c.actor, id).await?;
        let seal = json!({"id": issuer.id, "has": issuer.has_seal_image,
            "max_kb": crate::services::images::MAX_IMAGE_BYTES / 1024});
        let i = issuer.data;
        let values = json!({"code": i.code, "name_lines": i.name_lines.join("\n"), "parent_lines": i.parent_lines.join("\n"),
            "abbreviation": i.abbreviation, "place_name": i.place_name, "full_name": i.full_name, "short_name": i.short_name,
            "subordinates_name": i.subordinates_name, "collective_title": i.collective_title, "head_title": i.head_title,
            "deputy_title": i.deputy_title});
        Ok(c.page("issuer.html", StatusCode::OK, json!({"values": values, "seal": seal})))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn issuer_save(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        admin_only(&c)?;
        let id = c.actor.issuer_id.ok_or_else(|| AppError::NotFound { entity: "issuer" })?;
        match issuers::update_issuer(&c.state.db, &c.actor, now(), id, issuer_from(&f)).await {
            Ok(_) => Ok(super::done("/admin/issuer", "saved")),
            Err(e) => match field_errors(&e) {
                Some(errors) => Ok(c.page(
                    "issuer.html",
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"values": f.values(), "errors": box_errors(errors)}),
                )),
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}

/// One unit's form (administrators): its names, kind and addresses.
async fn unit_form(
    c: &Ctx,
    id: Uuid,
    status: StatusCode,
    values: Option<Value>,
    errors: Option<BTreeMap<String, String>>,
) -> Result<Response> {
    admin_only(c)?;
    let u = units::get_unit(&c.state.db, &c.actor, id).await?;
    let values = values.unwrap_or_else(|| {
        json!({"short_name": u.data.short_name, "name": u.data.name, "kind": u.data.kind.to_string(),
            "emails": u.data.emails.join("\n")})
    });
    let kinds: Vec<Value> = UnitKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect();
    Ok(c.page(
        "unit_form.html",
        status,
        json!({"id": id, "values": values, "errors": errors.map(box_errors), "kinds": kinds}),
    ))
}

#[handler]
pub(crate) async fn unit_edit(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = unit_form(&c, id, StatusCode::OK, None, None).await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn unit_save(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        admin_only(&c)?;
        let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
        let input = crate::model::UnitInput {
            issuer_id,
            name: f.get("name").trim().to_owned(),
            short_name: f.get("short_name").trim().to_owned(),
            kind: f.get("kind").into(),
            emails: lines(&f.get("emails")),
        };
        match units::update_unit(&c.state.db, &c.actor, now(), id, input).await {
            Ok(_) => Ok(super::done("/admin/units#units", "unit_saved")),
            Err(e) => match field_errors(&e) {
                Some(errors) => {
                    unit_form(&c, id, StatusCode::UNPROCESSABLE_ENTITY, Some(json!(f.values())), Some(errors)).await
                }
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}

/// Makes a calendar feed and shows its address (once) on the account page.
#[handler]
pub(crate) async fn feed_create(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    if let Err(e) = f.check_csrf(&c) {
        return error_page(Some(&c), &e);
    }
    let unit_id = f.get("unit_id").parse::<Uuid>().ok();
    let input = crate::model::CalendarFeedInput { unit_id };
    match crate::services::calendars::create_feed(&c.state.db, &c.actor, now(), &c.state.public_url, input).await {
        Ok(made) => own(&c, StatusCode::CREATED, json!({"new_feed": made.url})).await,
        Err(e) => match field_errors(&e) {
            Some(errors) => own(&c, StatusCode::UNPROCESSABLE_ENTITY, json!({"feed_errors": errors})).await,
            None => error_page(Some(&c), &e),
        },
    }
}

/// Revokes one of one's calendar feeds.
#[handler]
pub(crate) async fn feed_revoke(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    if let Err(e) = f.check_csrf(&c) {
        return error_page(Some(&c), &e);
    }
    match crate::services::calendars::revoke_feed(&c.state.db, &c.actor, now(), id).await {
        Ok(_) => super::done("/account#calendar", "feed_revoked"),
        Err(e) => error_page(Some(&c), &e),
    }
}

/// The iCalendar behind a feed's secret address (no session: calendar programs
/// cannot log in; the secret is the key).
#[handler]
pub(crate) async fn feed(state: Data<&AppState>, Path(file): Path<String>) -> Response {
    let secret = file.strip_suffix(".ics").unwrap_or("");
    match crate::services::calendars::feed_ics(&state.db, secret, now(), &state.public_url, &state.reminders).await {
        Ok(text) => Response::builder()
            .content_type("text/calendar; charset=utf-8")
            .header("cache-control", "private, max-age=300")
            .body(text),
        Err(AppError::NotFound { .. }) => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("Không có lịch ở địa chỉ này (có thể đã bị thu hồi)."),
        Err(e) => error_page(None, &e),
    }
}
