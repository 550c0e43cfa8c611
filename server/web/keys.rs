//! The administrators' signing keys page: who holds which key until when, a form
//! that imports a PKCS#12 (through the API, so the file never sits in a form
//! draft), and retiring a key.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::json;
use uuid::Uuid;

use super::{respond, session, session_form};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::{keys, now};
use crate::state::AppState;

#[handler]
pub(crate) async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        if !c.is(&[Role::Admin]) {
            return Err(AppError::Forbidden);
        }
        let o = keys::overview(&c.state.db, &c.state.signing, &c.actor, now()).await?;
        let day = super::documents::vn_date;
        let rows: Vec<serde_json::Value> = o
            .keys
            .iter()
            .map(|k| {
                json!({"id": k.id, "holder": k.holder, "kind": if k.user_id.is_some() { "Người ký" } else { "Cơ quan" },
                    "subject": k.subject, "issued_by": k.issued_by, "serial": k.serial, "fingerprint": k.fingerprint,
                    "from": day(k.not_before), "until": day(k.not_after), "days_left": k.days_left,
                    "installed": super::documents::vn_time(k.installed_at), "active": k.active,
                    "installer": k.installed_by_name.clone().unwrap_or_else(|| "dòng lệnh trên máy chủ".into()),
                    "soon": k.active && k.days_left < keys::WARN_DAYS})
            })
            .collect();
        Ok(c.page(
            "keys.html",
            StatusCode::OK,
            json!({"keys": rows, "candidates": o.candidates, "signing_on": o.signing_on,
                "can_import": o.can_import, "allow_untrusted": o.allow_untrusted, "warn_days": keys::WARN_DAYS}),
        ))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn retire(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        keys::retire(&c.state.db, &c.actor, now(), id).await?;
        Ok(super::done("/admin/keys", "key_retired"))
    }
    .await;
    respond(&c, r)
}
