//! The year's register as a spreadsheet, both ways. Out: the register with results,
//! scores and ratings, the dashboard's figures per unit and per group, a document's
//! delivery report (tables for `sheet`, as .xlsx or CSV). In: a register typed in
//! Excel — the template's columns (nhóm, mã, nội dung, đơn vị chủ trì, phối hợp,
//! hạn, chỉ tiêu, đơn vị tính, kế hoạch), one row per target, a task's further
//! targets on rows with its code and nothing else — checked whole (every problem by
//! row and column, in Vietnamese and English), then imported all or nothing in one
//! transaction: a code already in the plan is updated, a new one created, what is
//! unchanged is not written, so the same file twice changes nothing.
//!
//! The way out is here; the way in is in `spreadsheet_import` (the import and its
//! confirmation) and `spreadsheet_rows` (reading the file's rows).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::figures::{self, Snapshot};
use super::outbox;
use crate::domain::Timeliness;
use crate::error::Result;
use crate::model::{Paging, Standing};
use crate::sheet::{Cell, Table};
use crate::storage::Db;
use crate::storage::audit::Actor;

pub use super::spreadsheet_import::{import_register, import_staged, stage_import};
pub use super::spreadsheet_rows::REGISTER;

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
    // The Government's four ways, and the tasks at risk.
    headers.extend(Timeliness::ALL.iter().map(|w| w.label()));
    headers.extend(["Trong đó đúng hạn đã gia hạn", "Nguy cơ chậm"]);
    let row = |name: &str, c: &crate::model::Counts| {
        let mut r: Vec<Cell> = vec![name.into()];
        r.extend(Standing::ALL.iter().map(|k| Cell::Number(f64::from(c.of(*k)))));
        r.push(Cell::Number(f64::from(c.total)));
        r.extend(Timeliness::ALL.iter().map(|w| Cell::Number(f64::from(c.of_timeliness(*w)))));
        r.extend([c.done_on_time_extended, c.at_risk].map(|n| Cell::Number(f64::from(n))));
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
            let state = m.state.label();
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
