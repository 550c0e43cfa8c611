//! The printed urging letter (công văn đôn đốc).
//!
//! A letter about a plan lists, unit by unit, the tasks overdue or due within a week.
//! A letter drafted by urging (`about_units` set) names only the units urged and
//! carries, for each, an appendix table of its overdue and at-risk tasks: code, task,
//! deadline, days late and the last reported state.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

use crate::domain::ResultState;
use crate::domain::deadlines::{DeadlineRules, Figures, at_risk, progress};
use crate::domain::format::short_date;
use crate::domain::markdown::{Block, Inline};
use crate::domain::print::{Appendix, Frame, LateUnit, LetterView, addressee_lines};
use crate::domain::typeset::balance;
use crate::error::Result;
use crate::services::json_list;
use crate::services::print_register::{Register, load_register, md};
use crate::storage::{Conn, documents, tasks};

/// Characters of 12 pt text the "V/v …" line holds in its column (62 mm).
const LETTER_SUBJECT_LINE: usize = 34;

/// How many days before a deadline a task counts as soon due in an urging letter.
pub const SOON_DUE_DAYS: i64 = 7;

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// Tasks overdue or due within a week of `date` whose result is not in yet.
fn late_tasks(reg: &Register, date: NaiveDate) -> impl Iterator<Item = &tasks::Model> {
    reg.tasks
        .iter()
        .filter(move |t| t.deadline.is_some_and(|d| d <= date + Duration::days(SOON_DUE_DAYS)) && !reported(reg, t.id))
}

fn reported(reg: &Register, task: Uuid) -> bool {
    reg.results.get(&task).is_some_and(|r| matches!(r.state, ResultState::Submitted | ResultState::Accepted))
}

/// A task an urging names: overdue, or at risk of being late.
pub(crate) struct Urged<'a> {
    /// The task.
    pub task: &'a tasks::Model,
    /// Days past its deadline (0 or less: not yet late).
    pub days_late: i64,
    /// How far its numeric targets are (0–1).
    pub progress: Option<f64>,
}

/// How far a task's numeric targets are towards their goals.
pub(crate) fn task_progress(reg: &Register, task: Uuid) -> Option<f64> {
    let list = reg.targets.get(&task)?;
    progress(list.iter().map(|t| Figures { goal: t.goal_value, baseline: t.baseline_value, actual: t.actual_value }))
}

/// The open tasks each of `units` leads that are overdue or at risk on `date`, by unit,
/// in the plan's order.
pub(crate) fn urged_tasks<'a>(
    reg: &'a Register,
    units: &[Uuid],
    date: NaiveDate,
    rules: &DeadlineRules,
) -> BTreeMap<Uuid, Vec<Urged<'a>>> {
    let mut out: BTreeMap<Uuid, Vec<Urged<'a>>> = BTreeMap::new();
    for t in &reg.tasks {
        let (Some(unit), Some(deadline)) = (t.lead_unit_id, t.deadline) else { continue };
        if !units.contains(&unit) || reported(reg, t.id) {
            continue;
        }
        let p = task_progress(reg, t.id);
        let start = NaiveDate::from_ymd_opt(deadline.year(), 1, 1).unwrap_or(deadline);
        if deadline < date || at_risk(rules, start, deadline, date, p) {
            out.entry(unit).or_default().push(Urged { task: t, days_late: (date - deadline).num_days(), progress: p });
        }
    }
    out
}

/// The units an urging letter dated `date` is addressed to: (name, contact addresses).
pub(crate) async fn late_units(
    c: &impl Conn,
    doc: &documents::Model,
    date: NaiveDate,
) -> Result<Vec<(String, Vec<String>)>> {
    let Some(plan_id) = doc.plan_id else { return Ok(Vec::new()) };
    let reg = load_register(c, plan_id).await?;
    if let Some(only) = about_units(doc) {
        return Ok(only
            .iter()
            .filter_map(|u| reg.units.get(u))
            .map(|u| (u.name.clone(), json_list(&u.emails)))
            .collect());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for t in late_tasks(&reg, date) {
        if let Some(unit) = t.lead_unit_id.and_then(|u| reg.units.get(&u))
            && seen.insert(unit.id)
        {
            out.push((unit.name.clone(), json_list(&unit.emails)));
        }
    }
    Ok(out)
}

/// The units an urging letter was drafted for, if it was.
pub(crate) fn about_units(doc: &documents::Model) -> Option<Vec<Uuid>> {
    doc.about_units.as_ref().map(json_list)
}

/// What a letter prints besides its frame.
pub(crate) struct LetterSources<'a> {
    pub(crate) reg: Option<&'a Register>,
    pub(crate) date: NaiveDate,
    pub(crate) rules: DeadlineRules,
    /// "Công văn số …/UBND-VP ngày …".
    pub(crate) reference: String,
    /// "Ủy ban nhân dân xã …".
    pub(crate) issuer: String,
}

pub(crate) fn letter_view(
    doc: &documents::Model,
    frame: Frame,
    src: LetterSources<'_>,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
) -> LetterView {
    let subject =
        if doc.subject.trim_start().starts_with("V/v") { doc.subject.clone() } else { format!("V/v {}", doc.subject) };
    let mut units: Vec<LateUnit> = Vec::new();
    let mut appendices = Vec::new();
    let mut names: Vec<String> = Vec::new();
    match (src.reg, about_units(doc)) {
        (Some(reg), Some(only)) => {
            let urged = urged_tasks(reg, &only, src.date, &src.rules);
            for u in &only {
                let name = reg.unit_name(Some(*u));
                if let Some(list) = urged.get(u) {
                    appendices.push(unit_appendix(reg, &name, list, &src));
                }
                names.push(name);
            }
            let several = appendices.len() > 1;
            for (i, a) in appendices.iter_mut().enumerate() {
                a.label =
                    if several { format!("Phụ lục {}", ROMAN.get(i).unwrap_or(&"")) } else { "Phụ lục".into() };
            }
        }
        (Some(reg), None) => {
            let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for t in late_tasks(reg, src.date) {
                let Some(deadline) = t.deadline else { continue };
                by_unit.entry(reg.unit_name(t.lead_unit_id)).or_default().push(format!(
                    "- Nhiệm vụ {}: {} ({}).",
                    t.code,
                    t.text,
                    when(deadline, src.date)
                ));
            }
            units = by_unit.into_iter().map(|(unit, lines)| LateUnit { unit, lines }).collect();
            names = units.iter().map(|u| u.unit.clone()).collect();
        }
        (None, _) => {}
    }
    names.retain(|u| !u.is_empty());
    let mut opening = md(doc.opening.as_deref());
    opening.extend(section("body"));
    LetterView {
        frame,
        subject_lines: balance(&subject, LETTER_SUBJECT_LINE),
        subject,
        addressees: addressee_lines(&names),
        opening,
        units,
        closing: md(Some(closing)),
        appendices,
    }
}

fn when(deadline: NaiveDate, date: NaiveDate) -> String {
    match (date - deadline).num_days() {
        d if d > 0 => format!("hạn {}, đã quá hạn {d} ngày", short_date(deadline)),
        0 => format!("hạn {}, đến hạn hôm nay", short_date(deadline)),
        d => format!("hạn {}, còn {} ngày", short_date(deadline), -d),
    }
}

/// One unit's table: its overdue and at-risk tasks.
fn unit_appendix(reg: &Register, unit: &str, list: &[Urged<'_>], src: &LetterSources<'_>) -> Appendix {
    let text = |s: String| vec![Inline::Text(s)];
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let state = match reg.results.get(&u.task.id).map(|r| r.state) {
                Some(s) => s.label().to_owned(),
                None => "Chưa báo cáo".to_owned(),
            };
            let numbers = u.progress.map(|p| format!("; chỉ tiêu đạt {}%", (p * 100.0).round())).unwrap_or_default();
            let late = if u.days_late > 0 { u.days_late.to_string() } else { "Nguy cơ chậm".to_owned() };
            vec![
                text((i + 1).to_string()),
                text(u.task.code.clone()),
                text(u.task.text.clone()),
                text(u.task.deadline.map(short_date).unwrap_or_default()),
                text(late),
                text(format!("{state}{numbers}")),
            ]
        })
        .collect();
    Appendix {
        label: "Phụ lục".into(),
        title: format!("Nhiệm vụ quá hạn, có nguy cơ chậm của {unit}"),
        caption: format!("(Kèm theo {} của {})", src.reference, src.issuer),
        landscape: false,
        columns: ["STT", "Mã", "Nhiệm vụ", "Hạn hoàn thành", "Số ngày quá hạn", "Tình hình thực hiện"]
            .map(String::from)
            .to_vec(),
        widths: vec![2, 2, 10, 4, 3, 5],
        rows,
    }
}
