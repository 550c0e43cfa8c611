//! The administrators' people: the list with who has not come in yet, adding a
//! person (an invitation by mail, or its link handed over on the page when this
//! server sends no mail), a person's form, deactivating and reactivating.

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use poem::web::Path;
use serde::Serialize;
use uuid::Uuid;

use super::account::admin_only;
use super::links::{Errors, Values};
use super::view::{Named, Word};
use super::{Ctx, Form, Page, Posted, field_errors};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{Paging, Unit, UserInput};
use crate::services::{accounts, units, users};

/// The units a person may be put in: the active ones, and `keep` (the person's own
/// unit) even if it has stopped working.
fn unit_choices(all: &[Unit], keep: Option<Uuid>) -> Vec<Named> {
    all.iter()
        .filter(|u| u.deactivated_at.is_none() || Some(u.id) == keep)
        .map(|u| Named { id: u.id, name: u.data.short_name.clone() })
        .collect()
}

/// The roles a person may be given here: a server administrator's only by a server
/// administrator.
fn role_choices(c: &Ctx) -> Vec<Word> {
    Role::ALL.iter().filter(|r| **r != Role::ServerAdmin || c.actor.server_admin).map(|r| Word::of(*r)).collect()
}

/// The issuer's units, for the people pages.
async fn unit_list(c: &Ctx) -> Result<Vec<Unit>> {
    let all = Paging { page: 1, per_page: 500 };
    let filter = units::UnitFilter { issuer_id: c.actor.issuer_id, kind: None };
    Ok(units::list_units(&c.state.db, &c.actor, filter, all).await?.items)
}

/// The administrators' people page: everyone of the issuer, the form to add one
/// (who is mailed an invitation), and a button to mail an invitation again.
#[derive(Serialize)]
struct PeopleView<'a> {
    users: Vec<PersonRow<'a>>,
    roles: Vec<Word>,
    units: Vec<Named>,
    values: BTreeMap<String, String>,
    errors: Option<Errors>,
    can_add: bool,
    handover: Option<Handover<'a>>,
}

/// One person of the list.
#[derive(Serialize)]
struct PersonRow<'a> {
    id: Uuid,
    name: &'a str,
    username: &'a str,
    email: &'a str,
    role: &'static str,
    unit: Option<&'a str>,
    is_self: bool,
    invited: bool,
    invite_until: Option<String>,
    inactive_since: Option<String>,
}

/// A one-time link made while this server sends no mail, for the administrator to
/// pass on: whose it is, the address, and until when it works.
#[derive(Serialize)]
pub(crate) struct Handover<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub until: String,
}

/// The people page with the values and errors of a failed addition.
async fn people(c: &Ctx, status: StatusCode, values: BTreeMap<String, String>, errors: Option<Errors>) -> Page {
    people_with(c, status, values, errors, None).await
}

/// The people page, with `handover` said at its top.
async fn people_with(
    c: &Ctx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: Option<Errors>,
    handover: Option<Handover<'_>>,
) -> Page {
    admin_only(c)?;
    let all = Paging { page: 1, per_page: 500 };
    let list = users::list_users(&c.state.db, &c.actor, c.actor.issuer_id, None, None, all).await?;
    let unit_list = unit_list(c).await?;
    let unit_name: BTreeMap<Uuid, &str> = unit_list.iter().map(|u| (u.id, u.data.short_name.as_str())).collect();
    let waiting: Vec<Uuid> = list.items.iter().filter(|u| !u.has_password).map(|u| u.id).collect();
    let invites = accounts::open_invitations(&c.state.db, &c.actor, c.now(), &waiting).await?;
    let rows = list
        .items
        .iter()
        .map(|u| PersonRow {
            id: u.id,
            name: &u.data.name,
            username: &u.data.username,
            email: &u.data.email,
            role: u.data.role.parse::<Role>().map(|r| r.label()).unwrap_or("Chỉ xem"),
            unit: u.data.unit_id.and_then(|i| unit_name.get(&i).copied()),
            is_self: Some(u.id) == c.actor.user_id,
            invited: !u.has_password,
            invite_until: invites.get(&u.id).map(|t| super::view::vn_time(*t)),
            inactive_since: u.deactivated_at.map(super::view::vn_date),
        })
        .collect();
    let view = PeopleView {
        users: rows,
        roles: role_choices(c),
        units: unit_choices(&unit_list, None),
        values,
        errors,
        can_add: c.actor.issuer_id.is_some(),
        handover,
    };
    Ok(c.page("users.html", status, view))
}

/// `GET /admin/users`.
#[handler]
pub(crate) async fn people_page(c: Ctx) -> Page {
    people(&c, StatusCode::OK, BTreeMap::new(), None).await
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

/// `POST /admin/users`: adds a person and invites them.
#[handler]
pub(crate) async fn people_add(Posted(c, f): Posted) -> Page {
    admin_only(&c)?;
    let input = person_input(&c, &f)?;
    match accounts::create_and_invite(&c.state.db, &c.actor, c.now(), &c.state.public_url, input).await {
        Ok((user, link)) => invited(&c, &user.data.name, &link).await,
        Err(e) => match field_errors(&e) {
            Some(errors) => people(&c, StatusCode::UNPROCESSABLE_ENTITY, f.values(), Some(errors)).await,
            None => Err(e.into()),
        },
    }
}

/// `POST /admin/users/{id}/invite`: a new link to set a password.
#[handler]
pub(crate) async fn people_invite(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    let link = accounts::invite(&c.state.db, &c.actor, c.now(), &c.state.public_url, id).await?;
    let user = users::get_user(&c.state.db, &c.actor, id).await?;
    invited(&c, &user.data.name, &link).await
}

/// After an invitation: with mail on, back to the list ("queued"); with mail off
/// (this server sends nothing), the page itself hands the one-time link over, as it
/// is never shown again.
async fn invited(c: &Ctx, name: &str, link: &accounts::IssuedLink) -> Page {
    if c.state.mailer.is_some() {
        return Ok(super::done("/admin/users#notice", "invited"));
    }
    let handover = Handover { name, url: &link.url, until: super::view::vn_time(link.expires_at) };
    people_with(c, StatusCode::OK, BTreeMap::new(), None, Some(handover)).await
}

/// Deactivates (`active == false`) or brings back a user from the people page.
async fn people_active(c: Ctx, id: Uuid, active: bool) -> Page {
    accounts::set_user_active(&c.state.db, &c.actor, c.now(), id, active).await?;
    Ok(super::done("/admin/users#users", if active { "user_reactivated" } else { "user_deactivated" }))
}

/// `POST /admin/users/{id}/deactivate`.
#[handler]
pub(crate) async fn people_deactivate(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    people_active(c, id, false).await
}

/// `POST /admin/users/{id}/reactivate`.
#[handler]
pub(crate) async fn people_reactivate(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    people_active(c, id, true).await
}

/// One person's form (administrators): name, login name, address, role and unit.
#[derive(Serialize)]
struct PersonView<'a> {
    id: Uuid,
    values: Values<PersonValues<'a>>,
    errors: Option<Errors>,
    roles: Vec<Word>,
    units: Vec<Named>,
    is_self: bool,
}

/// A person's fields as stored, as the form shows them.
#[derive(Serialize)]
struct PersonValues<'a> {
    name: &'a str,
    username: &'a str,
    email: &'a str,
    role: &'a str,
    unit_id: String,
}

/// One person's form, with the values and errors of a failed save.
async fn person_form(
    c: &Ctx,
    id: Uuid,
    status: StatusCode,
    values: Option<BTreeMap<String, String>>,
    errors: Option<Errors>,
) -> Page {
    admin_only(c)?;
    let u = users::get_user(&c.state.db, &c.actor, id).await?;
    let values = match values {
        Some(typed) => Values::Typed(typed),
        None => Values::Stored(PersonValues {
            name: &u.data.name,
            username: &u.data.username,
            email: &u.data.email,
            role: u.data.role.as_str(),
            unit_id: u.data.unit_id.map(|i| i.to_string()).unwrap_or_default(),
        }),
    };
    let unit_list = unit_list(c).await?;
    let view = PersonView {
        id,
        values,
        errors,
        roles: role_choices(c),
        units: unit_choices(&unit_list, u.data.unit_id),
        is_self: Some(id) == c.actor.user_id,
    };
    Ok(c.page("user_form.html", status, view))
}

/// `GET /admin/users/{id}`.
#[handler]
pub(crate) async fn person_edit(c: Ctx, Path(id): Path<Uuid>) -> Page {
    person_form(&c, id, StatusCode::OK, None, None).await
}

/// `POST /admin/users/{id}`.
#[handler]
pub(crate) async fn person_save(Posted(c, f): Posted, Path(id): Path<Uuid>) -> Page {
    admin_only(&c)?;
    let input = person_input(&c, &f)?;
    match users::update_user(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(_) => Ok(super::done("/admin/users#users", "user_saved")),
        Err(e) => match field_errors(&e) {
            Some(errors) => person_form(&c, id, StatusCode::UNPROCESSABLE_ENTITY, Some(f.values()), Some(errors)).await,
            None => Err(e.into()),
        },
    }
}
