//! Who sends a request and what: the request context poem extracts for a page —
//! [`Ctx`] (the session behind the cookie, or the redirect to the login page) and
//! [`Open`] (pages without a session) — a posted form ([`Form`]) and its field errors.
//! The posted form with its user, CSRF-checked and kept on an expired session, is
//! `keep::Posted`.

use std::collections::BTreeMap;

use poem::http::Method;
use poem::{Body, FromRequest, Request, RequestBody, Response};

use crate::error::AppError;
use crate::http::auth::COOKIE;
use crate::services::auth;
use crate::state::AppState;

use super::frame::{Ctx, PageError, Seen, redirect};
use super::view::vietnamese;
use super::{notice, start};

/// The state every page is served with (the router adds it).
pub(super) fn state_of(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| PageError(AppError::Internal("the page router has no state".into())).into())
}

/// The request context of a page without a session (the password links, the
/// first-run setup, a calendar feed): the server's state and who asked.
pub(crate) struct Open {
    /// The state every page is served with.
    pub state: AppState,
    /// The client's address, for the audit trail.
    pub addr: String,
}

impl Open {
    /// The time of this request, from the state's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }
}

impl<'a> FromRequest<'a> for Open {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Open { state: state_of(req)?.clone(), addr: req.remote_addr().to_string() })
    }
}

/// A page's signed-in user: the session behind the cookie, or the redirect to the
/// login page.
impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let c = ctx(state_of(req)?, req).await.map_err(poem::Error::from_response)?;
        seen(req, &c);
        Ok(c)
    }
}

/// Tells [`super::frame::framed`] whose frame an error page of this request is drawn in.
pub(super) fn seen(req: &Request, c: &Ctx) {
    if let Some(s) = req.extensions().get::<Seen>() {
        let _ = s.0.set(c.clone());
    }
}

/// The session behind the cookie, or a redirect to the login page.
pub(crate) async fn ctx(state: &AppState, req: &Request) -> Result<Ctx, Response> {
    let token = session_cookie(req).unwrap_or_default();
    if token.is_empty() {
        return Err(login_redirect(req));
    }
    let Ok((mut actor, session)) =
        auth::authenticate(&state.db, crate::services::now(), &token, auth::Kind::Browser).await
    else {
        return Err(login_redirect(req));
    };
    actor.client_addr = Some(req.remote_addr().to_string());
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        actor.seen_rev = None;
    }
    let (name, username) = (session.user_name.clone(), session.username.clone());
    let notice = notice::notice(req.uri().query().unwrap_or(""));
    let get = matches!(*req.method(), Method::GET | Method::HEAD);
    let mut c = Ctx { state: state.clone(), actor, session, name, username, notice, waiting: BTreeMap::new() };
    // Only a page has a menu (not a page's image, a preview or the session check).
    let page = req.header("accept").is_none_or(|a| a.contains("text/html"));
    if get && page && !req.uri().path().starts_with("/ui/") {
        c.waiting = start::waiting(&c).await;
    }
    Ok(c)
}

/// The session cookie's value, read from the `Cookie` header.
pub(crate) fn session_cookie(req: &Request) -> Option<String> {
    req.headers().get_all("cookie").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_owned())
    })
}

fn login_redirect(req: &Request) -> Response {
    let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let enc: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    redirect(&format!("/login?next={enc}"))
}

/// A posted form: all values in order (a field may repeat, e.g. checkboxes).
pub(crate) struct Form(pub Vec<(String, String)>);

impl Form {
    /// Reads a posted form (the body is capped before it gets here; a body cut off
    /// at the cap reads as empty and the cap answers 413).
    pub async fn read(body: Body) -> Form {
        let bytes = body.into_bytes().await.unwrap_or_default();
        Form::parse(&bytes)
    }

    /// Parses `application/x-www-form-urlencoded` bytes; never fails (invalid
    /// UTF-8 becomes U+FFFD).
    pub fn parse(bytes: &[u8]) -> Form {
        Form(form_urlencoded::parse(bytes).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.get(key).trim().to_owned()).filter(|s| !s.is_empty())
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    /// The form as a map (for putting the typed values back on a page).
    pub fn values(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }

    /// Refuses a change whose form does not carry the session's CSRF token.
    pub fn check_csrf(&self, ctx: &Ctx) -> Result<(), AppError> {
        ctx.check_token(&self.get("csrf"))
    }
}

/// Whether two tokens are the same, compared in constant time.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Ctx {
    /// Refuses a change whose token (a form field or a header) is not the session's.
    pub fn check_token(&self, sent: &str) -> Result<(), AppError> {
        if same_token(sent, &self.session.csrf_token) { Ok(()) } else { Err(AppError::CsrfRejected) }
    }
}

/// Field errors of a failed save, or `None` for other errors (shown as an error page).
pub(crate) fn field_errors(e: &AppError) -> Option<BTreeMap<String, String>> {
    match e {
        AppError::Invalid(f) => Some(f.iter().map(|(k, v)| (k.clone(), vietnamese(v))).collect()),
        AppError::Conflict { message, .. } => Some(BTreeMap::from([("_".to_owned(), vietnamese(message))])),
        _ => None,
    }
}

/// Errors of one line of a box ("name_lines[1]", "bands[0].label") said at the box
/// ("name_lines", "bands"); the first line's error wins.
pub(crate) fn box_errors(errors: BTreeMap<String, String>) -> BTreeMap<String, String> {
    errors.into_iter().rev().map(|(k, v)| (k.split('[').next().unwrap_or(&k).to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::view::{markdown_html, num};

    proptest::proptest! {
        #[test]
        fn any_form_body_parses_and_typed_values_come_back_whole(
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            value in "\\PC{0,80}",
        ) {
            let _ = Form::parse(&raw);
            let body = form_urlencoded::Serializer::new(String::new()).append_pair("narrative", &value).finish();
            proptest::prop_assert_eq!(Form::parse(body.as_bytes()).get("narrative"), value);
        }
    }

    #[test]
    fn numbers_read_the_vietnamese_way_and_markdown_is_escaped() {
        assert_eq!(num(Some(41020.0)).as_deref(), Some("41.020"));
        assert_eq!(num(Some(13.88)).as_deref(), Some("13,88"));
        assert_eq!(num(Some(95.0)).as_deref(), Some("95"));
        assert_eq!(num(Some(-1234.5)).as_deref(), Some("-1.234,5"));
        assert_eq!(num(None), None);
        let html = markdown_html("**<b>đậm</b>** <script>alert(1)</script>[^1]\n\n[^1]: \"chú\" & thích");
        assert!(html.contains("<strong>&lt;b&gt;đậm&lt;/b&gt;</strong>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&quot;chú&quot; &amp; thích"), "{html}");
    }
}
