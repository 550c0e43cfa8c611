//! The task list: a plan's tasks narrowed by lead unit, group, standing, deadline and
//! words — where every count on the dashboard leads.

use chrono::NaiveDate;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::home::{current_plan, plan_choices, snapshot, today};
use super::{Ctx, js, respond, session};
use crate::error::Result;
use crate::model::Standing;
use crate::services::figures::{self, Selection};
use crate::state::AppState;

/// Longest search text.
const MAX_WORDS: usize = 200;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    plan: Option<String>,
    unit: Option<String>,
    group: Option<String>,
    standing: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// What the query asks for, and the Vietnamese notice for each part it could not read.
fn selection(q: &ListQuery) -> (Selection, Vec<&'static str>) {
    let mut sel = Selection::default();
    let mut problems = Vec::new();
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    match given(&q.unit).as_deref() {
        None => {}
        Some("none") => sel.lead = Some(None),
        Some(s) => match s.parse::<Uuid>() {
            Ok(u) => sel.lead = Some(Some(u)),
            Err(_) => problems.push("Đơn vị trong địa chỉ không đúng; đã bỏ lọc theo đơn vị."),
        },
    }
    if let Some(s) = given(&q.group) {
        match s.parse::<Uuid>() {
            Ok(g) => sel.group = Some(g),
            Err(_) => problems.push("Nhóm trong địa chỉ không đúng; đã bỏ lọc theo nhóm."),
        }
    }
    if let Some(s) = given(&q.standing) {
        match Standing::from_code(&s) {
            Some(x) => sel.standing = Some(x),
            None => problems.push("Tình trạng trong địa chỉ không đúng; đã bỏ lọc theo tình trạng."),
        }
    }
    for (v, slot) in [(&q.from, &mut sel.from), (&q.to, &mut sel.to)] {
        if let Some(s) = given(v) {
            match date(&s) {
                Some(d) => *slot = Some(d),
                None => problems.push("Ngày không đúng dạng ngày/tháng/năm; đã bỏ lọc theo ngày."),
            }
        }
    }
    let words = given(&q.q).unwrap_or_default();
    if words.chars().count() > MAX_WORDS {
        problems.push("Chuỗi tìm kiếm dài quá 200 ký tự; đã cắt bớt.");
    }
    sel.words = words.chars().take(MAX_WORDS).collect();
    (sel, problems)
}

async fn list_view(c: &Ctx, q: ListQuery) -> Result<Response> {
    let wanted = q.plan.as_deref().and_then(|p| p.parse::<Uuid>().ok());
    let Some(plan) = current_plan(c, wanted).await? else {
        return Ok(c.page("tasks.html", StatusCode::OK, json!({"plan": null})));
    };
    let unit = figures::own_unit(&c.actor);
    let s = snapshot(c, plan, unit).await?;
    let today = today();
    let (sel, problems) = selection(&q);
    let rows: Vec<Value> = figures::select(&s, &sel, today)
        .into_iter()
        .map(|(t, st)| {
            let deadline = t.data.deadline.map(|d| d.0);
            let note = match (st, deadline) {
                (Standing::Overdue | Standing::DueSoon, Some(d)) => crate::domain::format::due_words(d, today),
                _ => st.label().to_lowercase(),
            };
            json!({"id": t.id, "code": t.data.code, "text": t.data.text, "standing": st.code(), "note": note,
                "unit": t.data.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.clone()),
                "deadline": deadline.map(|d| d.format("%d/%m/%Y").to_string())})
        })
        .collect();
    let units: Vec<Value> = s
        .units
        .values()
        .filter(|u| s.tasks.iter().any(|t| t.data.lead_unit_id == Some(u.id)))
        .map(|u| json!({"id": u.id, "name": u.data.name}))
        .collect();
    let standings: Vec<Value> = Standing::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect();
    let chosen = json!({
        "unit": match sel.lead { Some(Some(u)) => u.to_string(), Some(None) => "none".into(), None => String::new() },
        "group": sel.group.map(|g| g.to_string()).unwrap_or_default(),
        "standing": sel.standing.map(|x| x.code()).unwrap_or_default(),
        "from": sel.from.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
        "to": sel.to.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
        "q": sel.words,
    });
    let filtered = sel.lead.is_some()
        || sel.group.is_some()
        || sel.standing.is_some()
        || sel.from.is_some()
        || sel.to.is_some()
        || !sel.words.is_empty();
    let years = plan_choices(c, &s.plan).await?;
    Ok(c.page(
        "tasks.html",
        StatusCode::OK,
        json!({"plan": js(&s.plan), "rows": rows, "total": s.tasks.len(), "units": units, "years": years,
            "groups": s.groups.iter().map(|g| json!({"id": g.id, "title": g.data.title})).collect::<Vec<_>>(),
            "standings": standings, "chosen": chosen, "filtered": filtered, "problems": problems,
            "today": today.format("%d/%m/%Y").to_string(), "unit_officer": unit.is_some()}),
    ))
}

#[handler]
pub(crate) async fn list(state: Data<&AppState>, req: &Request, Query(q): Query<ListQuery>) -> Response {
    let c = session!(state, req);
    let r = list_view(&c, q).await;
    respond(&c, r)
}
