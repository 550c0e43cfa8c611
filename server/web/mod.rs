//! The web interface: server-rendered pages (minijinja, HTML autoescaped) over the
//! same services as the API, for the office, the units, the signer and
//! administrators. A browser session is the API's session cookie; every form
//! carries the session's CSRF token, and a change without it is refused.

mod account;
mod audit;
mod documents;
mod home;
mod keep;
mod keys;
mod notice;
mod people;
mod plans;
mod results;
mod rubrics;
mod sheets;
mod start;
mod task_overview;
mod tasks;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use minijinja::Environment;
use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, EndpointExt, Request, Response, Route, get, handler, post};
use serde_json::{Value, json};

use crate::domain::Role;
use crate::error::AppError;
use crate::http::auth::COOKIE;
use crate::services::{auth, now};
use crate::state::AppState;
use crate::storage::audit::Actor;

const TEMPLATES: [(&str, &str); 31] = [
    ("base.html", include_str!("../../templates/web/base.html")),
    ("login.html", include_str!("../../templates/web/login.html")),
    ("error.html", include_str!("../../templates/web/error.html")),
    ("dashboard.html", include_str!("../../templates/web/dashboard.html")),
    ("plans.html", include_str!("../../templates/web/plans.html")),
    ("plan.html", include_str!("../../templates/web/plan.html")),
    ("task_form.html", include_str!("../../templates/web/task_form.html")),
    ("inbox.html", include_str!("../../templates/web/inbox.html")),
    ("result.html", include_str!("../../templates/web/result.html")),
    ("review_list.html", include_str!("../../templates/web/review_list.html")),
    ("review.html", include_str!("../../templates/web/review.html")),
    ("documents.html", include_str!("../../templates/web/documents.html")),
    ("document.html", include_str!("../../templates/web/document.html")),
    ("audit.html", include_str!("../../templates/web/audit.html")),
    ("outbox.html", include_str!("../../templates/web/outbox.html")),
    ("keys.html", include_str!("../../templates/web/keys.html")),
    ("forgot.html", include_str!("../../templates/web/forgot.html")),
    ("password.html", include_str!("../../templates/web/password.html")),
    ("account.html", include_str!("../../templates/web/account.html")),
    ("users.html", include_str!("../../templates/web/users.html")),
    ("setup.html", include_str!("../../templates/web/setup.html")),
    ("units.html", include_str!("../../templates/web/units.html")),
    ("issuer_fields.html", include_str!("../../templates/web/issuer_fields.html")),
    ("issuer.html", include_str!("../../templates/web/issuer.html")),
    ("rubrics.html", include_str!("../../templates/web/rubrics.html")),
    ("unit_form.html", include_str!("../../templates/web/unit_form.html")),
    ("user_form.html", include_str!("../../templates/web/user_form.html")),
    ("rubric.html", include_str!("../../templates/web/rubric.html")),
    ("tasks.html", include_str!("../../templates/web/tasks.html")),
    ("import.html", include_str!("../../templates/web/import.html")),
    ("macros.html", include_str!("../../templates/web/macros.html")),
];
const CSS: &str = include_str!("../../templates/web/static/app.css");
const ICON: &str = include_str!("../../templates/web/static/favicon.svg");
const JS: &str = include_str!("../../templates/web/static/app.js");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, src) in TEMPLATES {
            env.add_template(name, src).expect("web template compiles");
        }
        env.add_filter("vn_time", |s: String| vn_time_text(&s, "%d/%m/%Y %H:%M"));
        env.add_filter("vn_date", |s: String| vn_time_text(&s, "%d/%m/%Y"));
        env
    })
}

/// An RFC 3339 time (or a date) as pages show it, in Vietnam's time: "07/12/2026
/// 18:05"; text that is no time stays as it is.
fn vn_time_text(s: &str, format: &str) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return t.with_timezone(&vn).format(format).to_string();
    }
    match chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => s.to_owned(),
    }
}

/// The signed-in user of a page.
pub(crate) struct Ctx {
    pub state: AppState,
    pub actor: Actor,
    pub session: crate::services::auth::Live,
    pub name: String,
    pub username: String,
    /// What the last action did, said at the top of the page after its redirect.
    pub notice: Option<String>,
    /// What waits for this person, by menu address (results to review, documents to sign).
    pub waiting: BTreeMap<&'static str, u64>,
}

impl Ctx {
    pub fn role(&self) -> Option<Role> {
        self.actor.role
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        self.actor.role.is_some_and(|r| roles.contains(&r))
    }

    /// Renders `template` with the page frame's values (user, CSRF token, menu).
    pub fn page(&self, template: &str, status: StatusCode, mut ctx: Value) -> Response {
        let role = self.actor.role.map(|r| r.code()).unwrap_or("admin");
        ctx["me"] = json!({"name": self.name, "username": self.username, "role": role,
            "role_label": role_label(role)});
        ctx["csrf"] = json!(self.session.csrf_token);
        ctx["session_expires"] = json!(self.session.expires_at.timestamp());
        ctx["menu"] = json!(menu(self.actor.role));
        ctx["waiting"] = json!(self.waiting);
        if ctx.get("notice").is_none() {
            ctx["notice"] = json!(self.notice);
        }
        render(template, status, ctx)
    }
}

fn role_label(role: &str) -> &'static str {
    match role {
        "admin" => "Quản trị",
        "office" => "Văn phòng",
        "unit_officer" => "Cán bộ đơn vị",
        "signer" => "Lãnh đạo ký",
        _ => "Theo dõi",
    }
}

fn menu(role: Option<Role>) -> Vec<(&'static str, &'static str)> {
    match role {
        Some(Role::UnitOfficer) => vec![("/inbox", "Nhiệm vụ của đơn vị"), ("/tasks", "Tìm nhiệm vụ")],
        Some(Role::Signer) => {
            vec![("/", "Tổng quan"), ("/tasks", "Nhiệm vụ"), ("/sign-off", "Văn bản chờ ký"), ("/documents", "Văn bản")]
        }
        Some(Role::Office) => {
            vec![
                ("/", "Tổng quan"),
                ("/plans", "Kế hoạch"),
                ("/tasks", "Nhiệm vụ"),
                ("/review", "Duyệt kết quả"),
                ("/documents", "Văn bản"),
                ("/admin/outbox", "Thư đi"),
            ]
        }
        Some(Role::Viewer) => vec![("/", "Tổng quan"), ("/tasks", "Nhiệm vụ"), ("/documents", "Văn bản")],
        Some(Role::Admin) | None => vec![
            ("/", "Tổng quan"),
            ("/plans", "Kế hoạch"),
            ("/tasks", "Nhiệm vụ"),
            ("/review", "Duyệt kết quả"),
            ("/documents", "Văn bản"),
            ("/admin/audit", "Nhật ký"),
            ("/admin/outbox", "Thư đi"),
            ("/admin/issuer", "Cơ quan"),
            ("/admin/units", "Đơn vị"),
            ("/admin/users", "Người dùng"),
            ("/admin/keys", "Khóa ký số"),
        ],
    }
}

/// Renders a template to an HTML response.
pub(crate) fn render(template: &str, status: StatusCode, ctx: Value) -> Response {
    match env().get_template(template).and_then(|t| t.render(minijinja::value::Serde(&ctx))) {
        Ok(html) => Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header("cache-control", "no-store")
            .header("x-frame-options", "DENY")
            .header("x-content-type-options", "nosniff")
            .header(
                "content-security-policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; frame-ancestors 'none'",
            )
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, template, "web template failed");
            Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .content_type("text/plain; charset=utf-8")
                .body("Lỗi hệ thống")
        }
    }
}

/// The redirect after a successful action: back to `path`, which then says what
/// was done and when ("Đã lưu lúc 10:42").
pub(crate) fn done(path: &str, what: &str) -> Response {
    let (path, fragment) = path.split_once('#').unwrap_or((path, ""));
    let enc: String = form_urlencoded::byte_serialize(what.as_bytes()).collect();
    let hash = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
    let sep = if path.contains('?') { '&' } else { '?' };
    redirect(&format!("{path}{sep}done={enc}&at={}{hash}", now().timestamp()))
}

/// Whether `p` is a path on this site (not `//host`, not `/\\host`, no scheme):
/// the only places a form's "back" or a login's "next" may lead.
pub(crate) fn local_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.chars().any(char::is_control)
}

/// A 303 redirect (after a form, or to the login page).
pub(crate) fn redirect(to: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header("location", to).finish()
}

/// The error page with a title and a message, for refusals made before any page
/// code runs (a body too large, a form of the wrong kind).
pub(crate) fn plain_error_page(status: StatusCode, title: &str, message: &str) -> Response {
    render("error.html", status, json!({"title": title, "message": message, "status": status.as_u16()}))
}

/// An error as a page: 404 for records out of reach, 403 for actions, 409 for conflicts.
pub(crate) fn error_page(ctx: Option<&Ctx>, e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (title, message) = match &e {
        AppError::NotFound { .. } => {
            ("Không tìm thấy", "Không có trang hoặc bản ghi này, hoặc bạn không có quyền xem.".to_owned())
        }
        AppError::Forbidden => ("Không có quyền", "Vai trò của bạn không được làm việc này.".to_owned()),
        AppError::CsrfRejected => {
            ("Yêu cầu bị từ chối", "Biểu mẫu thiếu mã bảo vệ hoặc đã cũ; hãy tải lại trang rồi gửi lại.".to_owned())
        }
        AppError::Conflict { message, .. } => ("Không thực hiện được", vietnamese(message)),
        AppError::Invalid(fields) => {
            ("Dữ liệu không hợp lệ", fields.values().map(|v| vietnamese(v)).collect::<Vec<_>>().join("; "))
        }
        AppError::TooLarge(m) | AppError::UnsupportedType(m) => ("Tệp không được nhận", vietnamese(m)),
        AppError::Unavailable(m) => ("Máy chủ đang bận", vietnamese(m)),
        AppError::TooManyAttempts { retry_after_secs } => {
            ("Tạm khóa", format!("Đăng nhập sai quá nhiều lần; thử lại sau {retry_after_secs} giây."))
        }
        AppError::CheckFailed(findings) => (
            "Văn bản chưa đúng thể thức",
            findings
                .iter()
                .filter(|f| f.severity == crate::domain::check::Severity::Error)
                .map(|f| vietnamese(&f.message))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        AppError::Unauthorized | AppError::BadCredentials => return redirect("/login"),
        other => {
            tracing::error!(error = %other, "web page failed");
            ("Lỗi hệ thống", "Đã ghi nhận lỗi; xin thử lại sau.".into())
        }
    };
    let v = json!({"title": title, "message": message, "status": status.as_u16()});
    match ctx {
        Some(c) => c.page("error.html", status, v),
        None => render("error.html", status, v),
    }
}

/// An unknown address outside the API gets the site's own "not found" page in
/// Vietnamese, not the API's JSON.
pub async fn not_found_page<E: poem::Endpoint>(ep: std::sync::Arc<E>, req: Request) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let resp = poem::IntoResponse::into_response(ep.call(req).await?);
    let web = !path.starts_with("/api") && path != "/healthz";
    if web
        && resp.status() == StatusCode::NOT_FOUND
        && resp.content_type().is_some_and(|t| t.starts_with("application/json"))
    {
        return Ok(error_page(None, AppError::NotFound { entity: "page" }));
    }
    Ok(resp)
}

/// The session behind the cookie, or a redirect to the login page.
pub(crate) async fn ctx(state: &AppState, req: &Request) -> Result<Ctx, Response> {
    let token = session_cookie(req).unwrap_or_default();
    if token.is_empty() {
        return Err(login_redirect(req));
    }
    let Ok((mut actor, session)) = auth::authenticate(&state.db, now(), &token, auth::Kind::Browser).await else {
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
        let sent = self.get("csrf");
        let want = &ctx.session.csrf_token;
        let same = sent.len() == want.len() && sent.bytes().zip(want.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
        if same { Ok(()) } else { Err(AppError::CsrfRejected) }
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

/// The lines of a textarea, trimmed, without empty ones.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The Vietnamese half of a bilingual message ("… / …"): pages speak Vietnamese
/// only; the API keeps both.
pub(crate) fn vietnamese(message: &str) -> String {
    // Each line on its own: a list of problems has one bilingual message a line.
    let line = |l: &str| l.split_once(" / ").map_or(l, |(vi, _)| vi).trim_end().to_owned();
    message.lines().map(line).collect::<Vec<_>>().join("\n")
}

/// A quantity as Vietnamese write it: "41.020", "13,88"; `None` stays empty.
pub(crate) fn num(v: Option<f64>) -> Option<String> {
    let v = v?;
    let neg = v < 0.0;
    let text = format!("{:.2}", v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if neg { "-" } else { "" };
    Some(if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") })
}

/// Page values with `extra` (errors, typed values) laid over them.
pub(crate) fn with_extra(mut v: Value, extra: Value) -> Value {
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

/// A record of the API model as JSON for a template.
pub(crate) fn js<T: poem_openapi::types::ToJSON>(x: &T) -> Value {
    x.to_json().unwrap_or(Value::Null)
}

/// Restricted Markdown as escaped HTML, for previews and the review page.
pub(crate) fn markdown_html(src: &str) -> String {
    use crate::domain::markdown::{Inline, parse};
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
    }
    fn inl(out: &mut String, xs: &[Inline], notes: &mut Vec<String>) {
        for x in xs {
            match x {
                Inline::Text(t) => out.push_str(&esc(t)),
                Inline::Strong(c) => {
                    out.push_str("<strong>");
                    inl(out, c, notes);
                    out.push_str("</strong>");
                }
                Inline::Emph(c) => {
                    out.push_str("<em>");
                    inl(out, c, notes);
                    out.push_str("</em>");
                }
                Inline::Note(c) => {
                    let mut n = String::new();
                    inl(&mut n, c, notes);
                    notes.push(n);
                    out.push_str(&format!("<sup>{}</sup>", notes.len()));
                }
            }
        }
    }
    let mut out = String::new();
    let mut notes = Vec::new();
    for b in parse(src) {
        out.push_str("<p>");
        if let Some(m) = &b.marker {
            out.push_str(&esc(m));
            out.push(' ');
        }
        inl(&mut out, &b.inlines, &mut notes);
        out.push_str("</p>");
    }
    for (i, n) in notes.iter().enumerate() {
        out.push_str(&format!("<p class=\"note\"><sup>{}</sup> {n}</p>", i + 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

#[handler]
fn css() -> Response {
    Response::builder().content_type("text/css; charset=utf-8").header("cache-control", "max-age=300").body(CSS)
}

/// The site's icon, also where browsers look for it without being told.
#[handler]
fn icon() -> Response {
    Response::builder().content_type("image/svg+xml").header("cache-control", "max-age=86400").body(ICON)
}

#[handler]
fn script() -> Response {
    Response::builder().content_type("text/javascript; charset=utf-8").header("cache-control", "max-age=300").body(JS)
}

/// Restricted Markdown → HTML for the live preview (the CSRF token rides in a header).
#[handler]
async fn preview(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let c = match ctx(&state, req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if req.header("x-csrf-token") != Some(c.session.csrf_token.as_str()) {
        return error_page(Some(&c), AppError::CsrfRejected);
    }
    let text = body.into_string().await.unwrap_or_default();
    Response::builder().content_type("text/html; charset=utf-8").body(markdown_html(&text))
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
        .at("/plans/:id/tasks", post(plans::create_task))
        .at("/plans/:id/groups", post(plans::create_group))
        .at("/plans/:id/rubric", post(plans::set_rubric))
        .at("/plans/:id/carry-forward", post(plans::carry_forward))
        .at("/plans/:id/copy-forward", post(plans::copy_forward))
        .at("/plans/:id/import", get(sheets::page).post(sheets::check))
        .at("/plans/:id/import/confirm", post(sheets::confirm))
        .at("/plans/:id/assignment", post(plans::assignment))
        .at("/plans/:id/report", post(plans::report))
        .at("/tasks/:id/edit", get(plans::edit_task).post(plans::update_task))
        .at("/tasks/:id/delete", post(plans::delete_task))
        .at("/tasks/:id/archive", post(plans::archive_task))
        .at("/tasks/:id/restore", post(plans::restore_task))
        .at("/inbox", get(results::inbox))
        .at("/tasks/:id", get(results::task_page).post(results::save_result))
        .at("/tasks/:id/contribution", post(results::save_contribution))
        .at("/review", get(results::review_list))
        .at("/review/:id", get(results::review_page).post(results::review_step))
        .at("/documents", get(documents::list).post(documents::start))
        .at("/sign-off", get(documents::sign_off))
        .at("/documents/:id", get(documents::show).post(documents::save))
        .at("/documents/:id/pages/:page", get(documents::page_image))
        .at("/documents/:id/step", post(documents::step))
        .at("/admin/audit", get(audit::audit))
        .at("/admin/outbox", get(home::outbox_page))
        .at("/admin/keys", get(keys::page))
        .at("/admin/keys/:id/retire", post(keys::retire))
        .at("/admin/outbox/:id/resend", post(home::resend))
        .at("/admin/outbox/test", post(home::mail_test))
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
        .at("/forgot", get(account::forgot_page).post(account::forgot))
        .at("/password/:secret", get(account::link_page).post(account::link_set))
        .at("/setup/:secret", get(account::setup_page).post(account::setup_run))
        .at("/admin/units", get(account::units_page).post(account::units_add))
        .at("/admin/units/:id", get(account::unit_edit).post(account::unit_save))
        .at("/admin/units/:id/deactivate", post(account::unit_deactivate))
        .at("/admin/units/:id/reactivate", post(account::unit_reactivate))
        .at("/admin/issuer", get(account::issuer_page).post(account::issuer_save))
        .with(poem::middleware::AddData::new(state))
}

/// Turns a service result into a page or an error page.
pub(crate) fn respond(ctx: &Ctx, r: Result<Response, AppError>) -> Response {
    match r {
        Ok(resp) => resp,
        Err(e) => error_page(Some(ctx), e),
    }
}

/// Unwraps the session or returns the login redirect.
macro_rules! session {
    ($state:expr, $req:expr) => {
        match crate::web::ctx(&$state, $req).await {
            Ok(c) => c,
            Err(r) => return r,
        }
    };
}
pub(crate) use session;

/// The user and the form of a POST; a form posted after the session expired is
/// kept as a draft and the user sent to log in (see [`keep`]).
macro_rules! session_form {
    ($state:expr, $req:expr, $body:expr) => {{
        let f = crate::web::Form::read($body).await;
        match crate::web::keep::form_ctx(&$state, $req, &f).await {
            Ok(c) => (c, f),
            Err(r) => return r,
        }
    }};
}
pub(crate) use session_form;
