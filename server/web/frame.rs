//! The page frame: templates and static files, the signed-in user of a page
//! (`Ctx`) with the menu and what waits for them, rendering with the security
//! headers, redirects, and errors as pages.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, Value, context};
use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{Request, Response, handler};
use serde::Serialize;

use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::audit::Actor;

use super::view::vietnamese;

const TEMPLATES: [(&str, &str); 34] = [
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
    ("offices.html", include_str!("../../templates/web/offices.html")),
    ("rubrics.html", include_str!("../../templates/web/rubrics.html")),
    ("unit_form.html", include_str!("../../templates/web/unit_form.html")),
    ("user_form.html", include_str!("../../templates/web/user_form.html")),
    ("rubric.html", include_str!("../../templates/web/rubric.html")),
    ("tasks.html", include_str!("../../templates/web/tasks.html")),
    ("import.html", include_str!("../../templates/web/import.html")),
    ("urge.html", include_str!("../../templates/web/urge.html")),
    ("deadline_rules.html", include_str!("../../templates/web/deadline_rules.html")),
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

/// The signed-in user of a page, extracted by poem (see [`super::form`]): the
/// session, the actor, what waits for them and the page's clock.
#[derive(Clone)]
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

/// The frame every signed-in page shares: who is signed in, the CSRF token, the
/// session's end, the menu and the notice of the last action.
#[derive(Serialize)]
struct FrameView<'a> {
    me: Me<'a>,
    csrf: &'a str,
    session_expires: i64,
    menu: Vec<(&'static str, &'static str)>,
    waiting: &'a BTreeMap<&'static str, u64>,
    notice: &'a Option<String>,
}

#[derive(Serialize)]
struct Me<'a> {
    name: &'a str,
    username: &'a str,
    role: &'static str,
    role_label: &'static str,
}

impl Ctx {
    pub fn role(&self) -> Option<Role> {
        self.actor.role
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        self.actor.role.is_some_and(|r| roles.contains(&r))
    }

    /// The time of this request, from the state's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }

    /// Today in Vietnam, from the state's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.state.clock.today()
    }

    /// Renders `template` with `view` inside the page frame (user, CSRF token, menu);
    /// a `notice` of the view wins over the redirect's.
    pub fn page(&self, template: &str, status: StatusCode, view: impl Serialize) -> Response {
        let role = self.actor.role.unwrap_or(Role::Admin);
        let frame = FrameView {
            me: Me { name: &self.name, username: &self.username, role: role.code(), role_label: role.label() },
            csrf: &self.session.csrf_token,
            session_expires: self.session.expires_at.timestamp(),
            menu: menu(self.actor.role, self.actor.server_admin),
            waiting: &self.waiting,
            notice: &self.notice,
        };
        let view = Value::from(minijinja::value::Serde(&view));
        let notice = view.get_attr("notice").ok().filter(|n| !n.is_undefined() && !n.is_none());
        // The later map wins: the frame's values over the view's, but a view's own
        // notice over the redirect's.
        let mut maps = vec![view, Value::from(minijinja::value::Serde(&frame))];
        maps.extend(notice.map(|notice| context! { notice }));
        render_value(template, status, minijinja::value::merge_maps(maps))
    }
}

fn menu(role: Option<Role>, server_admin: bool) -> Vec<(&'static str, &'static str)> {
    let mut menu = office_menu(role);
    if server_admin && role != Some(Role::ServerAdmin) {
        menu.push(("/admin/offices", "Các cơ quan"));
    }
    menu
}

/// The menu of an office role.
fn office_menu(role: Option<Role>) -> Vec<(&'static str, &'static str)> {
    match role {
        Some(Role::ServerAdmin) => vec![("/admin/offices", "Các cơ quan"), ("/admin/audit", "Nhật ký")],
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

/// Renders a template with a view to an HTML response (pages without a session:
/// the login, the setup and the password links).
pub(crate) fn render(template: &str, status: StatusCode, view: impl Serialize) -> Response {
    render_value(template, status, Value::from(minijinja::value::Serde(&view)))
}

fn render_value(template: &str, status: StatusCode, ctx: Value) -> Response {
    match env().get_template(template).and_then(|t| t.render(ctx)) {
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
    redirect(&format!("{path}{sep}done={enc}&at={}{hash}", crate::services::now().timestamp()))
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
    render("error.html", status, &ErrorView { title, message, status: status.as_u16() })
}

/// What the error page shows.
#[derive(Serialize)]
struct ErrorView<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
}

/// An error of a page handler: poem carries it out of the handler, and
/// [`framed`] renders it as the error page inside the frame of its user.
#[derive(Debug)]
pub(crate) struct PageError(pub AppError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PageError {}

impl ResponseError for PageError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn as_response(&self) -> Response {
        error_page(None, &self.0)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

/// What a page handler answers: a page, a redirect, or an error shown as a page.
pub(crate) type Page = std::result::Result<Response, PageError>;

/// The signed-in user of the request, once [`Ctx`] has been extracted: the error
/// page of a failed handler is drawn in that user's frame.
#[derive(Clone, Default)]
pub(crate) struct Seen(pub(crate) Arc<OnceLock<Ctx>>);

/// Around every page: a handler's [`PageError`] becomes the error page, in the frame
/// of the user the request was made by.
pub(crate) async fn framed<E: poem::Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let seen = Seen::default();
    req.extensions_mut().insert(seen.clone());
    match ep.call(req).await {
        Ok(r) => Ok(poem::IntoResponse::into_response(r)),
        Err(e) => match e.downcast_ref::<PageError>() {
            Some(PageError(app)) => Ok(error_page(seen.0.get(), app)),
            None => Err(e),
        },
    }
}

/// An error as a page: 404 for records out of reach, 403 for actions, 409 for conflicts.
pub(crate) fn error_page(ctx: Option<&Ctx>, e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (title, message) = match e {
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
    let v = ErrorView { title, message: &message, status: status.as_u16() };
    match ctx {
        Some(c) => c.page("error.html", status, &v),
        None => render("error.html", status, &v),
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
        return Ok(error_page(None, &AppError::NotFound { entity: "page" }));
    }
    Ok(resp)
}

#[handler]
pub(super) fn css() -> Response {
    Response::builder().content_type("text/css; charset=utf-8").header("cache-control", "max-age=300").body(CSS)
}

/// The site's icon, also where browsers look for it without being told.
#[handler]
pub(super) fn icon() -> Response {
    Response::builder().content_type("image/svg+xml").header("cache-control", "max-age=86400").body(ICON)
}

#[handler]
pub(super) fn script() -> Response {
    Response::builder().content_type("text/javascript; charset=utf-8").header("cache-control", "max-age=300").body(JS)
}
