//! "Biểu tổng hợp": the year's register as a sheet a clerk prints and forwards —
//! the issuing body and a title, a row per group, each task numbered (STT) with its
//! cells spanning its targets, each target's plan, result and per cent of plan, the
//! task's standing. It is the second sheet of the register's .xlsx; the first stays
//! the data sheet an import reads back.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::figures::{self, Snapshot};
use crate::sheet::{Block, Cell, Report};

/// The summary sheet of a plan's snapshot on `today`, headed by `issuer_lines`.
pub fn summary_report(s: &Snapshot, issuer_lines: Vec<String>, today: NaiveDate) -> Report {
    let unit = |u: &Uuid| s.units.get(u).map(|u| u.data.name.clone()).unwrap_or_default();
    let mut by_group: HashMap<Uuid, Vec<&crate::model::Task>> = HashMap::new();
    for t in &s.tasks {
        by_group.entry(t.data.group_id).or_default().push(t);
    }
    let mut blocks = Vec::new();
    let mut n = 0;
    for g in &s.groups {
        let Some(tasks) = by_group.get(&g.id) else { continue };
        blocks.push(Block::Group(g.data.title.clone()));
        for t in tasks {
            n += 1;
            let head = vec![
                Cell::Number(f64::from(n)),
                t.data.code.as_str().into(),
                t.data.text.as_str().into(),
                t.data.lead_unit_id.as_ref().map(unit).unwrap_or_default().into(),
                t.data.deadline.map(|d| d.0).into(),
            ];
            let mut lines: Vec<Vec<Cell>> = t
                .targets
                .iter()
                .map(|x| {
                    let share = match (x.data.goal_value, x.data.actual_value) {
                        (Some(goal), Some(actual)) if goal != 0.0 => Cell::Number(actual / goal),
                        _ => Cell::Empty,
                    };
                    vec![
                        x.data.description.as_str().into(),
                        x.data.measure_unit.clone().unwrap_or_default().into(),
                        x.data.goal_value.into(),
                        x.data.actual_value.into(),
                        share,
                    ]
                })
                .collect();
            if lines.is_empty() {
                lines.push(vec![Cell::Empty; 5]);
            }
            let standing = figures::standing(t, s.results.get(&t.id), today);
            blocks.push(Block::Item { head, lines, tail: vec![standing.label().into()] });
        }
    }
    Report {
        name: "Biểu tổng hợp".into(),
        issuer: issuer_lines,
        title: format!("BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM NĂM {}", s.plan.data.year),
        subtitle: format!("(Số liệu đến ngày {})", today.format("%d/%m/%Y")),
        headers: vec![
            "STT",
            "Mã",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Hạn",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Kế hoạch",
            "Thực hiện",
            "% kế hoạch",
            "Tình trạng",
        ],
        widths: vec![5.0, 7.0, 45.0, 22.0, 11.0, 30.0, 10.0, 11.0, 11.0, 9.0, 15.0],
        blocks,
    }
}
