//! A task's own history as its page tells it: when it was assigned, what changed
//! later (deadline, lead unit, text), archived or restored — read from the audit
//! trail, for whoever may see the task.

use crate::domain::AuditAction as A;
use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::access::require;
use crate::domain::access::Action;
use crate::error::Result;
use crate::model::ReviewEvent;
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::units;

/// The task's events, oldest first (at most 500).
pub async fn task_history(db: &Db, actor: &Actor, task_id: Uuid) -> Result<Vec<ReviewEvent>> {
    require(actor, Action::Read)?;
    super::tasks::get_task(db, actor, task_id).await?;
    let events = crate::storage::audit::events_of(&db.conn, "tasks", task_id, None).await?;
    let names = crate::storage::queries::user_names(&db.conn, events.iter().filter_map(|e| e.actor_id)).await?;
    // A task's events store the record, or [record, co-operating units].
    let record = |v: &Option<Value>| -> Option<Value> {
        let v = v.as_ref()?;
        Some(if v.is_array() { v.get(0)?.clone() } else { v.clone() })
    };
    let unit_ids: Vec<Uuid> =
        events.iter().filter_map(|e| record(&e.after)?.get("lead_unit_id")?.as_str()?.parse().ok()).collect();
    let unit_names: HashMap<Uuid, String> =
        units::with_ids(&db.conn, unit_ids).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let field = |v: &Option<Value>, k: &str| record(v).and_then(|v| v.get(k).cloned()).filter(|x| !x.is_null());
    Ok(events
        .into_iter()
        .filter_map(|e| {
            let label = match e.action {
                A::Create | A::Import | A::CarryForward | A::CopyForward => "Giao nhiệm vụ".to_owned(),
                A::Update => {
                    let mut changed = Vec::new();
                    if field(&e.before, "deadline") != field(&e.after, "deadline") {
                        let to = field(&e.after, "deadline")
                            .and_then(|d| d.as_str().map(date))
                            .unwrap_or_else(|| "không hạn".into());
                        changed.push(format!("hạn thành {to}"));
                    }
                    if field(&e.before, "lead_unit_id") != field(&e.after, "lead_unit_id") {
                        let to = field(&e.after, "lead_unit_id")
                            .and_then(|u| u.as_str()?.parse::<Uuid>().ok())
                            .and_then(|u| unit_names.get(&u).cloned())
                            .unwrap_or_else(|| "chưa có".into());
                        changed.push(format!("đơn vị chủ trì thành {to}"));
                    }
                    if field(&e.before, "text") != field(&e.after, "text") {
                        changed.push("nội dung".to_owned());
                    }
                    if changed.is_empty() {
                        return None;
                    }
                    format!("Sửa {}", changed.join(", "))
                }
                A::Archive => "Lưu trữ nhiệm vụ".to_owned(),
                A::Restore => "Khôi phục nhiệm vụ".to_owned(),
                _ => return None,
            };
            Some(ReviewEvent {
                at: e.at,
                action_label: label,
                action: e.action,
                by: e.actor_id.and_then(|a| names.get(&a).cloned()),
                comment: None,
            })
        })
        .collect())
}

/// "2026-12-31" as "31/12/2026".
fn date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}
