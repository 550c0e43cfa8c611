//! Importing a register spreadsheet from a page: choose the file, see every problem
//! by row and column (nothing is written), then import it in one step.

use poem::handler;
use poem::http::StatusCode;
use poem::web::{Multipart, Path};
use serde::Serialize;
use uuid::Uuid;

use super::plans::office;
use super::view::Api;
use super::{Ctx, Page, Posted, vietnamese};
use crate::error::AppError;
use crate::model::{ImportReport, Plan};
use crate::services::{plans, spreadsheets};

/// The import page: the plan, and what the last file checked or imported did.
#[derive(Serialize)]
struct ImportView<'a> {
    plan: Api<'a, Plan>,
    /// Why the file was not checked or imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The dry run's report …
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<Report<'a>>,
    /// … and the checked file kept for the import.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<Uuid>,
}

/// What a checked file would do.
#[derive(Serialize)]
struct Report<'a> {
    rows: u32,
    tasks: u32,
    created: u32,
    updated: u32,
    unchanged: u32,
    groups: u32,
    problems: Vec<Problem<'a>>,
    items: Vec<Item<'a>>,
    /// More tasks were read than are listed.
    more: bool,
}

/// One problem of the file, where Excel shows it.
#[derive(Serialize)]
struct Problem<'a> {
    cell: &'a str,
    row: u32,
    column: &'a str,
    message: String,
}

/// One task read from the file, and what the import does to it.
#[derive(Serialize)]
struct Item<'a> {
    row: u32,
    code: &'a str,
    text: &'a str,
    action: &'a str,
    action_label: &'static str,
    changes: &'a [String],
}

impl<'a> Report<'a> {
    /// The page's report of `r`.
    fn of(r: &'a ImportReport) -> Report<'a> {
        let problems = r
            .problems
            .iter()
            .map(|p| Problem { cell: &p.cell, row: p.row, column: &p.column, message: vietnamese(&p.message) })
            .collect();
        let items = r
            .items
            .iter()
            .map(|i| Item {
                row: i.row,
                code: &i.code,
                text: &i.text,
                action: &i.action,
                action_label: match i.action.as_str() {
                    "created" => "Mới",
                    "updated" => "Thay đổi",
                    _ => "Giữ nguyên",
                },
                changes: &i.changes,
            })
            .collect();
        Report {
            rows: r.rows,
            tasks: r.tasks,
            created: r.tasks_created,
            updated: r.tasks_updated,
            unchanged: r.tasks_unchanged,
            groups: r.groups_created,
            problems,
            items,
            more: r.tasks as usize > r.items.len(),
        }
    }
}

/// The import page of plan `id`, with an error or a checked file's report and token.
async fn view(
    c: &Ctx,
    id: Uuid,
    status: StatusCode,
    error: Option<String>,
    checked: Option<(Uuid, &ImportReport)>,
) -> Page {
    office(c)?;
    let plan = plans::get_plan(&c.state.db, &c.actor, id).await?;
    let view = ImportView {
        plan: Api(&plan),
        error,
        report: checked.map(|(_, r)| Report::of(r)),
        token: checked.map(|(t, _)| t),
    };
    Ok(c.page("import.html", status, view))
}

/// `GET /plans/{id}/import`.
#[handler]
pub(crate) async fn page(c: Ctx, Path(id): Path<Uuid>) -> Page {
    view(&c, id, StatusCode::OK, None, None).await
}

/// Reads the posted file and the CSRF token (the body is capped before it gets here).
async fn read_upload(mut m: Multipart) -> (String, Option<Vec<u8>>) {
    let mut csrf = None;
    let mut file = None;
    while let Ok(Some(field)) = m.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            file = field.bytes().await.ok().filter(|b| !b.is_empty());
        } else if let Ok(text) = field.text().await
            && name == "csrf"
            && csrf.is_none()
        {
            csrf = Some(text.chars().take(200).collect());
        }
    }
    (csrf.unwrap_or_default(), file)
}

/// `POST /plans/{id}/import`: checks the chosen file — the dry run's report, and the
/// file kept for the import.
#[handler]
pub(crate) async fn check(c: Ctx, Path(id): Path<Uuid>, m: Multipart) -> Page {
    let (csrf, file) = read_upload(m).await;
    c.check_token(&csrf)?;
    office(&c)?;
    let Some(bytes) = file else {
        let error = "Hãy chọn tệp .xlsx cần nhập.".to_owned();
        return view(&c, id, StatusCode::UNPROCESSABLE_ENTITY, Some(error), None).await;
    };
    match spreadsheets::stage_import(&c.state.db, &*c.state.files, &c.actor, c.now(), id, &bytes).await {
        Ok((token, report)) => {
            let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            view(&c, id, status, None, Some((token, &report))).await
        }
        Err(AppError::Invalid(fields)) => {
            let message = fields.values().map(|m| vietnamese(m)).collect::<Vec<_>>().join(" ");
            view(&c, id, StatusCode::UNPROCESSABLE_ENTITY, Some(message), None).await
        }
        // A closed year: said on the page, with the file still to hand.
        Err(AppError::Conflict { message, .. }) => {
            view(&c, id, StatusCode::CONFLICT, Some(vietnamese(&message)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /plans/{id}/import/confirm`: imports the checked file.
#[handler]
pub(crate) async fn confirm(Posted(c, f): Posted, Path(id): Path<Uuid>) -> Page {
    office(&c)?;
    let token = f.get("token").parse::<Uuid>().map_err(|_| AppError::field("token", "Thiếu tệp đã kiểm tra"))?;
    match spreadsheets::import_staged(&c.state.db, &*c.state.files, &c.actor, c.now(), id, token).await {
        Ok(_) => Ok(super::done(&format!("/plans/{id}"), "imported")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let message =
                super::field_errors(&e).map(|m| m.values().cloned().collect::<Vec<_>>().join(" ")).unwrap_or_default();
            view(&c, id, StatusCode::CONFLICT, Some(message), None).await
        }
        Err(e) => Err(e.into()),
    }
}
