//! Reading the task form: its boxes as a task and its target lines, the typed
//! values put back after a refusal, and the service's field names as the form's.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::Form;
use crate::model::{TargetLine, TaskInput};

/// A box of the form that names a record, read as its id; a mistake is noted in `errors`.
fn parse_uuid(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<Uuid> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match raw.trim().parse() {
        Ok(u) => Some(u),
        Err(_) => {
            errors.insert(key.into(), "Lựa chọn không hợp lệ".into());
            None
        }
    }
}

/// A box of the form read as a date; a mistake is noted in `errors`.
pub(super) fn parse_date(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<NaiveDate> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match crate::domain::parse::date(&raw) {
        Ok(d) => Some(d),
        Err(why) => {
            errors.insert(key.into(), super::vietnamese(why));
            None
        }
    }
}

/// A box of the form read as a number; a mistake is noted in `errors`.
pub(super) fn parse_number(f: &Form, key: &str, errors: &mut BTreeMap<String, String>) -> Option<f64> {
    let raw = f.get(key);
    if raw.trim().is_empty() {
        return None;
    }
    match crate::domain::parse::number(&raw) {
        Ok(v) => Some(v),
        Err(why) => {
            errors.insert(key.into(), super::vietnamese(why));
            None
        }
    }
}

/// The task and its targets as typed (every target row of the form); form errors so
/// far. The second value maps each target line sent to the form row it came from.
pub(super) fn task_input(f: &Form, errors: &mut BTreeMap<String, String>) -> (Option<TaskInput>, Vec<usize>) {
    let group = parse_uuid(f, "group_id", errors);
    let lead = parse_uuid(f, "lead_unit_id", errors);
    let mut coop = Vec::new();
    for v in f.all("cooperating_unit_ids") {
        match v.parse() {
            Ok(u) => coop.push(u),
            Err(_) => {
                errors.insert("cooperating_unit_ids".into(), "Lựa chọn không hợp lệ".into());
            }
        }
    }
    let deadline = parse_date(f, "deadline", errors);
    let (ids, descriptions, units, goals) =
        (f.all("target_id"), f.all("target_description"), f.all("target_unit"), f.all("target_goal"));
    let removed = f.all("target_remove");
    let (mut lines, mut rows) = (Vec::new(), Vec::new());
    let count = descriptions.len().max(goals.len()).max(ids.len()).max(units.len());
    for n in 0..count {
        let id = ids.get(n).and_then(|s| s.parse::<Uuid>().ok());
        let description = descriptions.get(n).map(|d| d.trim().to_owned()).unwrap_or_default();
        let unit = units.get(n).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let goal_text = goals.get(n).cloned().unwrap_or_default();
        let goal = if goal_text.trim().is_empty() {
            None
        } else {
            match crate::domain::parse::number(&goal_text) {
                Ok(v) => Some(v),
                Err(why) => {
                    errors.insert(format!("target_goal_{n}"), why.split(" / ").next().unwrap_or(why).into());
                    None
                }
            }
        };
        if removed.iter().any(|r| r == &n.to_string()) || (id.is_none() && description.is_empty() && goal.is_none()) {
            continue;
        }
        if description.is_empty() {
            errors.insert(format!("target_description_{n}"), "Nêu chỉ tiêu".into());
        }
        lines.push(TargetLine { id, description, measure_unit: unit, goal_value: goal });
        rows.push(n);
    }
    if group.is_none() {
        errors.insert("group_id".into(), "Chọn nhóm nhiệm vụ".into());
    }
    // Said at once with the other mistakes, rather than after they are fixed.
    if f.get("code").trim().is_empty() {
        errors.insert("code".into(), "Nhập mã nhiệm vụ".into());
    }
    if f.get("text").trim().is_empty() {
        errors.insert("text".into(), "Nhập nội dung nhiệm vụ".into());
    }
    let Some(group_id) = group else { return (None, rows) };
    let task = TaskInput {
        group_id,
        code: f.get("code").trim().to_owned(),
        position: None,
        text: f.get("text").trim().to_owned(),
        lead_unit_id: lead,
        cooperating_unit_ids: coop,
        deadline: deadline.map(Into::into),
        set_targets: Some(lines),
    };
    (Some(task), rows)
}

/// One target row of a task form: as stored, or as typed (then `n` is its place
/// among the rows sent, which the field errors are named by).
#[derive(Serialize)]
pub(super) struct TargetRow {
    pub n: usize,
    pub id: String,
    pub description: String,
    pub unit: Option<String>,
    pub goal: Option<String>,
    pub removed: bool,
}

/// The target rows as typed, for putting them back on the page after a refusal.
pub(super) fn typed_target_rows(f: &Form) -> Vec<TargetRow> {
    let (ids, descriptions, units, goals) =
        (f.all("target_id"), f.all("target_description"), f.all("target_unit"), f.all("target_goal"));
    let removed = f.all("target_remove");
    let at = |v: &Vec<String>, n: usize| v.get(n).cloned().unwrap_or_default();
    let count = descriptions.len().max(goals.len()).max(ids.len()).max(units.len());
    (0..count)
        .filter(|n| {
            !at(&ids, *n).is_empty() || !at(&descriptions, *n).trim().is_empty() || !at(&goals, *n).trim().is_empty()
        })
        .map(|n| TargetRow {
            n,
            id: at(&ids, n),
            description: at(&descriptions, n),
            unit: Some(at(&units, n)),
            goal: Some(at(&goals, n)),
            removed: removed.iter().any(|r| r == &n.to_string()),
        })
        .collect()
}

/// The service's field names for target lines (`set_targets[2].goal_value`) as the
/// form's (`target_goal_2`), so each message sits under its own box.
pub(super) fn form_error_names(errors: BTreeMap<String, String>, rows: &[usize]) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(k, v)| {
            let Some(rest) = k.strip_prefix("set_targets[") else { return (k, v) };
            let Some((n, field)) = rest.split_once("].") else { return (k, v) };
            let field = match field {
                "goal_value" => "goal",
                "measure_unit" => "unit",
                f => f,
            };
            let row = n.parse::<usize>().ok().and_then(|n| rows.get(n).copied());
            match row {
                Some(row) => (format!("target_{field}_{row}"), v),
                None => (k, v),
            }
        })
        .collect()
}
