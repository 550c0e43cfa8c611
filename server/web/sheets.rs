//! Importing a register spreadsheet from a page: choose the file, see every problem
//! by row and column (nothing is written), then import it in one step.

use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::plans::office;
use super::{Ctx, Form, js, respond, session, session_form, vietnamese};
use crate::error::{AppError, Result};
use crate::model::ImportReport;
use crate::services::{now, plans, spreadsheets};
use crate::state::AppState;

fn report_json(r: &ImportReport) -> Value {
    json!({"rows": r.rows, "tasks": r.tasks, "created": r.tasks_created, "updated": r.tasks_updated,
        "unchanged": r.tasks_unchanged, "groups": r.groups_created,
        "problems": r.problems.iter().map(|p| json!({"cell": p.cell, "row": p.row, "column": p.column,
            "message": vietnamese(&p.message)})).collect::<Vec<_>>(),
        "items": r.items.iter().map(|i| json!({"row": i.row, "code": i.code, "text": i.text, "action": i.action,
            "action_label": match i.action.as_str() { "created" => "Mới", "updated" => "Thay đổi", _ => "Giữ nguyên" },
            "changes": i.changes})).collect::<Vec<_>>(),
        "more": r.tasks as usize > r.items.len()})
}

async fn view(c: &Ctx, id: Uuid, status: StatusCode, extra: Value) -> Result<Response> {
    office(c)?;
    let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
    let mut v = json!({"plan": js(&plan)});
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    Ok(c.page("import.html", status, v))
}

#[handler]
pub(crate) async fn page(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = view(&c, id, StatusCode::OK, json!({})).await;
    respond(&c, r)
}

/// Reads the posted file and CSRF token (the body is capped before it gets here).
async fn read_upload(mut m: Multipart) -> (Form, Option<Vec<u8>>) {
    let mut fields = Vec::new();
    let mut file = None;
    while let Ok(Some(field)) = m.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            file = field.bytes().await.ok().filter(|b| !b.is_empty());
        } else if let Ok(text) = field.text().await {
            fields.push((name, text.chars().take(200).collect()));
        }
    }
    (Form(fields), file)
}

/// Checks the chosen file: the dry run's report, and the file kept for the import.
#[handler]
pub(crate) async fn check(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, m: Multipart) -> Response {
    let c = session!(state, req);
    let r = async {
        let (f, file) = read_upload(m).await;
        f.check_csrf(&c)?;
        office(&c)?;
        let Some(bytes) = file else {
            return view(&c, id, StatusCode::UNPROCESSABLE_ENTITY, json!({"error": "Hãy chọn tệp .xlsx cần nhập."}))
                .await;
        };
        match spreadsheets::stage_import(&c.state.db, &*c.state.files, &c.actor, now(), id, &bytes).await {
            Ok((token, report)) => {
                let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
                view(&c, id, status, json!({"report": report_json(&report), "token": token})).await
            }
            Err(AppError::Invalid(fields)) => {
                let message = fields.values().map(|m| vietnamese(m)).collect::<Vec<_>>().join(" ");
                view(&c, id, StatusCode::UNPROCESSABLE_ENTITY, json!({"error": message})).await
            }
            // A closed year: said on the page, with the file still to hand.
            Err(AppError::Conflict { message, .. }) => {
                view(&c, id, StatusCode::CONFLICT, json!({"error": vietnamese(&message)})).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&c, r)
}

/// Imports the checked file.
#[handler]
pub(crate) async fn confirm(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        office(&c)?;
        let token = f.get("token").parse::<Uuid>().map_err(|_| AppError::field("token", "Thiếu tệp đã kiểm tra"))?;
        match spreadsheets::import_staged(&c.state.db, &*c.state.files, &c.actor, now(), id, token).await {
            Ok(_) => Ok(super::done(&format!("/plans/{id}"), "imported")),
            Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
                let message = super::field_errors(&e)
                    .map(|m| m.values().cloned().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                view(&c, id, StatusCode::CONFLICT, json!({"error": message})).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    respond(&c, r)
}
