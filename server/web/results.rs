//! The unit's inbox and result form, and the office's review.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::home::{current_plan, snapshot, standing, today};
use super::plan_tasks::parse_number;
use super::{Ctx, field_errors, js, keep, markdown_html, respond, session, session_form, with_extra};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::ContributionInput;
use crate::model::{Paging, Task, TaskResult};
use crate::services::results::Step;
use crate::services::{contributions, evidence, now, plans, results, rubrics, tasks, units};
use crate::state::AppState;

const STATE_LABELS: [(&str, &str); 5] = [
    ("draft", "Đang soạn"),
    ("submitted", "Chờ Văn phòng duyệt"),
    ("returned", "Bị trả lại"),
    ("accepted", "Đã được chấp nhận"),
    ("", "Chưa báo cáo"),
];

fn state_label(s: Option<&str>) -> &'static str {
    let s = s.unwrap_or("");
    STATE_LABELS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v).unwrap_or("")
}

#[handler]
pub(crate) async fn inbox(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        let Some(plan) = current_plan(&c, None).await? else {
            return Ok(c.page("inbox.html", StatusCode::OK, json!({"tasks": []})));
        };
        let s = snapshot(&c, plan, c.actor.unit_id).await?;
        let today = today();
        let mut rows: Vec<(Option<chrono::NaiveDate>, Value)> = s
            .tasks
            .iter()
            .map(|t| {
                let r = s.results.get(&t.id);
                let st = r.and_then(|r| r.data.state.clone());
                let lead = t.data.lead_unit_id == c.actor.unit_id && c.actor.unit_id.is_some();
                (
                    t.data.deadline.map(|d| d.0),
                    json!({"id": t.id, "code": t.data.code, "text": t.data.text, "lead": lead,
                        "deadline": t.data.deadline.map(|d| d.format("%d/%m/%Y").to_string()),
                        "state": state_label(st.as_deref()), "state_code": st,
                        "standing": standing(t, r, today),
                        // The chip says it in words too, not by colour alone.
                        "due": t.data.deadline.filter(|_| !matches!(st.as_deref(), Some("accepted" | "submitted")))
                            .map(|d| crate::domain::format::due_words(d.0, today)),
                        "comment": r.and_then(|r| r.review_comment.clone()).filter(|_| st.as_deref() == Some("returned"))}),
                )
            })
            .collect();
        rows.sort_by_key(|(d, _)| d.unwrap_or(chrono::NaiveDate::MAX));
        let unit = c.actor.unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.clone());
        Ok(c.page(
            "inbox.html",
            StatusCode::OK,
            json!({"plan": js(&s.plan), "unit": unit, "tasks": rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>()}),
        ))
    }
    .await;
    respond(&c, r)
}

async fn result_of(c: &Ctx, task: Uuid) -> Result<Option<TaskResult>> {
    let p =
        results::list_results(&c.state.db, &c.actor, None, Some(task), None, Paging { page: 1, per_page: 1 }).await?;
    Ok(p.items.into_iter().next())
}

/// A file size as Vietnamese write it: "84,6 KB", "1,2 MB".
fn size_text(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{} MB", super::num(Some((b / 1024.0 / 1024.0 * 10.0).round() / 10.0)).unwrap_or_default())
    } else {
        format!("{} KB", super::num(Some((b / 1024.0 * 10.0).round() / 10.0)).unwrap_or_default())
    }
}

fn evidence_json(items: &[crate::model::Evidence]) -> Vec<Value> {
    items
        .iter()
        .map(|e| {
            // A picture shows itself; another file its kind ("PDF", "DOCX").
            let kind: String =
                e.file_name.rsplit_once('.').map_or("TỆP", |(_, x)| x).to_uppercase().chars().take(4).collect();
            json!({"id": e.id, "name": e.file_name, "type": e.content_type, "size": e.size_bytes,
                "image": e.content_type.starts_with("image/"), "kind": kind,
                "size_text": size_text(e.size_bytes), "sha256": e.sha256, "signatures": e.signatures})
        })
        .collect()
}

/// What a task's page shows of the records: the task with its targets, its result,
/// evidence, rubric bands, review history and contributions.
pub(crate) struct TaskRecord {
    task: Task,
    result: Option<TaskResult>,
    files: Vec<crate::model::Evidence>,
    bands: Vec<crate::model::BandInput>,
    history: Vec<Value>,
    /// Each contribution with its unit's name.
    contributions: Vec<(crate::model::Contribution, String)>,
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
    let history: Vec<Value> = match &result {
        Some(r) => results::history(db, &c.actor, r.id)
            .await?
            .into_iter()
            .map(|e| {
                json!({"sort": e.at.timestamp(), "at": super::documents::vn_time(e.at), "what": e.action_label,
                    "action": e.action, "by": e.by, "comment": e.comment})
            })
            .collect(),
        None => Vec::new(),
    };
    let mut contributions = Vec::new();
    for x in contributions::list_for_task(db, &c.actor, id).await? {
        let unit = units::get_unit(db, &c.actor, x.unit_id).await.map(|u| u.data.name).unwrap_or_default();
        contributions.push((x, unit));
    }
    Ok(TaskRecord { task, result, files, bands, history, contributions })
}

/// The task, its targets, its result and evidence, and whether the actor may report.
async fn task_view(c: &Ctx, rec: &TaskRecord, extra: Value) -> Result<Value> {
    let TaskRecord { task: t, result, files, bands, history, .. } = rec;
    let st = result.as_ref().and_then(|r| r.data.state.clone());
    // A unit officer reports on the tasks their unit leads and contributes to those
    // it co-operates on; the office may do either.
    let own_unit = c.actor.unit_id.filter(|_| c.is(&[Role::UnitOfficer]));
    let leads = match own_unit {
        Some(u) => t.data.lead_unit_id == Some(u),
        None => c.is(&[Role::Office, Role::Admin]),
    };
    let cooperates = own_unit.is_some_and(|u| t.data.cooperating_unit_ids.contains(&u));
    let editable = leads && matches!(st.as_deref(), None | Some("draft") | Some("returned"));
    let mut contributions = Vec::new();
    let mut own_contribution = None;
    for (x, unit) in &rec.contributions {
        if Some(x.unit_id) == own_unit {
            own_contribution = Some((x.text.clone(), x.updated_at));
        }
        contributions.push(json!({"unit": unit, "html": markdown_html(&x.text),
            "updated_at": super::documents::vn_time(x.updated_at)}));
    }
    let mut stored = BTreeMap::from([
        ("narrative".to_owned(), result.as_ref().map(|r| r.data.narrative.clone()).unwrap_or_default()),
        (
            "self_score".to_owned(),
            result.as_ref().and_then(|r| r.data.self_score).map(|s| s.to_string()).unwrap_or_default(),
        ),
    ]);
    for x in &t.targets {
        stored.insert(format!("actual_{}", x.id), super::num(x.data.actual_value).unwrap_or_default());
    }
    let values = json!({
        "narrative": result.as_ref().map(|r| r.data.narrative.clone()).unwrap_or_default(),
        "self_score": result.as_ref().and_then(|r| r.data.self_score),
    });
    // A draft typed here and not saved (autosaved, or caught when the session ran
    // out) comes back in place of the stored text, with a notice.
    let mut restored = None;
    let mut values = values;
    let fresh = extra.get("values").is_none();
    if fresh
        && editable
        && let Some(d) =
            keep::restorable(c, &format!("/tasks/{}", t.id), result.as_ref().map(|r| r.updated_at), &stored).await
    {
        values = json!(keep::values_of(&d));
        restored = Some(json!({"text": keep::restored_notice(&d), "key": format!("/tasks/{}", t.id)}));
    }
    let key = format!("/tasks/{}#contribution", t.id);
    let stored_contribution = BTreeMap::from([(
        "contribution".to_owned(),
        own_contribution.as_ref().map(|c| c.0.clone()).unwrap_or_default(),
    )]);
    if fresh
        && cooperates
        && let Some(d) = keep::restorable(c, &key, own_contribution.as_ref().map(|c| c.1), &stored_contribution).await
    {
        values = json!(keep::values_of(&d));
        restored = Some(json!({"text": keep::restored_notice(&d), "key": key}));
    }
    let v = with_extra(
        json!({
            "task": {"id": t.id, "code": t.data.code, "text": t.data.text,
                "deadline": t.data.deadline.map(|d| d.format("%d/%m/%Y").to_string())},
            "targets": t.targets.iter().map(|x| json!({"id": x.id, "description": x.data.description,
                "unit": x.data.measure_unit, "goal": super::num(x.data.goal_value),
                "actual": super::num(x.data.actual_value)})).collect::<Vec<_>>(),
            "result": result.as_ref().map(|r| json!({"id": r.id, "state": state_label(r.data.state.as_deref()),
                "state_code": r.data.state, "proposed_rating": r.proposed_rating, "final_rating": r.final_rating,
                "comment": r.review_comment, "self_score": r.data.self_score,
                "narrative_html": markdown_html(&r.data.narrative)})),
            "evidence": evidence_json(files),
            "history": history,
            "bands": js(bands),
            "editable": editable,
            "cooperates": cooperates,
            "may_upload": editable || cooperates,
            "contributions": contributions,
            "contribution": own_contribution.as_ref().map(|c| c.0.clone()),
            "restored": restored,
            "values": values,
            "max_upload": c.state.max_upload_bytes,
            "overview": super::task_overview::overview(c, t, result.as_ref(), history).await?,
        }),
        extra,
    );
    Ok(v)
}

#[handler]
pub(crate) async fn task_page(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = async {
        let rec = task_record(&c, id).await?;
        Ok(c.page("result.html", StatusCode::OK, task_view(&c, &rec, json!({})).await?))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn save_result(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let db = &c.state.db;
        let rec = task_record(&c, id).await?;
        let t = &rec.task;
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
            t.targets.iter().map(|x| (x.id, parse_number(&f, &format!("actual_{}", x.id), &mut errors))).collect();
        let submit = f.get("action") == "submit";
        if submit && f.get("narrative").trim().is_empty() {
            errors.insert("narrative".into(), "Nhập kết quả thực hiện trước khi gửi".into());
        }
        if errors.is_empty() {
            // One call, one transaction: the result, the values reached and the step.
            let report = results::Report { narrative: f.get("narrative"), self_score: score, actuals, submit };
            match results::report(db, &c.actor, now(), id, report).await {
                Ok(_) => {
                    return Ok(super::done(&format!("/tasks/{id}"), if submit { "submitted" } else { "saved" }));
                }
                Err(e) => errors.extend(field_errors(&e).ok_or(e)?),
            }
        }
        let rec = task_record(&c, id).await?;
        let v = task_view(&c, &rec, json!({"errors": errors, "values": f.values()})).await?;
        Ok(c.page("result.html", StatusCode::UNPROCESSABLE_ENTITY, v))
    }
    .await;
    respond(&c, r)
}

/// A co-operating unit's contribution, saved from the task page.
#[handler]
pub(crate) async fn save_contribution(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<Uuid>,
    body: Body,
) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let input = ContributionInput { text: f.get("contribution"), unit_id: None };
        match contributions::contribute(&c.state.db, &c.actor, now(), id, input).await {
            Ok(_) => Ok(super::done(&format!("/tasks/{id}#contribution"), "contributed")),
            Err(e) => {
                let errors: BTreeMap<String, String> =
                    field_errors(&e).ok_or(e)?.into_iter().map(|(k, v)| (format!("contribution_{k}"), v)).collect();
                let rec = task_record(&c, id).await?;
                let v = task_view(&c, &rec, json!({"errors": errors, "values": f.values()})).await?;
                Ok(c.page("result.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
        }
    }
    .await;
    respond(&c, r)
}

fn reviewer(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin, Role::Office]) { Ok(()) } else { Err(AppError::Forbidden) }
}

#[handler]
pub(crate) async fn review_list(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        reviewer(&c)?;
        let Some(plan) = current_plan(&c, None).await? else {
            return Ok(c.page("review_list.html", StatusCode::OK, json!({"items": []})));
        };
        let s = snapshot(&c, plan, None).await?;
        let items: Vec<Value> = s
            .tasks
            .iter()
            .filter_map(|t| {
                s.results.get(&t.id).filter(|r| r.data.state.as_deref() == Some("submitted")).map(|r| (t, r))
            })
            .map(|(t, r)| {
                let unit = t.data.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.clone());
                json!({"id": r.id, "code": t.data.code, "text": t.data.text, "unit": unit, "score": r.data.self_score,
                    "rating": r.final_rating, "submitted_at": r.submitted_at.map(super::documents::vn_time)})
            })
            .collect();
        Ok(c.page("review_list.html", StatusCode::OK, json!({"plan": js(&s.plan), "items": items})))
    }
    .await;
    respond(&c, r)
}

async fn review_view(c: &Ctx, id: Uuid, extra: Value) -> Result<Value> {
    let r = results::get_result(&c.state.db, &c.actor, id).await?;
    let rec = task_record(c, r.data.task_id).await?;
    let mut v = task_view(c, &rec, json!({"editable": false})).await?;
    v["review_id"] = json!(id);
    Ok(with_extra(v, extra))
}

#[handler]
pub(crate) async fn review_page(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = async {
        reviewer(&c)?;
        Ok(c.page("review.html", StatusCode::OK, review_view(&c, id, json!({})).await?))
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn review_step(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        reviewer(&c)?;
        let step = match f.get("action").as_str() {
            "accept" => Step::Accept,
            "return" => Step::Return,
            "reopen" => Step::Reopen,
            _ => return Err(AppError::field("action", "Thao tác không hợp lệ / unknown action")),
        };
        match results::step_result(&c.state.db, &c.actor, now(), id, step, f.opt("comment")).await {
            Ok(_) => Ok(super::done("/review", &f.get("action"))),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                let v = review_view(&c, id, json!({"errors": errors, "values": f.values()})).await?;
                Ok(c.page("review.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
        }
    }
    .await;
    respond(&c, r)
}
