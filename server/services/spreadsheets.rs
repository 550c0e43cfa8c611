//! The year's register as a spreadsheet, both ways. Out: the register with results,
//! scores and ratings, the dashboard's figures per unit and per group, a document's
//! delivery report (tables for `sheet`, as .xlsx or CSV). In: a register typed in
//! Excel — the template's columns (nhóm, mã, nội dung, đơn vị chủ trì, phối hợp,
//! hạn, chỉ tiêu, đơn vị tính, kế hoạch), one row per target, a task's further
//! targets on rows with its code and nothing else — checked whole (every problem by
//! row and column, in Vietnamese and English), then imported all or nothing in one
//! transaction: a code already in the plan is updated, a new one created, what is
//! unchanged is not written, so the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::access::{plan_in_scope, require};
use super::figures::{self, Snapshot};
use super::{audited, outbox, tasks};
use crate::domain::access::Action;
use crate::domain::text::{self, fold};
use crate::error::{AppError, Result};
use crate::model::{ImportProblem, ImportReport, Paging, Standing, TargetLine, TaskInput};
use crate::sheet::{Cell, Table, cell_name};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{task_groups, units};

/// The register's columns, in the template's order; an export adds the results after.
pub const REGISTER: [&str; 9] =
    ["Nhóm", "Mã", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch"];
const RESULTS: [&str; 6] =
    ["Thực hiện", "Tình trạng chỉ tiêu", "Tình trạng nhiệm vụ", "Điểm tự chấm", "Xếp loại", "Kết quả"];

fn target_status(code: &str) -> &'static str {
    code.parse::<crate::domain::TargetStatus>().map(|s| s.label()).unwrap_or("")
}

fn result_state(code: Option<&str>) -> &'static str {
    match code {
        Some("draft") => "Đang soạn",
        Some("submitted") => "Chờ duyệt",
        Some("returned") => "Trả lại",
        Some("accepted") => "Đã chấp nhận",
        _ => "Chưa báo cáo",
    }
}

/// The plan's register: a row per target (a task without targets has one row).
pub fn register_table(s: &Snapshot, today: NaiveDate) -> Table {
    let group_title: HashMap<Uuid, &str> = s.groups.iter().map(|g| (g.id, g.data.title.as_str())).collect();
    let unit = |u: &Uuid| s.units.get(u).map(|u| u.data.name.clone()).unwrap_or_default();
    let mut rows = Vec::new();
    for t in &s.tasks {
        let r = s.results.get(&t.id);
        let st = figures::standing(t, r, today);
        let head: Vec<Cell> = vec![
            group_title.get(&t.data.group_id).copied().unwrap_or("").into(),
            t.data.code.as_str().into(),
            t.data.text.as_str().into(),
            t.data.lead_unit_id.as_ref().map(unit).unwrap_or_default().into(),
            t.data.cooperating_unit_ids.iter().map(unit).collect::<Vec<_>>().join("; ").into(),
            t.data.deadline.map(|d| d.0).into(),
        ];
        let tail: Vec<Cell> = vec![
            st.label().into(),
            r.and_then(|r| r.data.self_score).map(f64::from).into(),
            r.and_then(|r| r.final_rating.clone()).unwrap_or_default().into(),
            result_state(r.and_then(|r| r.data.state.as_deref())).into(),
        ];
        let lines: Vec<Vec<Cell>> = if t.targets.is_empty() {
            vec![vec![Cell::Empty; 5]]
        } else {
            t.targets
                .iter()
                .map(|x| {
                    vec![
                        x.data.description.as_str().into(),
                        x.data.measure_unit.clone().unwrap_or_default().into(),
                        x.data.goal_value.into(),
                        x.data.actual_value.into(),
                        target_status(
                            x.data.status.as_ref().map(|c| c.as_str()).or(x.suggested_status.as_deref()).unwrap_or(""),
                        )
                        .into(),
                    ]
                })
                .collect()
        };
        for line in lines {
            let mut row = head.clone();
            row.extend(line);
            row.extend(tail.iter().cloned());
            rows.push(row);
        }
    }
    let mut headers = REGISTER.to_vec();
    headers.extend(RESULTS);
    Table { name: format!("Nhiệm vụ năm {}", s.plan.data.year), headers, rows }
}

/// The import template: the register's columns and one example row.
pub fn template_table(year: i32) -> Table {
    Table {
        name: "Nhiệm vụ".into(),
        headers: REGISTER.to_vec(),
        rows: vec![vec![
            "I. Nhóm nhiệm vụ về phát triển kinh tế".into(),
            "1.1".into(),
            "Trồng rừng tập trung".into(),
            "Phòng Nông nghiệp và Môi trường".into(),
            "UBND xã A; UBND xã B".into(),
            NaiveDate::from_ymd_opt(year, 12, 15).into(),
            "Diện tích trồng rừng mới".into(),
            "ha".into(),
            Cell::Number(600.0),
        ]],
    }
}

/// The plan's figures: all tasks, per lead unit and per group, by standing.
pub fn figures_tables(s: &Snapshot, today: NaiveDate) -> Vec<Table> {
    let f = figures::figures(s, today);
    let mut headers = vec!["Đơn vị chủ trì"];
    headers.extend(Standing::ALL.iter().map(|k| k.label()));
    headers.push("Tổng số");
    let row = |name: &str, c: &crate::model::Counts| {
        let mut r: Vec<Cell> = vec![name.into()];
        r.extend(Standing::ALL.iter().map(|k| Cell::Number(f64::from(c.of(*k)))));
        r.push(Cell::Number(f64::from(c.total)));
        r
    };
    let mut units: Vec<Vec<Cell>> = f.by_unit.iter().map(|r| row(&r.name, &r.counts)).collect();
    units.push(row("Tổng cộng", &f.totals));
    let mut groups: Vec<Vec<Cell>> = f.by_group.iter().map(|r| row(&r.name, &r.counts)).collect();
    groups.push(row("Tổng cộng", &f.totals));
    let mut group_headers = headers.clone();
    group_headers[0] = "Nhóm nhiệm vụ";
    let late = Table {
        name: "Quá hạn".into(),
        headers: vec!["Mã", "Nội dung", "Đơn vị chủ trì", "Hạn", "Số ngày quá hạn"],
        rows: f
            .overdue
            .iter()
            .map(|t| {
                vec![
                    t.code.as_str().into(),
                    t.text.as_str().into(),
                    t.lead_unit_id
                        .and_then(|u| s.units.get(&u))
                        .map(|u| u.data.name.clone())
                        .unwrap_or_default()
                        .into(),
                    Cell::Date(t.deadline),
                    Cell::Number(t.days_late as f64),
                ]
            })
            .collect(),
    };
    vec![
        Table { name: "Theo đơn vị".into(), headers, rows: units },
        Table { name: "Theo nhóm".into(), headers: group_headers, rows: groups },
        late,
    ]
}

/// A document's delivery report: every message sent for it, to whom and how it went.
pub async fn deliveries_table(db: &Db, actor: &Actor, document_id: Uuid) -> Result<Table> {
    let mut messages = Vec::new();
    for page in 1.. {
        let p =
            outbox::list_outbox(db, actor, None, Some(document_id), Paging { page, per_page: Paging::MAX_PER_PAGE })
                .await?;
        let done = page * Paging::MAX_PER_PAGE >= p.total;
        messages.extend(p.items);
        if done {
            break;
        }
    }
    // In the order they were queued (ids are time-ordered).
    messages.sort_by_key(|m| m.id);
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7")).format("%d/%m/%Y %H:%M").to_string()
    };
    let rows = messages
        .into_iter()
        .map(|m| {
            let state = match m.state.as_str() {
                "sent" => "Đã gửi",
                "failed" => "Không gửi được",
                "sending" => "Đang gửi",
                _ => "Chờ gửi",
            };
            vec![
                m.recipient_label.unwrap_or_default().into(),
                m.to_addr.into(),
                state.into(),
                Cell::Number(f64::from(m.attempts)),
                m.sent_at.map(local).unwrap_or_default().into(),
                m.last_error.unwrap_or_default().into(),
                local(m.created_at).into(),
            ]
        })
        .collect();
    Ok(Table {
        name: "Gửi văn bản".into(),
        headers: vec!["Nơi nhận", "Địa chỉ thư", "Tình trạng", "Số lần gửi", "Gửi lúc", "Lỗi", "Vào hàng đợi lúc"],
        rows,
    })
}

/// One task as the file gives it.
struct Row {
    /// The sheet row (1-based, as Excel shows it) of the task's first row.
    at: usize,
    group: String,
    code: String,
    text: String,
    lead: Option<Uuid>,
    coops: Vec<Uuid>,
    deadline: Option<NaiveDate>,
    targets: Vec<(String, Option<String>, Option<f64>)>,
}

/// Which column holds what, from the header row (any order; other columns ignored).
fn columns(header: &[Cell]) -> HashMap<&'static str, usize> {
    let mut at = HashMap::new();
    for (i, c) in header.iter().enumerate() {
        let name = fold(&c.text());
        let name = name.trim();
        if let Some(k) = REGISTER.iter().find(|k| fold(k) == name) {
            at.entry(*k).or_insert(i);
        }
    }
    at
}

struct Reader<'a> {
    problems: Vec<ImportProblem>,
    at: HashMap<&'static str, usize>,
    units: &'a HashMap<String, (Uuid, bool)>,
    year: i32,
}

impl Reader<'_> {
    fn problem(&mut self, row: usize, column: &str, message: String) {
        let col = self.at.get(column).copied().unwrap_or(0);
        self.problems.push(ImportProblem {
            row: row as u32 + 1,
            column: column.to_owned(),
            cell: cell_name(row, col),
            message,
        });
    }

    fn cell<'c>(&self, cells: &'c [Cell], column: &str) -> Option<&'c Cell> {
        self.at.get(column).and_then(|i| cells.get(*i)).filter(|c| **c != Cell::Empty)
    }

    fn text(&mut self, row: usize, cells: &[Cell], column: &str, max: usize, multiline: bool) -> String {
        let s = match self.cell(cells, column) {
            // A code typed as 1.1 arrives as a number.
            Some(Cell::Number(v)) => format!("{v}"),
            Some(c) => c.text().trim().to_owned(),
            None => String::new(),
        };
        if let Some(why) = text::problem(&s, max, multiline) {
            self.problem(row, column, why);
        }
        s
    }

    fn unit(&mut self, row: usize, column: &str, name: &str) -> Option<Uuid> {
        match self.units.get(&fold(name.trim())) {
            Some((id, true)) => Some(*id),
            Some((_, false)) => {
                self.problem(
                    row,
                    column,
                    format!("Đơn vị “{name}” đã ngừng hoạt động / the unit “{name}” is deactivated"),
                );
                None
            }
            None => {
                self.problem(
                    row,
                    column,
                    format!(
                        "Không có đơn vị “{name}” trong danh sách đơn vị (ghi tên đầy đủ hoặc tên viết tắt) / no unit named “{name}”"
                    ),
                );
                None
            }
        }
    }

    fn date(&mut self, row: usize, cells: &[Cell]) -> Option<NaiveDate> {
        let d = match self.cell(cells, "Hạn")? {
            Cell::Date(d) => *d,
            Cell::Text(s) => match crate::domain::parse::date(s) {
                Ok(d) => d,
                Err(why) => {
                    self.problem(row, "Hạn", why.to_owned());
                    return None;
                }
            },
            other => {
                let shown = other.text();
                self.problem(
                    row,
                    "Hạn",
                    format!("“{shown}” không phải ngày (ngày/tháng/năm) / not a date (dd/mm/yyyy)"),
                );
                return None;
            }
        };
        if d.year() != self.year {
            self.problem(
                row,
                "Hạn",
                format!(
                    "Hạn {} nằm ngoài năm {} của kế hoạch / the deadline falls outside the plan's year",
                    d.format("%d/%m/%Y"),
                    self.year
                ),
            );
            return None;
        }
        Some(d)
    }

    fn number(&mut self, row: usize, cells: &[Cell]) -> Option<f64> {
        let v = match self.cell(cells, "Kế hoạch")? {
            Cell::Number(v) => *v,
            Cell::Text(s) => match crate::domain::parse::number(s) {
                Ok(v) => v,
                Err(why) => {
                    self.problem(row, "Kế hoạch", format!("“{s}”: {why}"));
                    return None;
                }
            },
            other => {
                let shown = other.text();
                self.problem(row, "Kế hoạch", format!("“{shown}” không phải số / not a number"));
                return None;
            }
        };
        if !v.is_finite() || v.abs() > 1e15 {
            self.problem(row, "Kế hoạch", "Số quá lớn / the number is too large".into());
            return None;
        }
        Some(v)
    }
}

/// Reads the rows of a register sheet into tasks; every problem is listed.
fn read_rows(
    sheet: &[Vec<Cell>],
    units: &HashMap<String, (Uuid, bool)>,
    year: i32,
) -> (Vec<Row>, Vec<ImportProblem>, usize) {
    let header = sheet.first().map(Vec::as_slice).unwrap_or(&[]);
    let mut r = Reader { problems: Vec::new(), at: columns(header), units, year };
    for needed in ["Nhóm", "Mã", "Nội dung"] {
        if !r.at.contains_key(needed) {
            r.problems.push(ImportProblem {
                row: 1,
                column: needed.to_owned(),
                cell: "1".into(),
                message: format!(
                    "Thiếu cột “{needed}” ở dòng tiêu đề (tải mẫu để xem các cột) / the header row has no “{needed}” column"
                ),
            });
        }
    }
    if !r.problems.is_empty() {
        return (Vec::new(), r.problems, 0);
    }
    let mut tasks: Vec<Row> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut count = 0;
    // The group of the rows below: from a heading row ("I. Nhóm …", often merged
    // across the row) or the last row that named one (a group cell merged down).
    let mut current_group = String::new();
    for (n, cells) in sheet.iter().enumerate().skip(1) {
        let filled: Vec<&Cell> = cells.iter().filter(|c| !(**c == Cell::Empty || c.text().trim().is_empty())).collect();
        if filled.is_empty() {
            continue;
        }
        count += 1;
        let code = r.text(n, cells, "Mã", text::CODE, false);
        if code.is_empty() {
            if let [only] = filled.as_slice() {
                let heading = only.text().split_whitespace().collect::<Vec<_>>().join(" ");
                if heading.chars().count() <= text::NAME {
                    current_group = heading;
                    continue;
                }
            }
            r.problem(n, "Mã", "Thiếu mã nhiệm vụ / the task code is missing".into());
            continue;
        }
        if code.chars().count() > 20 {
            r.problem(n, "Mã", "Mã tối đa 20 ký tự / at most 20 characters".into());
        }
        let mut group = r.text(n, cells, "Nhóm", text::NAME, false);
        if group.is_empty() {
            group = current_group.clone();
        } else {
            current_group = group.clone();
        }
        let body = r.text(n, cells, "Nội dung", text::TEXT, true);
        let lead_name = r.text(n, cells, "Đơn vị chủ trì", text::NAME, false);
        let coop_names = r.text(n, cells, "Phối hợp", text::TEXT, true);
        let deadline = r.date(n, cells);
        let target = r.text(n, cells, "Chỉ tiêu", text::TEXT, true);
        let measure = r.text(n, cells, "Đơn vị tính", 50, false);
        let goal = r.number(n, cells);
        if target.is_empty() && (!measure.is_empty() || goal.is_some()) {
            r.problem(
                n,
                "Chỉ tiêu",
                "Có đơn vị tính hoặc kế hoạch nhưng thiếu tên chỉ tiêu / a target needs a description".into(),
            );
        }
        let line = (!target.is_empty()).then(|| (target, (!measure.is_empty()).then_some(measure), goal));
        let key = fold(&code);
        if let Some(&i) = by_code.get(&key) {
            // A further row of the same task: only its target, or the same task again.
            let first = &tasks[i];
            let differs = (!group.is_empty() && fold(&group) != fold(&first.group))
                || (!body.is_empty() && body != first.text)
                || deadline.is_some_and(|d| Some(d) != first.deadline);
            if differs {
                let at = first.at;
                r.problem(
                    n,
                    "Mã",
                    format!(
                        "Mã {code} đã dùng ở dòng {at} cho nhiệm vụ khác; mỗi nhiệm vụ một mã / code {code} is already used on row {at} for another task"
                    ),
                );
                continue;
            }
            tasks[i].targets.extend(line);
            continue;
        }
        if group.is_empty() {
            r.problem(n, "Nhóm", "Thiếu nhóm nhiệm vụ / the group is missing".into());
        }
        if body.is_empty() {
            r.problem(n, "Nội dung", "Thiếu nội dung nhiệm vụ / the task text is missing".into());
        }
        let lead = if lead_name.is_empty() { None } else { r.unit(n, "Đơn vị chủ trì", &lead_name) };
        let mut coops = Vec::new();
        for name in coop_names.split([';', '\n', ',']).map(str::trim).filter(|s| !s.is_empty()) {
            if let Some(u) = r.unit(n, "Phối hợp", name)
                && Some(u) != lead
                && !coops.contains(&u)
            {
                coops.push(u);
            }
        }
        by_code.insert(key, tasks.len());
        tasks.push(Row {
            at: n + 1,
            group,
            code,
            text: body,
            lead,
            coops,
            deadline,
            targets: line.into_iter().collect(),
        });
    }
    // As a person reads the sheet: row by row, left to right.
    let mut problems = r.problems;
    problems.sort_by_key(|p| (p.row, p.cell.len(), p.cell.clone()));
    (tasks, problems, count)
}

/// Imports (or with `dry_run` only checks) a register file into a plan: every
/// problem is reported by row and column and nothing is written while there is one;
/// otherwise groups and tasks are created or updated by code in one transaction.
pub async fn import_register(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport> {
    require(actor, Action::ManagePlan)?;
    // Unzipping and parsing is CPU work: off the async workers.
    let owned = bytes.to_vec();
    let sheet = tokio::task::spawn_blocking(move || crate::sheet::read_xlsx(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::field("file", e.to_string()))?;
    let txn = db.begin_write().await?;
    let plan = plan_in_scope(&*txn, actor, plan_id).await?;
    super::integrity::ensure_plan_open(&*txn, plan.id).await?;
    let mut known: HashMap<String, (Uuid, bool)> = HashMap::new();
    for u in units::Entity::find().filter(units::Column::IssuerId.eq(plan.issuer_id)).all(&*txn).await? {
        let active = u.deactivated_at.is_none();
        known.insert(fold(u.short_name.trim()), (u.id, active));
        known.insert(fold(u.name.trim()), (u.id, active));
    }
    let (rows, problems, count) = read_rows(&sheet, &known, plan.year);
    let mut report = ImportReport {
        dry_run,
        rows: count as u32,
        tasks: rows.len() as u32,
        groups_created: 0,
        tasks_created: 0,
        tasks_updated: 0,
        tasks_unchanged: 0,
        problems,
        items: Vec::new(),
    };
    if !report.problems.is_empty() {
        return if dry_run { Ok(report) } else { Err(invalid(&report)) };
    }
    let mut groups: BTreeMap<String, Uuid> = BTreeMap::new();
    let mut last_position = 0;
    for g in task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan.id))
        .order_by_asc(task_groups::Column::Position)
        .all(&*txn)
        .await?
    {
        last_position = last_position.max(g.position);
        groups.entry(fold(&g.title)).or_insert(g.id);
    }
    let existing: HashMap<String, crate::model::Task> = {
        let models = crate::storage::entities::tasks::Entity::find()
            .filter(crate::storage::entities::tasks::Column::PlanId.eq(plan.id))
            .all(&*txn)
            .await?;
        tasks::hydrate(&*txn, models).await?.into_iter().map(|t| (fold(&t.data.code), t)).collect()
    };
    let mut fresh: Vec<(usize, TaskInput)> = Vec::new();
    for row in rows {
        let group_id = match groups.get(&fold(&row.group)) {
            Some(id) => *id,
            None => {
                last_position += 1;
                let m = task_groups::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    plan_id: Set(plan.id),
                    position: Set(last_position),
                    title: Set(row.group.clone()),
                    summary_title: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&*txn)
                .await?;
                audited(&*txn, actor, now, "import", "task_groups", m.id, None, Some(&m)).await?;
                report.groups_created += 1;
                groups.insert(fold(&row.group), m.id);
                m.id
            }
        };
        let before = existing.get(&fold(&row.code));
        // Targets keep their ids when their description is unchanged.
        let lines: Vec<TargetLine> = row
            .targets
            .iter()
            .map(|(description, unit, goal)| TargetLine {
                id: before.and_then(|t| {
                    t.targets.iter().find(|x| fold(&x.data.description) == fold(description)).map(|x| x.id)
                }),
                description: description.clone(),
                measure_unit: unit.clone(),
                goal_value: *goal,
            })
            .collect();
        let input = TaskInput {
            group_id,
            code: row.code.clone(),
            position: before.and_then(|t| t.data.position),
            text: row.text.clone(),
            lead_unit_id: row.lead,
            cooperating_unit_ids: row.coops.clone(),
            deadline: row.deadline.map(Into::into),
            set_targets: Some(lines),
        };
        let changed = before.map(|t| changes(t, &row, group_id));
        if report.items.len() < MAX_ITEMS {
            let action = match &changed {
                None => "created",
                Some(c) if c.is_empty() => "unchanged",
                Some(_) => "updated",
            };
            report.items.push(crate::model::ImportItem {
                row: row.at as u32,
                code: row.code.clone(),
                text: row.text.chars().take(300).collect(),
                action: action.into(),
                changes: changed.clone().unwrap_or_default().into_iter().map(str::to_owned).collect(),
            });
        }
        let result = match (before, changed) {
            (Some(_), Some(c)) if c.is_empty() => {
                report.tasks_unchanged += 1;
                continue;
            }
            (Some(t), _) => {
                report.tasks_updated += 1;
                tasks::update_in(&*txn, actor, now, t.id, input).await.map(|_| ())
            }
            (None, _) => {
                // New tasks are written together below, by the same rules.
                report.tasks_created += 1;
                fresh.push((row.at, input));
                continue;
            }
        };
        if let Err(e) = result {
            report.problems.push(at_row(row.at, e)?);
        }
    }
    let (rows_at, inputs): (Vec<usize>, Vec<TaskInput>) = fresh.into_iter().unzip();
    for (n, e) in tasks::create_many_in(&*txn, actor, now, &plan, inputs).await? {
        report.problems.push(at_row(rows_at[n], e)?);
    }
    report.problems.sort_by_key(|p| p.row);
    if !report.problems.is_empty() {
        return if dry_run { Ok(report) } else { Err(invalid(&report)) };
    }
    if dry_run {
        // Dropped, not committed: nothing is written.
        drop(txn);
    } else {
        txn.commit().await?;
    }
    Ok(report)
}

/// A rule the service enforces, said at the task's row (its code cell); other
/// errors stop the import.
fn at_row(at: usize, e: AppError) -> Result<ImportProblem> {
    let message = match &e {
        AppError::Invalid(fields) => fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "),
        AppError::Conflict { message, .. } => message.clone(),
        _ => return Err(e),
    };
    Ok(ImportProblem { row: at as u32, column: "Mã".into(), cell: format!("B{at}"), message })
}

/// Whether the stored task already says what the row says.
/// Most tasks an import's report lists one by one.
const MAX_ITEMS: usize = 1000;

/// What the file changes of an existing task, in words; empty when nothing.
fn changes(t: &crate::model::Task, row: &Row, group_id: Uuid) -> Vec<&'static str> {
    let mut coops_then = t.data.cooperating_unit_ids.clone();
    coops_then.sort();
    let mut coops_now = row.coops.clone();
    coops_now.sort();
    let targets_same = t.targets.len() == row.targets.len()
        && t.targets
            .iter()
            .zip(&row.targets)
            .all(|(x, (d, u, g))| x.data.description == *d && x.data.measure_unit == *u && x.data.goal_value == *g);
    [
        (t.data.group_id == group_id, "nhóm"),
        (t.data.text == row.text, "nội dung"),
        (t.data.lead_unit_id == row.lead, "đơn vị chủ trì"),
        (coops_then == coops_now, "đơn vị phối hợp"),
        (t.data.deadline.map(|d| d.0) == row.deadline, "hạn"),
        (targets_same, "chỉ tiêu"),
    ]
    .into_iter()
    .filter(|(same, _)| !same)
    .map(|(_, what)| what)
    .collect()
}

/// The problems as a 422, one field per cell ("file.D7").
fn invalid(report: &ImportReport) -> AppError {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for p in &report.problems {
        fields
            .entry(format!("file.{}", p.cell))
            .and_modify(|m| {
                m.push('\n');
                m.push_str(&p.message)
            })
            .or_insert_with(|| p.message.clone());
    }
    AppError::Invalid(fields)
}

/// Where a file checked on the import page waits for the office's confirmation.
fn staged_key(actor: &Actor, plan_id: Uuid, token: Uuid) -> String {
    let who = actor.user_id.map(|u| u.to_string()).unwrap_or_else(|| "system".into());
    format!("imports/{who}/{plan_id}/{token}.xlsx")
}

/// Checks a file for the import page and keeps it for [`import_staged`]: the dry run's
/// report and the token that names the kept file (only its uploader can use it).
pub async fn stage_import(
    db: &Db,
    files: &dyn crate::storage::files::BlobStore,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    bytes: &[u8],
) -> Result<(Uuid, ImportReport)> {
    let report = import_register(db, actor, now, plan_id, bytes, true).await?;
    let token = Uuid::now_v7();
    files.put(&staged_key(actor, plan_id, token), bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((token, report))
}

/// Imports the file kept by [`stage_import`], then forgets it.
pub async fn import_staged(
    db: &Db,
    files: &dyn crate::storage::files::BlobStore,
    actor: &Actor,
    now: DateTime<Utc>,
    plan_id: Uuid,
    token: Uuid,
) -> Result<ImportReport> {
    let key = staged_key(actor, plan_id, token);
    let bytes = files.get(&key).map_err(|_| {
        AppError::conflict(
            "import_expired",
            "Tệp đã kiểm tra không còn; hãy chọn tệp và kiểm tra lại / the checked file is gone; upload it again",
        )
    })?;
    let report = import_register(db, actor, now, plan_id, &bytes, false).await?;
    let _ = files.delete(&key);
    Ok(report)
}
