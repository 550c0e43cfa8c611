//! The printed urging letter: the units whose tasks are overdue or soon due, each
//! with its tasks and how late they are.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::domain::ResultState;
use crate::domain::format::short_date;
use crate::domain::markdown::Block;
use crate::domain::print::{Frame, LateUnit, LetterView, addressee_lines};
use crate::domain::typeset::balance;
use crate::error::Result;
use crate::services::json_list;
use crate::services::print_register::{Register, load_register, md};
use crate::storage::{Conn, documents, tasks};

/// Characters of 12 pt text the "V/v …" line holds in its column (62 mm).
const LETTER_SUBJECT_LINE: usize = 34;

/// How many days before a deadline a task counts as soon due in an urging letter.
pub const SOON_DUE_DAYS: i64 = 7;

/// Tasks overdue or due within a week of `date` whose result is not in yet.
fn late_tasks(reg: &Register, date: NaiveDate) -> impl Iterator<Item = &tasks::Model> {
    let done = [ResultState::Submitted, ResultState::Accepted];
    reg.tasks.iter().filter(move |t| {
        t.deadline.is_some_and(|d| d <= date + Duration::days(SOON_DUE_DAYS))
            && !reg.results.get(&t.id).is_some_and(|r| done.contains(&r.state))
    })
}

/// The units an urging letter of `plan_id` dated `date` is addressed to: (name, contact addresses).
pub(crate) async fn late_units(c: &impl Conn, plan_id: Uuid, date: NaiveDate) -> Result<Vec<(String, Vec<String>)>> {
    let reg = load_register(c, plan_id).await?;
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

pub(crate) fn letter_view(
    doc: &documents::Model,
    frame: Frame,
    reg: Option<&Register>,
    date: NaiveDate,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
) -> LetterView {
    let subject =
        if doc.subject.trim_start().starts_with("V/v") { doc.subject.clone() } else { format!("V/v {}", doc.subject) };
    let mut units: Vec<LateUnit> = Vec::new();
    if let Some(reg) = reg {
        let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in late_tasks(reg, date) {
            let Some(deadline) = t.deadline else { continue };
            let days = (date - deadline).num_days();
            let when = match days {
                d if d > 0 => format!("hạn {}, đã quá hạn {d} ngày", short_date(deadline)),
                0 => format!("hạn {}, đến hạn hôm nay", short_date(deadline)),
                d => format!("hạn {}, còn {} ngày", short_date(deadline), -d),
            };
            by_unit
                .entry(reg.unit_name(t.lead_unit_id))
                .or_default()
                .push(format!("- Nhiệm vụ {}: {} ({when}).", t.code, t.text));
        }
        units = by_unit.into_iter().map(|(unit, lines)| LateUnit { unit, lines }).collect();
    }
    let names: Vec<String> = units.iter().map(|u| u.unit.clone()).filter(|u| !u.is_empty()).collect();
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
    }
}
