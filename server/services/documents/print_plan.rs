//! The printed assignment plan: a table of the plan's tasks by group, with their
//! targets, lead and co-operating units and deadlines.

use crate::domain::format::short_date;
use crate::domain::markdown::{Block, Inline};
use crate::domain::print::{Cell, Frame, PlanGroup, PlanView, TITLE_LINE, cell};
use crate::domain::typeset::balance;
use crate::services::print_register::{Register, md, one_paragraph};
use crate::storage::{documents, targets};

/// "Thu ngân sách: 41.020 triệu đồng" — a target as the plan's table lists it.
fn target_cell(t: &targets::Model) -> Cell {
    let mut out = one_paragraph(&t.description);
    if let Some(goal) = t.goal_value {
        let unit = t.measure_unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let amount = crate::domain::format::number_trim(goal, 2);
        let text = match unit {
            Some("%") => format!(": {amount}%"),
            Some(u) => format!(": {amount} {u}"),
            None => format!(": {amount}"),
        };
        out.push(Inline::Text(text));
    }
    out
}

pub(crate) fn plan_view(
    doc: &documents::Model,
    frame: Frame,
    legal_bases: Vec<String>,
    reg: Option<&Register>,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
) -> PlanView {
    let mut opening = md(doc.opening.as_deref());
    opening.extend(section("intro"));
    let groups = reg
        .map(|reg| {
            reg.groups
                .iter()
                .enumerate()
                .map(|(i, g)| PlanGroup {
                    heading: format!("{}. {}", i + 1, g.title),
                    rows: reg
                        .tasks_of(g.id)
                        .map(|t| {
                            let coops = reg.cooperators.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                            let mut names: Vec<String> = coops.iter().map(|u| reg.unit_name(Some(*u))).collect();
                            names.sort();
                            let mut goals: Cell = Vec::new();
                            for (n, target) in reg.targets.get(&t.id).into_iter().flatten().enumerate() {
                                if n > 0 {
                                    goals.push(Inline::Text("; ".into()));
                                }
                                goals.extend(target_cell(target));
                            }
                            vec![
                                cell(t.code.clone()),
                                one_paragraph(&t.text),
                                goals,
                                cell(reg.unit_name(t.lead_unit_id)),
                                cell(names.join("; ")),
                                cell(t.deadline.map(short_date).unwrap_or_default()),
                            ]
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    PlanView {
        frame,
        type_name: "KẾ HOẠCH".into(),
        subject_lines: balance(&doc.subject, TITLE_LINE),
        subject: doc.subject.clone(),
        legal_bases,
        opening,
        columns: ["TT", "Nhiệm vụ", "Chỉ tiêu", "Chủ trì", "Phối hợp", "Thời hạn"].map(String::from).to_vec(),
        groups,
        closing: md(Some(closing)),
    }
}
