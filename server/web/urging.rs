//! Deadlines on the dashboard and the urging page: the Government's four-way counts
//! with "Nguy cơ chậm", the units with late or at-risk tasks to urge in one step (the
//! digest mail now, or a công văn đôn đốc drafted for checking and signing), and what
//! waits for the person signed in (requests to decide, overdue tasks told to the
//! chairman, explanation requests and directions to answer).

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use poem::web::{Path, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view::Api;
use super::{Ctx, Page, Posted, field_errors};
use crate::domain::{Role, Timeliness};
use crate::error::{AppError, Result};
use crate::model::{Counts, Plan, PlanFigures, UrgeInput};
use crate::services::{figures, follow_up_reads, plans, urging};

/// Each field's error.
type Errors = BTreeMap<String, String>;

/// A count of the four ways (or of the tasks at risk) and its list's query.
#[derive(Serialize, Clone)]
pub(crate) struct WayTile {
    code: &'static str,
    label: &'static str,
    n: u32,
    bad: bool,
}

/// The four ways and "Nguy cơ chậm", in the Government's order.
pub(crate) fn ways(t: &Counts) -> Vec<WayTile> {
    let mut out: Vec<WayTile> = Timeliness::ALL
        .iter()
        .map(|w| WayTile { code: w.code(), label: w.label(), n: t.of_timeliness(*w), bad: *w == Timeliness::OpenLate })
        .collect();
    if let Some(first) = out.first_mut()
        && t.done_on_time_extended > 0
    {
        first.label = "Hoàn thành đúng hạn (kể cả đã gia hạn)";
    }
    out.push(WayTile { code: "at_risk", label: "Nguy cơ chậm", n: t.at_risk, bad: false });
    out
}

/// A unit with tasks to urge.
#[derive(Serialize, Clone)]
pub(crate) struct LateUnit {
    id: Uuid,
    name: String,
    late: u32,
    risk: u32,
}

/// The units with overdue or at-risk tasks.
pub(crate) fn late_units(f: &PlanFigures) -> Vec<LateUnit> {
    f.by_unit
        .iter()
        .filter_map(|r| {
            let (late, risk) = (r.counts.open_late, r.counts.at_risk);
            Some(LateUnit { id: r.id?, name: r.name.clone(), late, risk }).filter(|_| late + risk > 0)
        })
        .collect()
}

/// What waits for the person signed in.
#[derive(Serialize)]
pub(crate) struct AwaitLine {
    task_id: Uuid,
    code: String,
    what: &'static str,
    summary: String,
    overdue: bool,
}

/// The follow-ups that wait for `c`.
pub(crate) async fn awaiting(c: &Ctx) -> Result<Vec<AwaitLine>> {
    Ok(follow_up_reads::awaiting(&c.state.db, &c.actor, c.today())
        .await?
        .into_iter()
        .map(|f| AwaitLine {
            task_id: f.task_id,
            code: f.task_code,
            what: f.kind.label(),
            summary: f.summary,
            overdue: f.overdue,
        })
        .collect())
}

/// Only the office urges.
fn office(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Office, Role::Admin]) { Ok(()) } else { Err(AppError::Forbidden) }
}

#[derive(Deserialize)]
pub(crate) struct UrgeQuery {
    unit: Option<String>,
}

/// The urging page.
#[derive(Serialize)]
struct UrgeView<'a> {
    plan: Api<'a, Plan>,
    units: Vec<LateUnit>,
    chosen: Vec<String>,
    values: BTreeMap<String, String>,
    errors: Option<Errors>,
    default_report_by: String,
}

async fn urge_view(
    c: &Ctx,
    plan_id: Uuid,
    chosen: Vec<String>,
    sent: Option<(BTreeMap<String, String>, Errors)>,
) -> Page {
    office(c)?;
    let plan = plans::get_plan(&c.state.db, &c.actor, plan_id).await?;
    let f = figures::plan_figures(&c.state.db, &c.actor, plan_id, c.today()).await?;
    let (values, errors, status) = match sent {
        Some((v, e)) => (v, Some(e), StatusCode::UNPROCESSABLE_ENTITY),
        None => (BTreeMap::new(), None, StatusCode::OK),
    };
    let view = UrgeView {
        plan: Api(&plan),
        units: late_units(&f),
        chosen,
        values,
        errors,
        default_report_by: urging::five_working_days(c.today()).to_string(),
    };
    Ok(c.page("urge.html", status, view))
}

/// `GET /plans/{id}/urge`: choose the units (one chosen already from a task or the
/// overdue list), the way, and the day to report by.
#[handler]
pub(crate) async fn page(Path(id): Path<Uuid>, c: Ctx, Query(q): Query<UrgeQuery>) -> Page {
    urge_view(&c, id, q.unit.into_iter().collect(), None).await
}

/// `POST /plans/{id}/urge`: urges the chosen units in one step.
#[handler]
pub(crate) async fn urge(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    office(&c)?;
    let chosen = f.all("unit_ids");
    let mut errors = Errors::new();
    let unit_ids: Vec<Uuid> = chosen.iter().filter_map(|u| u.parse().ok()).collect();
    if unit_ids.len() != chosen.len() {
        errors.insert("unit_ids".into(), "Đơn vị đã chọn không đúng".into());
    }
    let report_by = super::task_form::parse_date(&f, "report_by", &mut errors).map(Into::into);
    if !errors.is_empty() {
        return urge_view(&c, id, chosen, Some((f.values(), errors))).await;
    }
    let input = UrgeInput { unit_ids, by: f.get("by").into(), one_each: f.get("one_each") == "1", report_by };
    match urging::urge(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(out) => Ok(match out.documents.as_slice() {
            [] => super::done(&format!("/?plan={id}#urge"), "urged"),
            [one] => super::done(&format!("/documents/{one}"), "urge_drafted"),
            _ => super::done("/documents", "urge_drafted_many"),
        }),
        Err(e) => match field_errors(&e) {
            Some(errors) => urge_view(&c, id, chosen, Some((f.values(), errors))).await,
            None => Err(e.into()),
        },
    }
}
