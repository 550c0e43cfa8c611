//! The office's view of a task, above its result: who leads and co-operates, where
//! it stands ("quá hạn 3 ngày" in words), its history (assigned, changed, reported,
//! returned, accepted) and the links to edit it and review its result.

use serde_json::{Value, json};

use super::Ctx;
use super::home::today;
use crate::domain::Role;
use crate::error::Result;
use crate::model::{Standing, Task, TaskResult};
use crate::services::{figures, task_history, units};

/// The overview for people who do not report on the task (office, signer, viewer,
/// administrator); `None` for a unit officer, whose page is the report form.
pub(crate) async fn overview(
    c: &Ctx,
    t: &Task,
    result: Option<&TaskResult>,
    history: &[Value],
) -> Result<Option<Value>> {
    if c.is(&[Role::UnitOfficer]) {
        return Ok(None);
    }
    let name = |id| async move { units::get_unit(&c.state.db, &c.actor, id).await.map(|u| u.data.name).ok() };
    let lead = match t.data.lead_unit_id {
        Some(u) => name(u).await,
        None => None,
    };
    let mut cooperating = Vec::new();
    for u in &t.data.cooperating_unit_ids {
        cooperating.extend(name(*u).await);
    }
    let today = today();
    let standing = figures::standing(t, result, today);
    let due = t
        .data
        .deadline
        .filter(|_| !matches!(standing, Standing::Accepted | Standing::Submitted))
        .map(|d| crate::domain::format::due_words(d.0, today));
    // The task's own events and its result's, in time order.
    let mut events: Vec<Value> = task_history::task_history(&c.state.db, &c.actor, t.id)
        .await?
        .into_iter()
        .map(|e| json!({"sort": e.at.timestamp(), "at": super::documents::vn_time(e.at), "what": e.action_label, "by": e.by}))
        .collect();
    events.extend(history.iter().cloned());
    events.sort_by_key(|e| e["sort"].as_i64().unwrap_or(0));
    let office = c.is(&[Role::Office, Role::Admin]);
    let review =
        result.filter(|r| office && r.data.state.as_deref() == Some("submitted")).map(|r| format!("/review/{}", r.id));
    Ok(Some(json!({
        "lead": lead, "cooperating": cooperating, "standing": standing.code(), "standing_label": standing.label(),
        "due": due, "events": events, "edit": office.then(|| format!("/tasks/{}/edit", t.id)), "review": review,
    })))
}
