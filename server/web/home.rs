//! Log in and out, the dashboard, and the administrators' audit and outbox views.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::view::Choice;
use super::{Ctx, Form, error_page, js, redirect, render, respond, session, session_form};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::http::auth::COOKIE;
use crate::model::{Paging, Standing, Task, TaskResult};
use crate::services::{auth, figures, now, outbox, plans};
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
    render(
        "login.html",
        StatusCode::OK,
        json!({"next": safe_next(q.next.as_deref()), "values": {"username": user}, "expired": expired, "done": done,
            "focus_password": user.is_some()}),
    )
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
        _ => "/",
    }
}

#[handler]
pub(crate) async fn login(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let f = Form::read(body).await;
    let (username, password) = (f.get("username"), f.get("password"));
    let next = safe_next(f.opt("next").as_deref());
    let mut errors = BTreeMap::new();
    if username.trim().is_empty() {
        errors.insert("username", "Nhập tên đăng nhập");
    }
    if password.is_empty() {
        errors.insert("password", "Nhập mật khẩu");
    }
    let values = json!({"username": username});
    if !errors.is_empty() {
        return render(
            "login.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"errors": errors, "values": values, "next": next}),
        );
    }
    match auth::login(&state.db, now(), &username, &password, Some(req.remote_addr().to_string())).await {
        Ok(s) => {
            let role: Option<Role> = s.session.role.parse().ok();
            let to = next.unwrap_or_else(|| home_of(role).to_owned());
            let max_age = auth::COOKIE_SECS;
            let mut r = redirect(&to);
            if let Ok(v) = cookie(&state, &s.token, max_age).parse() {
                r.headers_mut().insert("set-cookie", v);
            }
            r
        }
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            let mut r = render(
                "login.html",
                StatusCode::TOO_MANY_REQUESTS,
                json!({"values": values, "next": next, "errors": {"_": format!(
                    "Tài khoản tạm khóa do nhập sai nhiều lần; thử lại sau {} phút",
                    (retry_after_secs + 59) / 60)}}),
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert("retry-after", v);
            }
            r
        }
        Err(AppError::Conflict { code: "account_inactive", .. }) => render(
            "login.html",
            StatusCode::FORBIDDEN,
            json!({"values": values, "next": next,
                "errors": {"_": "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên của cơ quan nếu cần dùng lại."}}),
        ),
        Err(AppError::BadCredentials) | Err(AppError::Unauthorized) => render(
            "login.html",
            StatusCode::UNAUTHORIZED,
            json!({"values": values, "next": next,
                "errors": {"_": "Sai tên đăng nhập hoặc mật khẩu"}}),
        ),
        Err(e) => error_page(None, &e),
    }
}

#[handler]
pub(crate) async fn logout(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    if let Err(e) = f.check_csrf(&c) {
        return error_page(Some(&c), &e);
    }
    let _ = auth::revoke(&state.db, &c.actor, now(), c.session.id).await;
    let mut r = redirect("/login?done=logout");
    if let Ok(v) = cookie(&state, "", 0).parse() {
        r.headers_mut().insert("set-cookie", v);
    }
    r
}

pub(crate) use crate::services::figures::Snapshot;

/// The plan named in the query, or the actor's most recent one.
pub(crate) async fn current_plan(c: &Ctx, wanted: Option<Uuid>) -> Result<Option<crate::model::Plan>> {
    if let Some(id) = wanted {
        return Ok(Some((*plans::get_plan_versioned(&c.state.db, &c.actor, id).await?.value).clone()));
    }
    // Kept while nothing changes, as the pages that ask for it are the most viewed.
    let key = crate::storage::cache::Key::new("newest_plan", &c.actor, String::new());
    let newest = c
        .state
        .db
        .cached(key, || async {
            let first = Paging { page: 1, per_page: 1 };
            let page = plans::list_plans(&c.state.db, &c.actor, c.actor.issuer_id, None, first).await?;
            Ok::<_, crate::error::AppError>(page.items.into_iter().next())
        })
        .await?;
    Ok((*newest).clone())
}

/// The plan's snapshot as `c` may see it, kept while nothing changes (see
/// `storage::cache`): the dashboard, inbox, review list, task list and plan page
/// read it on every view.
pub(crate) async fn snapshot(
    c: &Ctx,
    plan: crate::model::Plan,
    unit: Option<Uuid>,
) -> Result<std::sync::Arc<Snapshot>> {
    figures::snapshot(&c.state.db, &c.actor, plan, unit).await
}

/// Where a task stands, as its code (see `figures::standing`).
pub(crate) fn standing(t: &Task, r: Option<&TaskResult>, today: NaiveDate) -> &'static str {
    figures::standing(t, r, today).code()
}

pub(crate) fn today() -> NaiveDate {
    crate::services::local_date(now())
}

#[derive(Deserialize)]
pub(crate) struct PlanQuery {
    plan: Option<Uuid>,
}

#[handler]
pub(crate) async fn dashboard(state: Data<&AppState>, req: &Request, Query(q): Query<PlanQuery>) -> Response {
    let c = session!(state, req);
    if c.role() == Some(Role::UnitOfficer) {
        return redirect("/inbox");
    }
    let r = async {
        let keys = key_warnings(&c).await?;
        let Some(plan) = current_plan(&c, q.plan).await? else {
            let start = super::start::checklist(&c, None, false).await?;
            return Ok(c.page("dashboard.html", StatusCode::OK, json!({"plan": null, "keys": keys, "start": start})));
        };
        let today = today();
        // What the plan's data gives (counts, lists, chart, years), made once per version and day.
        let plan_id = plan.id;
        let key = crate::storage::cache::Key::new("dashboard", &c.actor, format!("{}/{today}", plan.id));
        let c2 = &c;
        let view = c.state.db.cached(key, || async move { dashboard_view(c2, plan, today).await }).await?;
        let mut v = (*view).clone();
        let has_tasks = v["total"].as_u64().is_some_and(|n| n > 0);
        v["start"] = json!(super::start::checklist(&c, Some(plan_id), has_tasks).await?);
        v["failed"] = json!(failed_mail(&c).await.unwrap_or_default());
        v["keys"] = json!(keys);
        v["today"] = json!(today.format("%d/%m/%Y").to_string());
        Ok(c.page("dashboard.html", StatusCode::OK, v))
    }
    .await;
    respond(&c, r)
}

/// The dashboard's view of a plan on `today`, from its kept snapshot.
async fn dashboard_view(c: &Ctx, plan: crate::model::Plan, today: NaiveDate) -> Result<Value> {
    {
        let s = snapshot(c, plan, None).await?;
        let f = figures::figures(&s, today);
        let mut bars = Vec::new();
        let mut upcoming = Vec::new();
        for t in &s.tasks {
            let r = s.results.get(&t.id);
            if let Some(score) = r.and_then(|r| r.data.self_score) {
                bars.push(json!({"code": t.data.code, "score": score,
                    "rating": r.and_then(|r| r.final_rating.clone()).unwrap_or_default()}));
            }
            let st = standing(t, r, today);
            let Some(d) = t.data.deadline.map(|d| d.0) else { continue };
            if d >= today && st != "accepted" && st != "submitted" && st != "unassigned" {
                upcoming.push((
                    d,
                    json!({"id": t.id, "code": t.data.code, "text": t.data.text,
                    "deadline": d.format("%d/%m/%Y").to_string(), "standing": st, "days": (d - today).num_days()}),
                ));
            }
        }
        upcoming.sort_by_key(|(d, _)| *d);
        let overdue: Vec<Value> = f
            .overdue
            .iter()
            .take(10)
            .map(|t| {
                json!({"id": t.task_id, "code": t.code, "text": t.text,
                "deadline": t.deadline.format("%d/%m/%Y").to_string(), "days": t.days_late,
                "unit": t.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.short_name.clone())})
            })
            .collect();
        let overdue_more = f.overdue.len().saturating_sub(10);
        let kinds: Vec<Value> = Standing::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect();
        let row = |r: &crate::model::FigureRow, by: &str| {
            let counts: BTreeMap<&str, u32> = Standing::ALL.iter().map(|k| (k.code(), r.counts.of(*k))).collect();
            let id = r.id.map(|i| i.to_string()).unwrap_or_else(|| "none".into());
            json!({"name": r.name, "query": format!("{by}={id}"), "counts": counts, "total": r.counts.total})
        };
        let by_unit: Vec<Value> = f.by_unit.iter().map(|r| row(r, "unit")).collect();
        let by_group: Vec<Value> = f.by_group.iter().map(|r| row(r, "group")).collect();
        let totals: BTreeMap<&str, u32> = Standing::ALL.iter().map(|k| (k.code(), f.totals.of(*k))).collect();
        let years = plan_choices(c, &s.plan).await?;
        let chart = chart(&bars);
        Ok(json!({"plan": js(&s.plan), "kinds": kinds, "by_unit": by_unit, "by_group": by_group,
                "totals": totals, "total": f.totals.total, "years": years,
                "chart": chart, "upcoming": upcoming.into_iter().take(10).map(|(_, v)| v).collect::<Vec<_>>(),
                "overdue": overdue, "overdue_more": overdue_more}))
    }
}

/// The issuer's plans, newest year first, for the year selector.
pub(crate) async fn plan_choices(c: &Ctx, current: &crate::model::Plan) -> Result<Vec<Choice>> {
    let page =
        plans::list_plans(&c.state.db, &c.actor, Some(current.data.issuer_id), None, Paging { page: 1, per_page: 100 })
            .await?;
    Ok(page
        .items
        .iter()
        .map(|p| Choice { id: p.id, label: format!("Năm {}", p.data.year), selected: p.id == current.id })
        .collect())
}

/// Signing certificates that end within a month, for administrators.
async fn key_warnings(c: &Ctx) -> Result<Vec<Value>> {
    let soon = crate::services::keys::expiring(&c.state.db, &c.actor, now()).await?;
    Ok(soon
        .iter()
        .map(|k| json!({"holder": k.holder, "until": super::documents::vn_date(k.not_after), "days_left": k.days_left}))
        .collect())
}

/// Bars of self-scores (0–100), one per task, coloured by rating; drawn as SVG by the template.
fn chart(bars: &[Value]) -> Value {
    let row = 22.0;
    let items: Vec<Value> = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let score = b["score"].as_f64().unwrap_or(0.0).clamp(0.0, 100.0);
            let class = match b["rating"].as_str().unwrap_or("") {
                r if r.contains("xuất sắc") => "excellent",
                r if r.contains("tốt") => "good",
                "" => "none",
                _ => "done",
            };
            json!({"y": i as f64 * row, "w": score * 3.0, "label": b["code"], "score": score as i64, "rating": b["rating"], "class": class})
        })
        .collect();
    json!({"height": (bars.len() as f64 * row).max(row), "bars": items})
}

/// Messages that could not be delivered, for the office to act on.
async fn failed_mail(c: &Ctx) -> Result<Vec<Value>> {
    let db = &c.state.db;
    let page = Paging { page: 1, per_page: 50 };
    let mut out = Vec::new();
    if c.is(&[Role::Admin]) {
        for m in outbox::list_outbox(db, &c.actor, Some("failed".into()), None, page).await?.items {
            out.push(m_json(&m));
        }
    } else if c.is(&[Role::Office]) {
        // The issuer's documents' deliveries (the office resends those), in one query.
        for m in outbox::list_outbox(db, &c.actor, Some("failed".into()), None, page).await?.items {
            if m.document_id.is_some() {
                out.push(m_json(&m));
            }
        }
    }
    Ok(out)
}

fn m_json(m: &crate::model::OutboxMessage) -> Value {
    json!({"id": m.id, "to": m.to_addr, "label": m.recipient_label, "subject": m.subject, "state": m.state,
        "attempts": m.attempts, "error": m.last_error, "document_id": m.document_id,
        "sent_at": m.sent_at.map(super::documents::vn_time)})
}

#[handler]
pub(crate) async fn outbox_page(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async { outbox_view(&c, StatusCode::OK, json!({})).await }.await;
    respond(&c, r)
}

/// The outbox page (the office's and administrators'), with `extra` (a mail test's outcome).
async fn outbox_view(c: &Ctx, status: StatusCode, extra: Value) -> Result<Response> {
    if !c.is(&[Role::Admin, Role::Office]) {
        return Err(AppError::Forbidden);
    }
    let page = outbox::list_outbox(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 200 }).await?;
    let items: Vec<Value> = page.items.iter().map(m_json).collect();
    let mut ctx = json!({"items": items, "total": page.total, "can_test": c.is(&[Role::Admin]), "test_to": ""});
    if let (Some(o), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Ok(c.page("outbox.html", status, ctx))
}

#[handler]
pub(crate) async fn mail_test(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let to = f.get("to");
        let mailer = c.state.mailer.as_deref();
        match outbox::send_test(&c.state.db, &c.actor, now(), mailer, &to).await {
            Ok(t) => {
                let test = json!({"accepted": t.accepted, "words": t.words, "detail": t.detail});
                outbox_view(&c, StatusCode::OK, json!({"test": test, "test_to": to})).await
            }
            Err(AppError::Conflict { message, .. }) => {
                let test = json!({"accepted": false, "words": super::vietnamese(&message)});
                outbox_view(&c, StatusCode::CONFLICT, json!({"test": test, "test_to": to})).await
            }
            Err(AppError::Invalid(fields)) => {
                let message = fields.values().next().map(|m| super::vietnamese(m)).unwrap_or_default();
                outbox_view(&c, StatusCode::UNPROCESSABLE_ENTITY, json!({"test_error": message, "test_to": to})).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn resend(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        outbox::resend(&c.state.db, &c.actor, now(), id).await?;
        let back = f.opt("back").filter(|b| super::local_path(b)).unwrap_or_else(|| "/admin/outbox".into());
        Ok(super::done(&back, "resent"))
    }
    .await;
    respond(&c, r)
}
