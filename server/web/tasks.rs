//! The task list: a plan's tasks narrowed by lead unit, group, standing, deadline and
//! words — where every count on the dashboard leads.

use chrono::NaiveDate;
use poem::handler;
use poem::http::StatusCode;
use poem::web::Query;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records::{current_plan, plan_choices, snapshot};
use super::view::{Api, Choice, Named, Word, vn_day};
use super::{Ctx, Page};
use crate::domain::Timeliness;
use crate::model::{Plan, Standing};
use crate::services::figures::{self, Selection};

/// Longest search text.
const MAX_WORDS: usize = 200;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    plan: Option<String>,
    unit: Option<String>,
    group: Option<String>,
    standing: Option<String>,
    way: Option<String>,
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
    match given(&q.way).as_deref() {
        None => {}
        Some("at_risk") => sel.at_risk = true,
        Some(s) => match s.parse::<Timeliness>() {
            Ok(w) => sel.timeliness = Some(w),
            Err(_) => problems.push("Mốc hạn trong địa chỉ không đúng; đã bỏ lọc theo hạn."),
        },
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

/// The task list page.
#[derive(Serialize, Default)]
struct ListView<'a> {
    plan: Option<Api<'a, Plan>>,
    rows: Vec<Row<'a>>,
    total: usize,
    units: Vec<Named>,
    years: Vec<Choice>,
    groups: Vec<Group<'a>>,
    standings: Vec<Word>,
    ways: Vec<Word>,
    chosen: Chosen,
    filtered: bool,
    problems: Vec<&'static str>,
    today: String,
    unit_officer: bool,
}

/// One task of the list.
#[derive(Serialize)]
struct Row<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    standing: &'static str,
    note: String,
    unit: Option<&'a str>,
    deadline: Option<String>,
}

#[derive(Serialize)]
struct Group<'a> {
    id: Uuid,
    title: &'a str,
}

/// The filter as the form shows it back.
#[derive(Serialize, Default)]
struct Chosen {
    unit: String,
    group: String,
    standing: &'static str,
    way: &'static str,
    from: String,
    to: String,
    q: String,
}

/// `GET /tasks`: a plan's tasks, narrowed by the query.
#[handler]
pub(crate) async fn list(c: Ctx, Query(q): Query<ListQuery>) -> Page {
    let wanted = q.plan.as_deref().and_then(|p| p.parse::<Uuid>().ok());
    let Some(plan) = current_plan(&c, wanted).await? else {
        return Ok(c.page("tasks.html", StatusCode::OK, ListView::default()));
    };
    let unit = figures::own_unit(&c.actor);
    let s = snapshot(&c, plan, unit).await?;
    let today = c.today();
    let (sel, problems) = selection(&q);
    let rows = figures::select(&s, &sel, today)
        .into_iter()
        .map(|(t, st)| {
            let deadline = t.data.deadline.map(|d| d.0);
            let note = match (st, deadline) {
                (Standing::Overdue | Standing::DueSoon, Some(d)) => crate::domain::format::due_words(d, today),
                _ => st.label().to_lowercase(),
            };
            Row {
                id: t.id,
                code: &t.data.code,
                text: &t.data.text,
                standing: st.code(),
                note,
                unit: t.data.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.as_str()),
                deadline: deadline.map(vn_day),
            }
        })
        .collect();
    let units = s
        .units
        .values()
        .filter(|u| s.tasks.iter().any(|t| t.data.lead_unit_id == Some(u.id)))
        .map(|u| Named { id: u.id, name: u.data.name.clone() })
        .collect();
    let chosen = Chosen {
        unit: match sel.lead {
            Some(Some(u)) => u.to_string(),
            Some(None) => "none".into(),
            None => String::new(),
        },
        group: sel.group.map(|g| g.to_string()).unwrap_or_default(),
        standing: sel.standing.map(|x| x.code()).unwrap_or_default(),
        way: if sel.at_risk { "at_risk" } else { sel.timeliness.map(|w| w.code()).unwrap_or_default() },
        from: sel.from.map(vn_day).unwrap_or_default(),
        to: sel.to.map(vn_day).unwrap_or_default(),
        q: sel.words.clone(),
    };
    let filtered = sel.lead.is_some()
        || sel.group.is_some()
        || sel.standing.is_some()
        || sel.timeliness.is_some()
        || sel.at_risk
        || sel.from.is_some()
        || sel.to.is_some()
        || !sel.words.is_empty();
    let years = plan_choices(&c, &s.plan).await?;
    let view = ListView {
        plan: Some(Api(&s.plan)),
        rows,
        total: s.tasks.len(),
        units,
        years,
        groups: s.groups.iter().map(|g| Group { id: g.id, title: &g.data.title }).collect(),
        standings: Word::all::<Standing>(),
        ways: Word::all::<Timeliness>(),
        chosen,
        filtered,
        problems,
        today: vn_day(today),
        unit_officer: unit.is_some(),
    };
    Ok(c.page("tasks.html", StatusCode::OK, view))
}
