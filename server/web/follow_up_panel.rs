//! The task page's "Theo dõi hạn" panel: the task's follow-ups as its history tells
//! them, and which forms the person signed in may use there (the forms' handlers are
//! in `follow_ups`). A form sent back keeps what was typed and each field's error.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use super::Ctx;
use crate::domain::{FollowUpKind as K, FollowUpState as S, Role};
use crate::error::Result;
use crate::model::{Task, TaskResult};
use crate::services::{deadline_rules, follow_up_reads, plans};

/// Each field's error.
type Errors = BTreeMap<String, String>;

/// A form of the panel sent back: which one, what was typed, what was wrong.
pub(crate) struct Sent {
    /// "request", "ask", "decide-<id>" or "answer-<id>".
    pub form: String,
    pub errors: Errors,
    pub values: BTreeMap<String, String>,
}

/// The panel as the task page shows it.
#[derive(Serialize)]
pub(crate) struct Panel {
    lines: Vec<Line>,
    original_deadline: Option<String>,
    withdrawn: bool,
    may_request: bool,
    may_ask: bool,
    may_urge: bool,
    plan_id: Uuid,
    unit_id: Option<Uuid>,
    form: Option<String>,
    errors: Option<Errors>,
    values: BTreeMap<String, String>,
}

/// One follow-up of the task.
#[derive(Serialize)]
struct Line {
    id: Uuid,
    at: String,
    by: Option<String>,
    summary: String,
    kind: &'static str,
    overdue: bool,
    may_decide: bool,
    may_answer: bool,
    extension: bool,
}

/// The panel of task `t` for `c`, with a form sent back if there is one.
pub(crate) async fn panel(c: &Ctx, t: &Task, result: Option<&TaskResult>, sent: Option<Sent>) -> Result<Panel> {
    let db = &c.state.db;
    let items = follow_up_reads::task_follow_ups(db, &c.actor, c.today(), t.id).await?;
    let plan = plans::get_plan(db, &c.actor, t.plan_id).await?;
    let rules = deadline_rules::get_rules(db, &c.actor, plan.data.issuer_id).await?;
    let office = c.is(&[Role::Office, Role::Admin]);
    let own = c.is(&[Role::UnitOfficer]) && c.actor.unit_id.is_some() && c.actor.unit_id == t.data.lead_unit_id;
    let live = t.archived_at.is_none();
    let accepted = result.and_then(|r| r.data.state.as_deref()) == Some("accepted");
    let open_request = items.iter().any(|f| matches!(f.kind, K::Extension | K::Withdrawal) && f.state == S::Open);
    let decides = c.is(&[Role::Signer]) || (office && !rules.signer_decides);
    let lines = items
        .into_iter()
        .map(|f| {
            let open = f.state == S::Open;
            Line {
                id: f.id,
                at: super::view::vn_time(f.opened_at),
                by: f.opened_by.clone(),
                may_decide: open && decides && live && matches!(f.kind, K::Extension | K::Withdrawal),
                may_answer: open && (own || office) && live && matches!(f.kind, K::Explanation | K::Direction),
                extension: f.kind == K::Extension,
                kind: f.kind.code(),
                overdue: f.overdue,
                summary: f.summary,
            }
        })
        .collect();
    let (form, errors, values) = match sent {
        Some(s) => (Some(s.form), Some(s.errors), s.values),
        None => (None, None, BTreeMap::new()),
    };
    let late = t.data.deadline.is_some_and(|d| d.0 < c.today());
    Ok(Panel {
        lines,
        original_deadline: t.original_deadline.map(|d| super::view::vn_day(d.0)),
        withdrawn: t.withdrawn_at.is_some(),
        may_request: (own || office) && live && !accepted && !open_request,
        may_ask: (office || c.is(&[Role::Signer])) && live && t.data.lead_unit_id.is_some(),
        may_urge: office && live && !accepted && late && t.data.lead_unit_id.is_some(),
        plan_id: t.plan_id,
        unit_id: t.data.lead_unit_id,
        form,
        errors,
        values,
    })
}
