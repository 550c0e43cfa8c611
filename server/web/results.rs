//! The task page with its result form, and the office's review.

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use poem::web::Path;
use serde::Serialize;
use uuid::Uuid;

use super::records::{current_plan, snapshot};
use super::task_form::parse_number;
use super::task_overview::{EvidenceItem, Overview, ReviewStep};
use super::view::{Api, vn_day};
use super::{Ctx, Page, Posted, field_errors, keep, markdown_html};
use crate::domain::ResultState;
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{BandInput, Contribution, ContributionInput, Evidence, Paging, Plan, ReviewEvent, Task, TaskResult};
use crate::services::results::Step;
use crate::services::{contributions, evidence, plans, results, rubrics, tasks, units};

/// A result's state in words; a task without a result is not yet reported.
pub(crate) fn state_label(s: Option<ResultState>) -> &'static str {
    s.map_or("Chưa báo cáo", ResultState::label)
}

async fn result_of(c: &Ctx, task: Uuid) -> Result<Option<TaskResult>> {
    let p =
        results::list_results(&c.state.db, &c.actor, None, Some(task), None, Paging { page: 1, per_page: 1 }).await?;
    Ok(p.items.into_iter().next())
}

/// What a task's page shows of the records: the task with its targets, its result,
/// evidence, rubric bands, review history and contributions.
pub(crate) struct TaskRecord {
    task: Task,
    result: Option<TaskResult>,
    files: Vec<Evidence>,
    bands: Vec<BandInput>,
    history: Vec<ReviewEvent>,
    /// Each contribution with its unit's name.
    contributions: Vec<(Contribution, String)>,
}

/// A task's record as `c` may see it, kept while nothing changes (see `storage::cache`).
pub(crate) async fn task_record(c: &Ctx, id: Uuid) -> Result<std::sync::Arc<TaskRecord>> {
    let key = crate::storage::cache::Key::new("task_record", &c.actor, id.to_string());
    c.state.db.cached(key, || load_task_record(c, id)).await
}

async fn load_task_record(c: &Ctx, id: Uuid) -> Result<TaskRecord> {
    let db = &c.state.db;
    let task = tasks::get_task(db, &c.actor, id).await?;
    let result = result_of(c, id).await?;
    let files = evidence::list_evidence(db, &c.actor, id).await?;
    let plan = plans::get_plan(db, &c.actor, task.plan_id).await?;
    let bands = match plan.data.rubric_id {
        Some(r) => rubrics::get_rubric(db, &c.actor, r).await.map(|r| r.data.bands).unwrap_or_default(),
        None => Vec::new(),
    };
    let history = match &result {
        Some(r) => results::history(db, &c.actor, r.id).await?,
        None => Vec::new(),
    };
    let mut contributions = Vec::new();
    for x in contributions::list_for_task(db, &c.actor, id).await? {
        let unit = units::get_unit(db, &c.actor, x.unit_id).await.map(|u| u.data.name).unwrap_or_default();
        contributions.push((x, unit));
    }
    Ok(TaskRecord { task, result, files, bands, history, contributions })
}

/// The task page (and, with `review_id`, the review page).
#[derive(Serialize)]
struct TaskView<'a> {
    task: TaskHead<'a>,
    targets: Vec<TargetRow<'a>>,
    result: Option<ResultView<'a>>,
    evidence: Vec<EvidenceItem<'a>>,
    history: Vec<ReviewStep<'a>>,
    bands: Api<'a, Vec<BandInput>>,
    editable: bool,
    cooperates: bool,
    may_upload: bool,
    contributions: Vec<ContributionView<'a>>,
    contribution: Option<&'a str>,
    restored: Option<Restored>,
    values: Values<'a>,
    max_upload: u64,
    overview: Option<Overview<'a>>,
    follow_up: super::follow_up_panel::Panel,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review_id: Option<Uuid>,
}

/// The task itself, at the top of its page.
#[derive(Serialize)]
struct TaskHead<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    deadline: Option<String>,
}

/// One target: the goal and the value reached.
#[derive(Serialize)]
struct TargetRow<'a> {
    id: Uuid,
    description: &'a str,
    unit: Option<&'a str>,
    goal: Option<String>,
    actual: Option<String>,
}

/// The task's result as reported.
#[derive(Serialize)]
struct ResultView<'a> {
    id: Uuid,
    state: &'static str,
    state_code: Option<&'a str>,
    proposed_rating: Option<&'a str>,
    final_rating: Option<&'a str>,
    comment: Option<&'a str>,
    self_score: Option<i32>,
    narrative_html: String,
}

/// A co-operating unit's contribution.
#[derive(Serialize)]
struct ContributionView<'a> {
    unit: &'a str,
    html: String,
    updated_at: String,
}

/// A draft brought back over the stored text, and where it is kept.
#[derive(Serialize)]
struct Restored {
    text: String,
    key: String,
}

/// What the form shows: the stored result, or what was typed (a draft brought
/// back, a form sent back with its errors).
#[derive(Serialize)]
#[serde(untagged)]
enum Values<'a> {
    /// The stored narrative and self-score.
    Stored { narrative: &'a str, self_score: Option<i32> },
    /// Field → typed text.
    Typed(BTreeMap<String, String>),
}

/// A form sent back: each field's error and the values typed.
struct SentBack {
    errors: BTreeMap<String, String>,
    values: BTreeMap<String, String>,
}

/// The task, its targets, its result and evidence, and whether the actor may report.
async fn task_view<'a>(c: &Ctx, rec: &'a TaskRecord, sent: Option<SentBack>) -> Result<TaskView<'a>> {
    let TaskRecord { task: t, result, files, bands, history, .. } = rec;
    let st = result.as_ref().and_then(|r| r.data.state.as_deref());
    // A unit officer reports on the tasks their unit leads and contributes to those
    // it co-operates on; the office may do either.
    let own_unit = c.actor.unit_id.filter(|_| c.is(&[Role::UnitOfficer]));
    let leads = match own_unit {
        Some(u) => t.data.lead_unit_id == Some(u),
        None => c.is(&[Role::Office, Role::Admin]),
    };
    let cooperates = own_unit.is_some_and(|u| t.data.cooperating_unit_ids.contains(&u));
    let editable = leads && matches!(st, None | Some("draft") | Some("returned"));
    let mut contributions = Vec::new();
    let mut own_contribution = None;
    for (x, unit) in &rec.contributions {
        if Some(x.unit_id) == own_unit {
            own_contribution = Some((x.text.as_str(), x.updated_at));
        }
        let updated_at = super::view::vn_time(x.updated_at);
        contributions.push(ContributionView { unit, html: markdown_html(&x.text), updated_at });
    }
    let narrative = result.as_ref().map_or("", |r| r.data.narrative.as_str());
    let self_score = result.as_ref().and_then(|r| r.data.self_score);
    let mut stored = BTreeMap::from([
        ("narrative".to_owned(), narrative.to_owned()),
        ("self_score".to_owned(), self_score.map(|s| s.to_string()).unwrap_or_default()),
    ]);
    for x in &t.targets {
        stored.insert(format!("actual_{}", x.id), super::num(x.data.actual_value).unwrap_or_default());
    }
    let fresh = sent.is_none();
    let (errors, mut values) = match sent {
        Some(s) => (Some(s.errors), Values::Typed(s.values)),
        None => (None, Values::Stored { narrative, self_score }),
    };
    // A draft typed here and not saved (autosaved, or caught when the session ran
    // out) comes back in place of the stored text, with a notice.
    let mut restored = None;
    let key = format!("/tasks/{}", t.id);
    if fresh
        && editable
        && let Some(d) = keep::restorable(c, &key, result.as_ref().map(|r| r.updated_at), &stored).await
    {
        values = Values::Typed(keep::values_of(&d));
        restored = Some(Restored { text: keep::restored_notice(&d), key });
    }
    let key = format!("/tasks/{}#contribution", t.id);
    let stored_contribution =
        BTreeMap::from([("contribution".to_owned(), own_contribution.map(|c| c.0.to_owned()).unwrap_or_default())]);
    if fresh
        && cooperates
        && let Some(d) = keep::restorable(c, &key, own_contribution.map(|c| c.1), &stored_contribution).await
    {
        values = Values::Typed(keep::values_of(&d));
        restored = Some(Restored { text: keep::restored_notice(&d), key });
    }
    let history: Vec<ReviewStep> = history.iter().map(ReviewStep::of).collect();
    let overview = super::task_overview::overview(c, t, result.as_ref(), &history).await?;
    Ok(TaskView {
        task: TaskHead {
            id: t.id,
            code: &t.data.code,
            text: &t.data.text,
            deadline: t.data.deadline.map(|d| vn_day(d.0)),
        },
        targets: t
            .targets
            .iter()
            .map(|x| TargetRow {
                id: x.id,
                description: &x.data.description,
                unit: x.data.measure_unit.as_deref(),
                goal: super::num(x.data.goal_value),
                actual: super::num(x.data.actual_value),
            })
            .collect(),
        result: result.as_ref().map(|r| ResultView {
            id: r.id,
            state: state_label(r.data.state.as_ref().and_then(|s| s.value())),
            state_code: r.data.state.as_deref(),
            proposed_rating: r.proposed_rating.as_deref(),
            final_rating: r.final_rating.as_deref(),
            comment: r.review_comment.as_deref(),
            self_score: r.data.self_score,
            narrative_html: markdown_html(&r.data.narrative),
        }),
        evidence: files.iter().map(EvidenceItem::of).collect(),
        history,
        bands: Api(bands),
        editable,
        cooperates,
        may_upload: editable || cooperates,
        contributions,
        contribution: own_contribution.map(|c| c.0),
        restored,
        values,
        max_upload: c.state.max_upload_bytes,
        overview,
        follow_up: super::follow_up_panel::panel(c, t, result.as_ref(), None).await?,
        errors,
        review_id: None,
    })
}

/// The task page with a form of its "Theo dõi hạn" panel sent back (422).
pub(crate) async fn task_page_with(c: &Ctx, id: Uuid, sent: super::follow_up_panel::Sent) -> Page {
    let rec = task_record(c, id).await?;
    let mut v = task_view(c, &rec, None).await?;
    v.follow_up = super::follow_up_panel::panel(c, &rec.task, rec.result.as_ref(), Some(sent)).await?;
    Ok(c.page("result.html", StatusCode::UNPROCESSABLE_ENTITY, v))
}

/// `GET /tasks/{id}`: the task with its result, and the form to report on it.
#[handler]
pub(crate) async fn task_page(Path(id): Path<Uuid>, c: Ctx) -> Page {
    let rec = task_record(&c, id).await?;
    Ok(c.page("result.html", StatusCode::OK, task_view(&c, &rec, None).await?))
}

/// `POST /tasks/{id}`: saves the result, and sends it to the office when asked.
#[handler]
pub(crate) async fn save_result(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let rec = task_record(&c, id).await?;
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let score = match f.get("self_score").trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(v) if (0..=100).contains(&v) => Some(v),
            _ => {
                errors.insert("self_score".into(), "Điểm là số nguyên từ 0 đến 100".into());
                None
            }
        },
    };
    let actuals: Vec<(Uuid, Option<f64>)> =
        rec.task.targets.iter().map(|x| (x.id, parse_number(&f, &format!("actual_{}", x.id), &mut errors))).collect();
    let submit = f.get("action") == "submit";
    if submit && f.get("narrative").trim().is_empty() {
        errors.insert("narrative".into(), "Nhập kết quả thực hiện trước khi gửi".into());
    }
    if errors.is_empty() {
        // One call, one transaction: the result, the values reached and the step.
        let report = results::Report { narrative: f.get("narrative"), self_score: score, actuals, submit };
        match results::report(&c.state.db, &c.actor, c.now(), id, report).await {
            Ok(_) => return Ok(super::done(&format!("/tasks/{id}"), if submit { "submitted" } else { "saved" })),
            Err(e) => match field_errors(&e) {
                Some(more) => errors.extend(more),
                None => return Err(e.into()),
            },
        }
    }
    let rec = task_record(&c, id).await?;
    let v = task_view(&c, &rec, Some(SentBack { errors, values: f.values() })).await?;
    Ok(c.page("result.html", StatusCode::UNPROCESSABLE_ENTITY, v))
}

/// `POST /tasks/{id}/contribution`: a co-operating unit's contribution, saved from
/// the task page.
#[handler]
pub(crate) async fn save_contribution(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    let input = ContributionInput { text: f.get("contribution"), unit_id: None };
    match contributions::contribute(&c.state.db, &c.actor, c.now(), id, input).await {
        Ok(_) => Ok(super::done(&format!("/tasks/{id}#contribution"), "contributed")),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let errors = errors.into_iter().map(|(k, v)| (format!("contribution_{k}"), v)).collect();
                let rec = task_record(&c, id).await?;
                let v = task_view(&c, &rec, Some(SentBack { errors, values: f.values() })).await?;
                Ok(c.page("result.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
            None => Err(e.into()),
        },
    }
}

fn reviewer(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin, Role::Office]) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The results waiting for the office.
#[derive(Serialize, Default)]
struct ReviewListView<'a> {
    plan: Option<Api<'a, Plan>>,
    items: Vec<Waiting<'a>>,
}

/// A result sent to the office, waiting for its review.
#[derive(Serialize)]
struct Waiting<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    unit: Option<&'a str>,
    score: Option<i32>,
    rating: Option<&'a str>,
    submitted_at: Option<String>,
}

/// `GET /review`.
#[handler]
pub(crate) async fn review_list(c: Ctx) -> Page {
    reviewer(&c)?;
    let Some(plan) = current_plan(&c, None).await? else {
        return Ok(c.page("review_list.html", StatusCode::OK, ReviewListView::default()));
    };
    let s = snapshot(&c, plan, None).await?;
    let items = s
        .tasks
        .iter()
        .filter_map(|t| s.results.get(&t.id).filter(|r| r.data.state.as_deref() == Some("submitted")).map(|r| (t, r)))
        .map(|(t, r)| Waiting {
            id: r.id,
            code: &t.data.code,
            text: &t.data.text,
            unit: t.data.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.as_str()),
            score: r.data.self_score,
            rating: r.final_rating.as_deref(),
            submitted_at: r.submitted_at.map(super::view::vn_time),
        })
        .collect();
    Ok(c.page("review_list.html", StatusCode::OK, ReviewListView { plan: Some(Api(&s.plan)), items }))
}

/// The record of the task whose result `id` is.
async fn review_record(c: &Ctx, id: Uuid) -> Result<std::sync::Arc<TaskRecord>> {
    let r = results::get_result(&c.state.db, &c.actor, id).await?;
    task_record(c, r.data.task_id).await
}

/// The review page of result `id`: the task page, read only, with the review's form.
async fn review_view<'a>(c: &Ctx, id: Uuid, rec: &'a TaskRecord, sent: Option<SentBack>) -> Result<TaskView<'a>> {
    let mut v = task_view(c, rec, None).await?;
    v.editable = false;
    v.review_id = Some(id);
    if let Some(s) = sent {
        v.errors = Some(s.errors);
        v.values = Values::Typed(s.values);
    }
    Ok(v)
}

/// `GET /review/{id}`.
#[handler]
pub(crate) async fn review_page(Path(id): Path<Uuid>, c: Ctx) -> Page {
    reviewer(&c)?;
    let rec = review_record(&c, id).await?;
    Ok(c.page("review.html", StatusCode::OK, review_view(&c, id, &rec, None).await?))
}

/// `POST /review/{id}`: accepts, returns or reopens the result.
#[handler]
pub(crate) async fn review_step(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    reviewer(&c)?;
    let step = match f.get("action").as_str() {
        "accept" => Step::Accept,
        "return" => Step::Return,
        "reopen" => Step::Reopen,
        _ => return Err(AppError::field("action", "Thao tác không hợp lệ / unknown action").into()),
    };
    match results::step_result(&c.state.db, &c.actor, c.now(), id, step, f.opt("comment")).await {
        Ok(_) => Ok(super::done("/review", &f.get("action"))),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let rec = review_record(&c, id).await?;
                let v = review_view(&c, id, &rec, Some(SentBack { errors, values: f.values() })).await?;
                Ok(c.page("review.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
            None => Err(e.into()),
        },
    }
}
