//! The server administrator's pages: every office on the server with its
//! administrators, a form to create an office, and one to appoint an office's
//! administrator (invited by mail, or the link handed over on the page when this
//! server sends no mail). Nothing here reads an office's tasks, results or documents.

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::account::issuer_from;
use super::links::Errors;
use super::people::Handover;
use super::view::Named;
use super::{Ctx, Page, Posted, field_errors};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{Paging, UserInput};
use crate::services::{accounts, issuers, users};

/// The offices page.
#[derive(Serialize)]
struct OfficesView<'a> {
    offices: Vec<OfficeRow>,
    choices: Vec<Named>,
    office_values: BTreeMap<String, String>,
    office_errors: Option<Errors>,
    admin_values: BTreeMap<String, String>,
    admin_errors: Option<Errors>,
    handover: Option<Handover<'a>>,
}

/// One office of the list (named by its printed name lines), with its administrators.
#[derive(Serialize)]
struct OfficeRow {
    id: Uuid,
    code: String,
    name: String,
    admins: Vec<String>,
}

fn server_only(c: &Ctx) -> Result<()> {
    if c.actor.server_admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// What a failed form left on the page: which form, what was typed, what was wrong.
enum Failed {
    Office(BTreeMap<String, String>, Errors),
    Admin(BTreeMap<String, String>, Errors),
}

async fn offices(c: &Ctx, status: StatusCode, failed: Option<Failed>, handover: Option<Handover<'_>>) -> Page {
    server_only(c)?;
    let all = Paging { page: 1, per_page: 500 };
    let list = issuers::list_issuers(&c.state.db, &c.actor, all).await?.items;
    let admins = users::list_users(&c.state.db, &c.actor, None, None, Some(Role::Admin.code().into()), all).await?;
    let offices = list
        .iter()
        .map(|i| OfficeRow {
            id: i.id,
            code: i.data.code.clone(),
            name: i.data.name_lines.join(" "),
            admins: admins
                .items
                .iter()
                .filter(|u| u.data.issuer_id == i.id && u.deactivated_at.is_none())
                .map(|u| format!("{} ({})", u.data.name, u.data.username))
                .collect(),
        })
        .collect();
    let choices = list.iter().map(|i| Named { id: i.id, name: i.data.name_lines.join(" ") }).collect();
    let mut view = OfficesView {
        offices,
        choices,
        office_values: BTreeMap::new(),
        office_errors: None,
        admin_values: BTreeMap::new(),
        admin_errors: None,
        handover,
    };
    match failed {
        Some(Failed::Office(values, errors)) => (view.office_values, view.office_errors) = (values, Some(errors)),
        Some(Failed::Admin(values, errors)) => (view.admin_values, view.admin_errors) = (values, Some(errors)),
        None => {}
    }
    Ok(c.page("offices.html", status, view))
}

/// `GET /admin/offices`.
#[handler]
pub(crate) async fn offices_page(c: Ctx) -> Page {
    offices(&c, StatusCode::OK, None, None).await
}

/// `POST /admin/offices`: a new office.
#[handler]
pub(crate) async fn office_add(Posted(c, f): Posted) -> Page {
    server_only(&c)?;
    match issuers::create_issuer(&c.state.db, &c.actor, c.now(), issuer_from(&f)).await {
        Ok(_) => Ok(super::done("/admin/offices#offices", "office_created")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                offices(&c, StatusCode::UNPROCESSABLE_ENTITY, Some(Failed::Office(f.values(), errors)), None).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /admin/offices/admins`: an office's administrator, invited.
#[handler]
pub(crate) async fn office_admin_add(Posted(c, f): Posted) -> Page {
    server_only(&c)?;
    let issuer_id = f.get("issuer_id").parse::<Uuid>().unwrap_or_default();
    let input = UserInput {
        issuer_id,
        username: f.get("username").trim().to_owned(),
        name: f.get("name").trim().to_owned(),
        email: f.get("email").trim().to_owned(),
        unit_id: None,
        role: Role::Admin.code().to_owned().into(),
    };
    match accounts::create_and_invite(&c.state.db, &c.actor, c.now(), &c.state.public_url, input).await {
        Ok((user, link)) => {
            if c.state.mailer.is_some() {
                return Ok(super::done("/admin/offices#offices", "admin_invited"));
            }
            let handover =
                Handover { name: &user.data.name, url: &link.url, until: super::view::vn_time(link.expires_at) };
            offices(&c, StatusCode::OK, None, Some(handover)).await
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                offices(&c, StatusCode::UNPROCESSABLE_ENTITY, Some(Failed::Admin(f.values(), errors)), None).await
            }
            None => Err(e.into()),
        },
    }
}
