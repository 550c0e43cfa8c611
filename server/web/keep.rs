//! Nothing typed is lost: forms autosave to the server as the user types; a form
//! posted after its session expired is kept for its user and offered back after
//! they log in; a kept draft newer than what is stored comes back on its page.
//!
//! Browser sessions slide (120 minutes idle, 12 hours at most) and the page warns before
//! the end; autosaves go to `form_drafts` (`POST /ui/draft`). An expired session's form
//! is kept only with that session's CSRF token, and comes back after login with a
//! message; a kept draft is offered until saved or discarded. A form posted with a token
//! of another of the same user's sessions (an older tab after a new login) is kept the
//! same way and its page opened again, never an error page. The browser also keeps a copy
//! of every form with free text (`localStorage`, per user and form) until a page says the
//! save was done (`?done=`), and offers it back after any login — the one path with no
//! session the server could know (the cookie itself gone).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::{Body, FromRequest, Request, RequestBody, Response, handler};
use serde::Serialize;

use super::form::{same_token, seen, state_of};
use super::frame::PageError;
use super::{Ctx, Form, Open, Page, ctx, redirect, session_cookie};
use crate::services::auth;
use crate::services::drafts::{self, Draft};
use crate::state::AppState;

/// A posted form and its signed-in user. The form of an expired session is kept for
/// its user, who is sent to log in (see [`form_ctx`]); a form without the session's CSRF
/// token is refused before the page runs.
pub(crate) struct Posted(pub Ctx, pub Form);

impl<'a> FromRequest<'a> for Posted {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let f = Form::read(body.take()?).await;
        let c = form_ctx(state_of(req)?, req, &f).await.map_err(poem::Error::from_response)?;
        seen(req, &c);
        f.check_csrf(&c).map_err(PageError)?;
        Ok(Posted(c, f))
    }
}

/// The signed-in user of a posted form, or — when the session has expired — the
/// form kept for its user and a redirect to the login page that says so.
/// A form posted with a stale token — from a page of an earlier login of the same
/// user, say in another tab — is kept the same way and its page opened again with
/// what was typed, never an error page that drops it.
pub(crate) async fn form_ctx(state: &AppState, req: &Request, f: &Form) -> Result<Ctx, Response> {
    match ctx(state, req).await {
        Ok(c) if f.check_csrf(&c).is_err() => match catch_stale(&c, req, f).await {
            Some(again) => Err(again),
            None => Ok(c),
        },
        Ok(c) => Ok(c),
        Err(login) => Err(catch_expired(state, req, f).await.unwrap_or(login)),
    }
}

async fn catch_expired(state: &AppState, req: &Request, f: &Form) -> Option<Response> {
    let (page, key) = page_of(req.uri().path())?;
    // No session behind the cookie at all (the cookie is gone): back to the page
    // after the login, where the browser's own copy of the text is offered back.
    let kept = keep_for_expired(state, req, &f.get("csrf"), &key, f.0.clone()).await.unwrap_or(false);
    let next: String = form_urlencoded::byte_serialize(page.as_bytes()).collect();
    Some(redirect(&format!("/login?next={next}&expired={}", if kept { "kept" } else { "1" })))
}

/// Keeps a form whose token is one of its user's other sessions' and sends the user
/// back to its page, which offers the kept text. `None` when the token is not the
/// user's (the form is then refused as it stands).
async fn catch_stale(c: &Ctx, req: &Request, f: &Form) -> Option<Response> {
    let (page, key) = page_of(req.uri().path())?;
    let user = c.actor.user_id?;
    if !auth::csrf_of_user(&c.state.db, c.now(), user, &f.get("csrf")).await.ok()? {
        return None;
    }
    drafts::keep(&c.state.db, user, c.now(), &key, f.0.clone(), true).await.ok()?;
    Some(redirect(&page))
}

/// Keeps `fields` under `key` for the user whose browser session behind the
/// request's cookie has expired — only when `csrf` is that session's token, so no
/// other site can plant a draft. `None` when no expired session is behind the
/// cookie, else whether the fields were kept.
async fn keep_for_expired(
    state: &AppState,
    req: &Request,
    csrf: &str,
    key: &str,
    fields: Vec<(String, String)>,
) -> Option<bool> {
    let token = session_cookie(req)?;
    let s = auth::expired_browser_session(&state.db, crate::services::now(), &token).await.ok()??;
    Some(
        same_token(csrf, &s.csrf_token)
            && drafts::keep(&state.db, s.user_id, state.clock.now(), key, fields, true).await.is_ok(),
    )
}

/// The page a form is posted from and the key its draft is kept under:
/// `/tasks/ID/contribution` → (`/tasks/ID`, `/tasks/ID#contribution`).
pub(crate) fn page_of(path: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let id_ok = |s: &str| s.parse::<uuid::Uuid>().is_ok();
    match parts.as_slice() {
        ["", "tasks", id] if id_ok(id) => Some((path.into(), path.into())),
        ["", "tasks", id, "contribution"] if id_ok(id) => {
            Some((format!("/tasks/{id}"), format!("/tasks/{id}#contribution")))
        }
        ["", "tasks", id, "edit"] if id_ok(id) => Some((path.into(), path.into())),
        ["", "documents", id] if id_ok(id) => Some((path.into(), path.into())),
        ["", "documents", id, "step"] if id_ok(id) => {
            Some((format!("/documents/{id}"), format!("/documents/{id}#step")))
        }
        ["", "plans", id, "tasks"] if id_ok(id) => Some((format!("/plans/{id}"), format!("/plans/{id}#new-task"))),
        ["", "review", id] if id_ok(id) => Some((path.into(), path.into())),
        _ => None,
    }
}

/// The draft kept under `key` when it is newer than what is stored (`stored_at`)
/// and says something else than `stored` (field → stored text).
pub(crate) async fn restorable(
    c: &Ctx,
    key: &str,
    stored_at: Option<DateTime<Utc>>,
    stored: &BTreeMap<String, String>,
) -> Option<Draft> {
    let d = drafts::find(&c.state.db, &c.actor, key).await.ok()??;
    if stored_at.is_some_and(|t| d.saved_at <= t) {
        return None;
    }
    let norm = |s: &str| s.replace("\r\n", "\n").trim().to_owned();
    let differs = d.fields.iter().any(|(k, v)| match stored.get(k) {
        Some(s) => norm(s) != norm(v),
        None => !v.trim().is_empty() && k != "csrf",
    });
    differs.then_some(d)
}

/// What the page says over a restored draft.
pub(crate) fn restored_notice(d: &Draft) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let at = d.saved_at.with_timezone(&vn).format("%H:%M ngày %d/%m/%Y");
    if d.from_expired_session {
        format!(
            "Biểu mẫu bạn gửi lúc {at} thuộc một phiên làm việc đã hết hạn hoặc đã được thay bằng lần đăng nhập sau; nội dung bạn gõ được giữ lại dưới đây nhưng CHƯA được lưu. Hãy kiểm tra rồi bấm nút lưu."
        )
    } else {
        format!(
            "Đã khôi phục nội dung bạn gõ lúc {at} (tự lưu bản nháp) nhưng CHƯA được lưu chính thức. Hãy kiểm tra rồi bấm nút lưu, hoặc bỏ bản nháp."
        )
    }
}

/// A draft's fields as a template's `values` (the first of each name).
pub(crate) fn values_of(d: &Draft) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (k, v) in &d.fields {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    m
}

/// What the page's script is told, as JSON: an autosave kept, the session's end, or
/// why not.
#[derive(Serialize)]
#[serde(untagged)]
enum Told<'a> {
    /// The draft was kept; the session now ends at `expires_at`.
    Saved { saved_at: i64, expires_at: i64 },
    /// The session's end, its CSRF token and its user.
    Session { expires_at: i64, csrf: &'a str, username: &'a str },
    /// A refusal's stable code; `kept` when an expired session's draft was kept anyway.
    Refused {
        code: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        kept: Option<bool>,
    },
}

fn told(status: StatusCode, body: Told<'_>) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .header("cache-control", "no-store")
        .body(serde_json::to_string(&body).unwrap_or_default())
}

fn refused(status: StatusCode, code: &'static str, kept: Option<bool>) -> Response {
    told(status, Told::Refused { code, kept })
}

/// `POST /ui/draft?key=…`: the autosave of a form (urlencoded body, CSRF token in
/// a header). 200 when kept; 401 `{"kept": true}` when the session had expired but
/// the draft was kept for its user all the same.
#[handler]
pub(crate) async fn autosave(o: Open, req: &Request, body: Body) -> Response {
    let key = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let f = Form::read(body).await;
    let sent = req.header("x-csrf-token").unwrap_or("").to_owned();
    match ctx(&o.state, req).await {
        Ok(c) if !same_token(&sent, &c.session.csrf_token) => {
            refused(StatusCode::FORBIDDEN, "csrf_token_invalid", None)
        }
        Ok(c) => match drafts::autosave(&c.state.db, &c.actor, c.now(), &key, f.0).await {
            Ok(()) => told(
                StatusCode::OK,
                Told::Saved { saved_at: c.now().timestamp(), expires_at: c.session.expires_at.timestamp() },
            ),
            Err(_) => refused(StatusCode::UNPROCESSABLE_ENTITY, "draft_refused", None),
        },
        Err(_) => {
            let kept = keep_for_expired(&o.state, req, &sent, &key, f.0).await.unwrap_or(false);
            refused(StatusCode::UNAUTHORIZED, "session_expired", Some(kept))
        }
    }
}

/// `GET /ui/session`: when the session ends (asking extends it, as any request does).
#[handler]
pub(crate) async fn session_state(o: Open, req: &Request) -> Response {
    match ctx(&o.state, req).await {
        // The token too: a page of an earlier login of the same user (another tab
        // logged in again) takes the new one and its forms post again.
        Ok(c) => told(
            StatusCode::OK,
            Told::Session {
                expires_at: c.session.expires_at.timestamp(),
                csrf: &c.session.csrf_token,
                username: &c.username,
            },
        ),
        Err(_) => refused(StatusCode::UNAUTHORIZED, "session_expired", None),
    }
}

/// `POST /ui/draft/discard`: the user keeps what is stored; back to the page.
#[handler]
pub(crate) async fn discard(Posted(c, f): Posted) -> Page {
    let key = f.get("key");
    let page = key.split('#').next().unwrap_or("/").to_owned();
    if !super::local_path(&page) {
        return Ok(redirect("/"));
    }
    drafts::discard(&c.state.db, &c.actor, &key).await?;
    Ok(redirect(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_map_to_the_page_they_came_from() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(page_of(&format!("/tasks/{id}")), Some((format!("/tasks/{id}"), format!("/tasks/{id}"))));
        assert_eq!(
            page_of(&format!("/tasks/{id}/contribution")),
            Some((format!("/tasks/{id}"), format!("/tasks/{id}#contribution")))
        );
        assert_eq!(page_of(&format!("/plans/{id}/tasks")).map(|p| p.0), Some(format!("/plans/{id}")));
        assert_eq!(page_of("/tasks/not-an-id"), None);
        assert_eq!(page_of("/logout"), None);
    }
}
