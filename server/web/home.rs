//! Log in and out, and the dashboard. The outbox pages live with the audit log
//! ([`super::audit`]); the router finds their handlers here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Body, Request, Response, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::audit::Mail;
use super::records::{current_plan, plan_choices, snapshot, standing};
use super::start::{Checklist, checklist};
use super::view::{Api, Choice, Word, vn_day};
use super::{Ctx, Form, Open, Page, Posted, redirect, render};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::http::auth::COOKIE;
use crate::model::{OutboxMessage, Paging, Plan, SigningKeyInfo, Standing};
use crate::services::{auth, figures, outbox};
use crate::state::AppState;

#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
    /// Set when a session ran out: "kept" when the form posted was kept as a draft.
    expired: Option<String>,
    /// What just happened before coming here: "setup", "password_set" or "logout".
    done: Option<String>,
    /// The login name to fill in (after setup or a new password).
    user: Option<String>,
}

/// The login page: what it says above the form, the form's values and its errors.
#[derive(Serialize, Default)]
struct LoginView<'a> {
    next: Option<String>,
    values: LoginValues<'a>,
    errors: Option<BTreeMap<&'static str, String>>,
    expired: Option<&'static str>,
    done: Option<&'static str>,
    focus_password: bool,
}

/// The login form's values put back.
#[derive(Serialize, Default)]
struct LoginValues<'a> {
    username: Option<&'a str>,
}

/// Only paths on this site are followed after login.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| super::local_path(n)).map(str::to_owned)
}

#[handler]
pub(crate) fn login_page(Query(q): Query<Next>) -> Response {
    let expired = match q.expired.as_deref() {
        Some("kept") => Some(
            "Phiên làm việc đã hết hạn nên biểu mẫu chưa được lưu. Nội dung bạn gõ đã được giữ lại: đăng nhập để quay lại trang và lưu.",
        ),
        Some(_) => Some("Phiên làm việc đã hết hạn; hãy đăng nhập lại."),
        None => None,
    };
    // Fixed words only: a link cannot make the page say anything else.
    let done = match q.done.as_deref() {
        Some("setup") => {
            Some("Đã thiết lập xong cơ quan và tài khoản quản trị. Hãy đăng nhập để thêm đơn vị và người dùng.")
        }
        Some("password_set") => {
            Some("Đã đặt mật khẩu. Mọi phiên đăng nhập cũ của tài khoản đã kết thúc; hãy đăng nhập bằng mật khẩu mới.")
        }
        Some("logout") => Some("Đã đăng xuất."),
        _ => None,
    };
    let user = q.user.filter(|u| u.len() <= 64);
    let view = LoginView {
        next: safe_next(q.next.as_deref()),
        values: LoginValues { username: user.as_deref() },
        expired,
        done,
        focus_password: user.is_some(),
        ..Default::default()
    };
    render("login.html", StatusCode::OK, view)
}

/// The login page after `done`, with `username` filled in.
pub(crate) fn to_login(done: &str, username: &str) -> Response {
    let user: String = form_urlencoded::byte_serialize(username.as_bytes()).collect();
    redirect(&format!("/login?done={done}&user={user}"))
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The first page after login depends on the role.
fn home_of(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::UnitOfficer) => "/inbox",
        Some(Role::Signer) => "/sign-off",
        Some(Role::ServerAdmin) => "/admin/offices",
        _ => "/",
    }
}

#[handler]
pub(crate) async fn login(o: Open, req: &Request, body: Body) -> Page {
    let state = &o.state;
    let f = Form::read(body).await;
    let (username, password) = (f.get("username"), f.get("password"));
    let next = safe_next(f.opt("next").as_deref());
    // The form again, with what went wrong.
    let again = |status: StatusCode, errors: BTreeMap<&'static str, String>| {
        let values = LoginValues { username: Some(&username) };
        render(
            "login.html",
            status,
            LoginView { next: next.clone(), values, errors: Some(errors), ..Default::default() },
        )
    };
    let said = |message: String| BTreeMap::from([("_", message)]);
    let mut errors = BTreeMap::new();
    if username.trim().is_empty() {
        errors.insert("username", "Nhập tên đăng nhập".to_owned());
    }
    if password.is_empty() {
        errors.insert("password", "Nhập mật khẩu".to_owned());
    }
    if !errors.is_empty() {
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    match auth::login(&state.db, crate::services::now(), &username, &password, Some(req.remote_addr().to_string()))
        .await
    {
        Ok(s) => {
            let role = Some(s.session.role);
            let to = next.clone().unwrap_or_else(|| home_of(role).to_owned());
            let max_age = auth::COOKIE_SECS;
            let mut r = redirect(&to);
            if let Ok(v) = cookie(state, &s.token, max_age).parse() {
                r.headers_mut().insert("set-cookie", v);
            }
            Ok(r)
        }
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                said(format!(
                    "Tài khoản tạm khóa do nhập sai nhiều lần; thử lại sau {} phút",
                    (retry_after_secs + 59) / 60
                )),
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert("retry-after", v);
            }
            Ok(r)
        }
        Err(AppError::Conflict { code: "account_inactive", .. }) => Ok(again(
            StatusCode::FORBIDDEN,
            said("Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên của cơ quan nếu cần dùng lại.".into()),
        )),
        Err(AppError::BadCredentials) | Err(AppError::Unauthorized) => {
            Ok(again(StatusCode::UNAUTHORIZED, said("Sai tên đăng nhập hoặc mật khẩu".into())))
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub(crate) async fn logout(Posted(c, _): Posted) -> Page {
    let _ = auth::revoke(&c.state.db, &c.actor, c.now(), c.session.id).await;
    let mut r = redirect("/login?done=logout");
    if let Ok(v) = cookie(&c.state, "", 0).parse() {
        r.headers_mut().insert("set-cookie", v);
    }
    Ok(r)
}

#[derive(Deserialize)]
pub(crate) struct PlanQuery {
    plan: Option<Uuid>,
}

/// The dashboard of a plan: its kept figures, and what is said of today.
#[derive(Serialize)]
struct DashboardView<'a> {
    plan: Api<'a, Plan>,
    #[serde(flatten)]
    figures: &'a Figures,
    start: Option<Checklist>,
    failed: Vec<Mail<'a>>,
    keys: Vec<KeyWarning<'a>>,
    today: String,
    awaiting: Vec<super::urging::AwaitLine>,
    may_urge: bool,
    default_report_by: String,
}

/// The dashboard before there is a plan (`plan` is none).
#[derive(Serialize)]
struct NoPlanView<'a> {
    plan: (),
    keys: Vec<KeyWarning<'a>>,
    start: Option<Checklist>,
}

/// What the dashboard shows of a plan on a day, made once per version and day.
#[derive(Serialize)]
struct Figures {
    #[serde(skip)]
    plan: Plan,
    kinds: Vec<Word>,
    by_unit: Vec<Line>,
    by_group: Vec<Line>,
    totals: BTreeMap<&'static str, u32>,
    total: u32,
    years: Vec<Choice>,
    chart: Chart,
    upcoming: Vec<Upcoming>,
    overdue: Vec<Late>,
    overdue_more: usize,
    ways: Vec<super::urging::WayTile>,
    late_units: Vec<super::urging::LateUnit>,
}

/// A lead unit's or a group's tasks by standing, and the task list's query for them.
#[derive(Serialize)]
struct Line {
    name: String,
    query: String,
    counts: BTreeMap<&'static str, u32>,
    total: u32,
}

/// A task whose deadline is still ahead.
#[derive(Serialize)]
struct Upcoming {
    id: Uuid,
    code: String,
    text: String,
    deadline: String,
    standing: &'static str,
    days: i64,
}

/// A task past its deadline.
#[derive(Serialize)]
struct Late {
    id: Uuid,
    code: String,
    text: String,
    deadline: String,
    days: i64,
    unit: Option<String>,
    unit_id: Option<Uuid>,
}

/// A signing certificate that ends soon.
#[derive(Serialize)]
struct KeyWarning<'a> {
    holder: &'a str,
    until: String,
    days_left: i64,
}

impl<'a> KeyWarning<'a> {
    /// The warning about key `k`.
    fn of(k: &'a SigningKeyInfo) -> Self {
        KeyWarning { holder: &k.holder, until: super::view::vn_date(k.not_after), days_left: k.days_left }
    }
}

#[handler]
pub(crate) async fn dashboard(c: Ctx, Query(q): Query<PlanQuery>) -> Page {
    match c.role() {
        Some(Role::UnitOfficer) => return Ok(redirect("/inbox")),
        Some(Role::ServerAdmin) => return Ok(redirect("/admin/offices")),
        _ => {}
    }
    let ending = key_warnings(&c).await?;
    let keys = ending.iter().map(KeyWarning::of).collect();
    let Some(plan) = current_plan(&c, q.plan).await? else {
        let start = checklist(&c, None, false).await?;
        return Ok(c.page("dashboard.html", StatusCode::OK, NoPlanView { plan: (), keys, start }));
    };
    let today = c.today();
    // What the plan's data gives (counts, lists, chart, years), made once per version and day.
    let plan_id = plan.id;
    let key = crate::storage::cache::Key::new("dashboard", &c.actor, format!("{}/{today}", plan.id));
    let c2 = &c;
    let figures = c.state.db.cached(key, || async move { dashboard_figures(c2, plan, today).await }).await?;
    let start = checklist(&c, Some(plan_id), figures.total > 0).await?;
    let failed = failed_mail(&c).await.unwrap_or_default();
    let view = DashboardView {
        plan: Api(&figures.plan),
        figures: &figures,
        start,
        failed: failed.iter().map(Mail::of).collect(),
        keys,
        today: vn_day(today),
        awaiting: super::urging::awaiting(&c).await?,
        may_urge: c.is(&[Role::Office, Role::Admin]),
        default_report_by: crate::services::urging::five_working_days(today).to_string(),
    };
    Ok(c.page("dashboard.html", StatusCode::OK, view))
}

/// The dashboard's figures of a plan on `today`, from its kept snapshot.
async fn dashboard_figures(c: &Ctx, plan: Plan, today: NaiveDate) -> Result<Figures> {
    let s = snapshot(c, plan, None).await?;
    let f = figures::figures(&s, today);
    let mut bars = Vec::new();
    let mut upcoming = Vec::new();
    for t in &s.tasks {
        let r = s.results.get(&t.id);
        if let Some(score) = r.and_then(|r| r.data.self_score) {
            let rating = r.and_then(|r| r.final_rating.clone()).unwrap_or_default();
            bars.push((t.data.code.to_string(), score, rating));
        }
        let st = standing(t, r, today);
        let Some(d) = t.data.deadline.map(|d| d.0) else { continue };
        if d >= today && st != "accepted" && st != "submitted" && st != "unassigned" {
            upcoming.push(Upcoming {
                id: t.id,
                code: t.data.code.to_string(),
                text: t.data.text.clone(),
                deadline: vn_day(d),
                standing: st,
                days: (d - today).num_days(),
            });
        }
    }
    upcoming.sort_by_key(|u| u.days);
    upcoming.truncate(10);
    let overdue = f
        .overdue
        .iter()
        .take(10)
        .map(|t| Late {
            id: t.task_id,
            code: t.code.clone(),
            text: t.text.clone(),
            deadline: vn_day(t.deadline),
            days: t.days_late,
            unit: t.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.short_name.clone()),
            unit_id: t.lead_unit_id,
        })
        .collect();
    let line = |r: &crate::model::FigureRow, by: &str| {
        let counts = Standing::ALL.iter().map(|k| (k.code(), r.counts.of(*k))).collect();
        let id = r.id.map(|i| i.to_string()).unwrap_or_else(|| "none".into());
        Line { name: r.name.clone(), query: format!("{by}={id}"), counts, total: r.counts.total }
    };
    Ok(Figures {
        kinds: Word::all::<Standing>(),
        by_unit: f.by_unit.iter().map(|r| line(r, "unit")).collect(),
        by_group: f.by_group.iter().map(|r| line(r, "group")).collect(),
        totals: Standing::ALL.iter().map(|k| (k.code(), f.totals.of(*k))).collect(),
        total: f.totals.total,
        years: plan_choices(c, &s.plan).await?,
        chart: chart(&bars),
        upcoming,
        overdue,
        overdue_more: f.overdue.len().saturating_sub(10),
        ways: super::urging::ways(&f.totals),
        late_units: super::urging::late_units(&f),
        plan: s.plan.clone(),
    })
}

/// Signing certificates that end within a month, for administrators.
async fn key_warnings(c: &Ctx) -> Result<Vec<SigningKeyInfo>> {
    crate::services::keys::expiring(&c.state.db, &c.actor, c.now()).await
}

/// The self-score chart: one bar a task, drawn as SVG by the template.
#[derive(Serialize)]
struct Chart {
    height: f64,
    bars: Vec<Bar>,
}

/// One task's bar: where it is drawn, how long, and its colour by rating.
#[derive(Serialize)]
struct Bar {
    y: f64,
    w: f64,
    label: String,
    score: i64,
    rating: String,
    class: &'static str,
}

/// Bars of self-scores (0–100), one per task (its code, score and rating), coloured by rating.
fn chart(bars: &[(String, i32, String)]) -> Chart {
    let row = 22.0;
    let items = bars
        .iter()
        .enumerate()
        .map(|(i, (code, score, rating))| {
            let score = f64::from(*score).clamp(0.0, 100.0);
            let class = match rating.as_str() {
                r if r.contains("xuất sắc") => "excellent",
                r if r.contains("tốt") => "good",
                "" => "none",
                _ => "done",
            };
            Bar {
                y: i as f64 * row,
                w: score * 3.0,
                label: code.clone(),
                score: score as i64,
                rating: rating.clone(),
                class,
            }
        })
        .collect();
    Chart { height: (bars.len() as f64 * row).max(row), bars: items }
}

/// Messages that could not be delivered, for the office to act on.
async fn failed_mail(c: &Ctx) -> Result<Vec<OutboxMessage>> {
    let db = &c.state.db;
    let page = Paging { page: 1, per_page: 50 };
    if c.is(&[Role::Admin]) {
        return Ok(outbox::list_outbox(db, &c.actor, Some("failed".into()), None, page).await?.items);
    }
    if c.is(&[Role::Office]) {
        // The issuer's documents' deliveries (the office resends those), in one query.
        let items = outbox::list_outbox(db, &c.actor, Some("failed".into()), None, page).await?.items;
        return Ok(items.into_iter().filter(|m| m.document_id.is_some()).collect());
    }
    Ok(Vec::new())
}
