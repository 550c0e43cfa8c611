//! Reading a register typed in Excel: the template's columns found by their
//! headers, one row per target, a task's further targets on rows with its code
//! and nothing else; every problem said by row and column.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::domain::text::{self, fold};
use crate::model::ImportProblem;
use crate::sheet::{Cell, cell_name};

/// The register's columns, in the template's order; an export adds the results after.
pub const REGISTER: [&str; 9] =
    ["Nhóm", "Mã", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch"];

/// One task as the file gives it.
pub(crate) struct Row {
    /// The sheet row (1-based, as Excel shows it) of the task's first row.
    pub(crate) at: usize,
    pub(crate) group: String,
    pub(crate) code: String,
    pub(crate) text: String,
    pub(crate) lead: Option<Uuid>,
    pub(crate) coops: Vec<Uuid>,
    pub(crate) deadline: Option<NaiveDate>,
    pub(crate) targets: Vec<(String, Option<String>, Option<f64>)>,
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
pub(crate) fn read_rows(
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
