//! The administrators' signing keys page: who holds which key until when, a form
//! that imports a PKCS#12 (through the API, so the file never sits in a form
//! draft), and retiring a key.

use poem::handler;
use poem::http::StatusCode;
use poem::web::Path;
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, Page, Posted};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::keys;

/// The keys page.
#[derive(Serialize)]
struct KeysView<'a> {
    keys: Vec<KeyRow<'a>>,
    candidates: &'a [keys::Candidate],
    signing_on: bool,
    can_import: bool,
    allow_untrusted: bool,
    warn_days: i64,
}

/// One key, as the table shows it.
#[derive(Serialize)]
struct KeyRow<'a> {
    id: Uuid,
    holder: &'a str,
    kind: &'static str,
    subject: &'a str,
    issued_by: &'a str,
    serial: &'a str,
    fingerprint: &'a str,
    from: String,
    until: String,
    days_left: i64,
    installed: String,
    active: bool,
    installer: &'a str,
    soon: bool,
}

/// `GET /admin/keys`.
#[handler]
pub(crate) async fn page(c: Ctx) -> Page {
    if !c.is(&[Role::Admin]) {
        return Err(AppError::Forbidden.into());
    }
    let o = keys::overview(&c.state.db, &c.state.signing, &c.actor, c.now()).await?;
    let day = super::view::vn_date;
    let rows = o
        .keys
        .iter()
        .map(|k| KeyRow {
            id: k.id,
            holder: &k.holder,
            kind: if k.user_id.is_some() { "Người ký" } else { "Cơ quan" },
            subject: &k.subject,
            issued_by: &k.issued_by,
            serial: &k.serial,
            fingerprint: &k.fingerprint,
            from: day(k.not_before),
            until: day(k.not_after),
            days_left: k.days_left,
            installed: super::view::vn_time(k.installed_at),
            active: k.active,
            installer: k.installed_by_name.as_deref().unwrap_or("dòng lệnh trên máy chủ"),
            soon: k.active && k.days_left < keys::WARN_DAYS,
        })
        .collect();
    let view = KeysView {
        keys: rows,
        candidates: &o.candidates,
        signing_on: o.signing_on,
        can_import: o.can_import,
        allow_untrusted: o.allow_untrusted,
        warn_days: keys::WARN_DAYS,
    };
    Ok(c.page("keys.html", StatusCode::OK, view))
}

/// `POST /admin/keys/{id}/retire`.
#[handler]
pub(crate) async fn retire(Posted(c, _): Posted, Path(id): Path<Uuid>) -> Page {
    keys::retire(&c.state.db, &c.actor, c.now(), id).await?;
    Ok(super::done("/admin/keys", "key_retired"))
}
