//! Spreadsheets: the register, the figures and a document's delivery report as .xlsx
//! or CSV; the import template; importing a register file into a plan.

use poem::Request;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{Tag, who};
use crate::error::AppError;
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::model::{CalendarFeed, CalendarFeedInput, ImportReport, NewCalendarFeed};
use crate::services::{calendars, figures, issuers, now, spreadsheets, summary};
use crate::sheet::{self, Table};
use crate::state::AppState;

/// Spreadsheet API.
pub struct SheetApi {
    /// Shared state.
    pub state: AppState,
}

/// An Excel workbook.
#[derive(ApiResponse)]
pub enum XlsxFile {
    /// The workbook.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Xlsx(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

/// A CSV file (UTF-8 with a byte-order mark).
#[derive(ApiResponse)]
pub enum CsvFile {
    /// The table.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

/// Which figures a CSV holds.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum FiguresTable {
    /// Per lead unit.
    Unit,
    /// Per group.
    Group,
    /// The overdue tasks.
    Overdue,
}

fn attachment(name: &str) -> String {
    super::evidence::content_disposition(name)
}

fn xlsx(tables: &[Table], name: &str) -> ApiResult<XlsxFile> {
    let bytes = sheet::to_xlsx(tables).map_err(AppError::Internal)?;
    Ok(XlsxFile::Xlsx(Binary(bytes), attachment(name)))
}

fn csv(table: &Table, name: &str) -> CsvFile {
    CsvFile::Csv(Binary(sheet::to_csv(table)), attachment(name))
}

#[OpenApi(tag = "Tag::Plans")]
impl SheetApi {
    /// The plan's register with results, scores and ratings as .xlsx: a row per
    /// target, the template's columns first (so it imports back); then "Biểu tổng
    /// hợp", the same year laid out for print (issuer and title, group rows, STT,
    /// task cells spanning their targets, per cent of plan, standing; A4 landscape).
    #[oai(path = "/plans/:id/register.xlsx", method = "get")]
    async fn register_xlsx(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<XlsxFile> {
        let actor = who(&self.state, &auth, req).await?;
        let s = figures::plan_snapshot(&self.state.db, &actor, id.0).await?;
        let issuer = issuers::get_issuer(&self.state.db, &actor, s.plan.data.issuer_id).await?;
        let today = self.state.clock.today();
        let t = spreadsheets::register_table(&s, today);
        let summary = summary::summary_report(&s, issuer.data.name_lines, today);
        let bytes = sheet::to_xlsx_with(&[t], &[summary]).map_err(AppError::Internal)?;
        Ok(XlsxFile::Xlsx(Binary(bytes), attachment(&format!("nhiem-vu-{}.xlsx", s.plan.data.year))))
    }

    /// The plan's register as CSV.
    #[oai(path = "/plans/:id/register.csv", method = "get")]
    async fn register_csv(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<CsvFile> {
        let actor = who(&self.state, &auth, req).await?;
        let s = figures::plan_snapshot(&self.state.db, &actor, id.0).await?;
        let t = spreadsheets::register_table(&s, self.state.clock.today());
        Ok(csv(&t, &format!("nhiem-vu-{}.csv", s.plan.data.year)))
    }

    /// The dashboard's figures as .xlsx: per unit, per group, the overdue tasks.
    #[oai(path = "/plans/:id/figures.xlsx", method = "get")]
    async fn figures_xlsx(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<XlsxFile> {
        let actor = who(&self.state, &auth, req).await?;
        let s = figures::plan_snapshot(&self.state.db, &actor, id.0).await?;
        xlsx(
            &spreadsheets::figures_tables(&s, self.state.clock.today()),
            &format!("thong-ke-{}.xlsx", s.plan.data.year),
        )
    }

    /// One table of the figures as CSV (`table`: unit, group or overdue; default unit).
    #[oai(path = "/plans/:id/figures.csv", method = "get")]
    async fn figures_csv(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        table: Query<Option<FiguresTable>>,
    ) -> ApiResult<CsvFile> {
        let actor = who(&self.state, &auth, req).await?;
        let s = figures::plan_snapshot(&self.state.db, &actor, id.0).await?;
        let mut tables = spreadsheets::figures_tables(&s, self.state.clock.today());
        let (n, part) = match table.0.unwrap_or(FiguresTable::Unit) {
            FiguresTable::Unit => (0, "don-vi"),
            FiguresTable::Group => (1, "nhom"),
            FiguresTable::Overdue => (2, "qua-han"),
        };
        Ok(csv(&tables.swap_remove(n), &format!("thong-ke-{part}-{}.csv", s.plan.data.year)))
    }

    /// A document's delivery report as .xlsx: each recipient, address, state, attempts.
    #[oai(path = "/documents/:id/deliveries.xlsx", method = "get")]
    async fn deliveries_xlsx(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<XlsxFile> {
        let actor = who(&self.state, &auth, req).await?;
        let t = spreadsheets::deliveries_table(&self.state.db, &actor, id.0).await?;
        xlsx(&[t], "gui-van-ban.xlsx")
    }

    /// A document's delivery report as CSV.
    #[oai(path = "/documents/:id/deliveries.csv", method = "get")]
    async fn deliveries_csv(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<CsvFile> {
        let actor = who(&self.state, &auth, req).await?;
        let t = spreadsheets::deliveries_table(&self.state.db, &actor, id.0).await?;
        Ok(csv(&t, "gui-van-ban.csv"))
    }

    /// The import template: the register's columns and an example row.
    #[oai(path = "/import-template.xlsx", method = "get")]
    async fn template(
        &self,
        auth: Auth,
        req: &Request,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Query<Option<i32>>,
    ) -> ApiResult<XlsxFile> {
        who(&self.state, &auth, req).await?;
        let year = year.0.unwrap_or_else(|| chrono::Datelike::year(&self.state.clock.today()));
        xlsx(&[spreadsheets::template_table(year)], "mau-nhap-nhiem-vu.xlsx")
    }

    /// Import a register (.xlsx, the template's columns, at most 10,000 rows; the body
    /// is the file) into the plan. Every problem is listed by row and column; while
    /// there is one nothing is written (422 with the cells as fields, or 200 with
    /// `problems` for `dry_run=true`). Tasks are matched by code: new ones created,
    /// changed ones updated, the rest left as they are.
    #[oai(path = "/plans/:id/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        dry_run: Query<Option<bool>>,
        body: Binary<Vec<u8>>,
    ) -> ApiResult<Json<ImportReport>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(
            spreadsheets::import_register(&self.state.db, &actor, now(), id.0, &body.0, dry_run.0.unwrap_or(false))
                .await?,
        ))
    }
}

/// Calendar feed API.
pub struct CalendarApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl CalendarApi {
    /// Make a calendar feed of deadlines (iCalendar) for yourself, or narrowed to one
    /// unit; the secret address is in the answer once. At most 20 per person.
    #[oai(path = "/calendar-feeds", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        req: &Request,
        body: crate::http::strict::StrictJson<CalendarFeedInput>,
    ) -> ApiResult<super::Created<NewCalendarFeed>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(super::Created::Created(Json(
            calendars::create_feed(&self.state.db, &actor, now(), &self.state.public_url, body.0).await?,
        )))
    }

    /// Your calendar feeds, newest first.
    #[oai(path = "/calendar-feeds", method = "get")]
    async fn list(&self, auth: Auth, req: &Request) -> ApiResult<Json<Vec<CalendarFeed>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(calendars::list_feeds(&self.state.db, &actor).await?))
    }

    /// Revoke one of your feeds: its address answers 404 from now on.
    #[oai(path = "/calendar-feeds/:id/revocation", method = "post")]
    async fn revoke(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<CalendarFeed>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(calendars::revoke_feed(&self.state.db, &actor, now(), id.0).await?))
    }
}
