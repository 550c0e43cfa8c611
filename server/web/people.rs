//! The administrators' people: the list with who has not come in yet, adding a
//! person (an invitation by mail, or its link handed over on the page when this
//! server sends no mail), a person's form, deactivating and reactivating.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::account::admin_only;
use super::{Ctx, Form, field_errors, respond, session, session_form};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{Paging, UserInput};
use crate::services::{accounts, now, units, users};
use crate::state::AppState;

/// The roles a person may be given, for a select.
fn role_choices() -> Vec<Value> {
    Role::ALL.iter().map(|r| json!({"code": r.code(), "label": r.label()})).collect()
}

/// The units a person may be put in: the active ones, and `keep` (the person's own
/// unit) even if it has stopped working.
fn unit_choices(all: &[crate::model::Unit], keep: Option<Uuid>) -> Vec<Value> {
    all.iter()
        .filter(|u| u.deactivated_at.is_none() || Some(u.id) == keep)
        .map(|u| json!({"id": u.id, "name": u.data.short_name}))
        .collect()
}

/// The administrators' people page: everyone of the issuer, the form to add one
/// (who is mailed an invitation), and a button to mail an invitation again.
async fn people(
    c: &Ctx,
    status: StatusCode,
    values: Value,
    errors: Option<BTreeMap<String, String>>,
) -> Result<Response> {
    people_with(c, status, values, errors, Value::Null).await
}

/// The people page, with `handover` (a one-time link made while this server sends
/// no mail, for the administrator to pass on) said at its top.
async fn people_with(
    c: &Ctx,
    status: StatusCode,
    values: Value,
    errors: Option<BTreeMap<String, String>>,
    handover: Value,
) -> Result<Response> {
    admin_only(c)?;
    let all = Paging { page: 1, per_page: 500 };
    let list = users::list_users(&c.state.db, &c.actor, c.actor.issuer_id, None, None, all).await?;
    let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, kind: None };
    let unit_list = units::list_units(&c.state.db, &c.actor, filter, all).await?;
    let unit_name: BTreeMap<Uuid, String> = unit_list.items.iter().map(|u| (u.id, u.data.short_name.clone())).collect();
    let waiting: Vec<Uuid> = list.items.iter().filter(|u| !u.has_password).map(|u| u.id).collect();
    let invites = accounts::open_invitations(&c.state.db, &c.actor, now(), &waiting).await?;
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|u| {
            let role = u.data.role.parse::<Role>().ok();
            json!({"id": u.id, "name": u.data.name, "username": u.data.username, "email": u.data.email,
                "role": role.map(|r| r.label()).unwrap_or("Chỉ xem"),
                "unit": u.data.unit_id.and_then(|i| unit_name.get(&i).cloned()),
                "is_self": Some(u.id) == c.actor.user_id,
                "invited": !u.has_password,
                "invite_until": invites.get(&u.id).map(|t| super::documents::vn_time(*t)),
                "inactive_since": u.deactivated_at.map(super::documents::vn_date)})
        })
        .collect();
    let (roles, units) = (role_choices(), unit_choices(&unit_list.items, None));
    Ok(c.page(
        "users.html",
        status,
        json!({"users": rows, "roles": roles, "units": units, "values": values, "errors": errors,
            "can_add": c.actor.issuer_id.is_some(), "handover": handover}),
    ))
}

#[handler]
pub(crate) async fn people_page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = people(&c, StatusCode::OK, json!({}), None).await;
    respond(&c, r)
}

/// A person as the add and edit forms give them, in the administrator's office.
fn person_input(c: &Ctx, f: &Form) -> Result<UserInput> {
    Ok(UserInput {
        issuer_id: c.actor.issuer_id.ok_or(AppError::Forbidden)?,
        username: f.get("username").trim().to_owned(),
        name: f.get("name").trim().to_owned(),
        email: f.get("email").trim().to_owned(),
        unit_id: f.opt("unit_id").and_then(|u| u.parse().ok()),
        role: f.get("role").into(),
    })
}

#[handler]
pub(crate) async fn people_add(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        admin_only(&c)?;
        let input = person_input(&c, &f)?;
        match accounts::create_and_invite(&c.state.db, &c.actor, now(), &c.state.public_url, input).await {
            Ok((user, link)) => invited(&c, &user.data.name, &link).await,
            Err(e) => match field_errors(&e) {
                Some(errors) => {
                    let values = json!(f.values());
                    people(&c, StatusCode::UNPROCESSABLE_ENTITY, values, Some(errors)).await
                }
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn people_invite(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let link = accounts::invite(&c.state.db, &c.actor, now(), &c.state.public_url, id).await?;
        let user = users::get_user(&c.state.db, &c.actor, id).await?;
        invited(&c, &user.data.name, &link).await
    }
    .await;
    respond(&c, r)
}

/// After an invitation: with mail on, back to the list ("queued"); with mail off
/// (this server sends nothing), the page itself hands the one-time link over, as it
/// is never shown again.
async fn invited(c: &Ctx, name: &str, link: &accounts::IssuedLink) -> Result<Response> {
    if c.state.mailer.is_some() {
        return Ok(super::done("/admin/users#notice", "invited"));
    }
    let handover = json!({"name": name, "url": link.url, "until": super::documents::vn_time(link.expires_at)});
    people_with(c, StatusCode::OK, json!({}), None, handover).await
}

/// Deactivates (`active == false`) or brings back a user from the people page.
async fn people_active(state: Data<&AppState>, req: &Request, id: Uuid, body: Body, active: bool) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        accounts::set_user_active(&c.state.db, &c.actor, now(), id, active).await?;
        Ok(super::done("/admin/users#users", if active { "user_reactivated" } else { "user_deactivated" }))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn people_deactivate(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    body: Body,
) -> Response {
    people_active(state, req, id, body, false).await
}

#[handler]
pub(crate) async fn people_reactivate(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    body: Body,
) -> Response {
    people_active(state, req, id, body, true).await
}

/// One person's form (administrators): name, login name, address, role and unit.
async fn person_form(
    c: &Ctx,
    id: Uuid,
    status: StatusCode,
    values: Option<Value>,
    errors: Option<BTreeMap<String, String>>,
) -> Result<Response> {
    admin_only(c)?;
    let u = users::get_user(&c.state.db, &c.actor, id).await?;
    let values = values.unwrap_or_else(|| {
        json!({"name": u.data.name, "username": u.data.username, "email": u.data.email, "role": u.data.role.to_string(),
            "unit_id": u.data.unit_id.map(|i| i.to_string()).unwrap_or_default()})
    });
    let all = Paging { page: 1, per_page: 500 };
    let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, kind: None };
    let unit_list = units::list_units(&c.state.db, &c.actor, filter, all).await?;
    let (roles, units) = (role_choices(), unit_choices(&unit_list.items, u.data.unit_id));
    Ok(c.page(
        "user_form.html",
        status,
        json!({"id": id, "values": values, "errors": errors, "roles": roles, "units": units,
            "is_self": Some(id) == c.actor.user_id}),
    ))
}

#[handler]
pub(crate) async fn person_edit(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = person_form(&c, id, StatusCode::OK, None, None).await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn person_save(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        admin_only(&c)?;
        let input = person_input(&c, &f)?;
        match users::update_user(&c.state.db, &c.actor, now(), id, input).await {
            Ok(_) => Ok(super::done("/admin/users#users", "user_saved")),
            Err(e) => match field_errors(&e) {
                Some(errors) => {
                    person_form(&c, id, StatusCode::UNPROCESSABLE_ENTITY, Some(json!(f.values())), Some(errors)).await
                }
                None => Err(e),
            },
        }
    }
    .await;
    respond(&c, r)
}
