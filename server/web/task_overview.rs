//! The office's view of a task, above its result: who leads and co-operates, where
//! it stands ("quá hạn 3 ngày" in words), its history (assigned, changed, reported,
//! returned, accepted) and the links to edit it and review its result; and the
//! lists the task page and the review page both show (its evidence, its review steps).

use serde::Serialize;
use uuid::Uuid;

use super::Ctx;
use super::view::Word;
use crate::domain::Role;
use crate::error::Result;
use crate::model::{Evidence, ReviewEvent, Standing, Task, TaskResult};
use crate::services::{figures, task_history, units};
use crate::signing::SignatureReport;

/// A file size as Vietnamese write it: "84,6 KB", "1,2 MB".
fn size_text(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{} MB", super::num(Some((b / 1024.0 / 1024.0 * 10.0).round() / 10.0)).unwrap_or_default())
    } else {
        format!("{} KB", super::num(Some((b / 1024.0 * 10.0).round() / 10.0)).unwrap_or_default())
    }
}

/// A file of evidence, as the task and review pages list it.
#[derive(Serialize)]
pub(crate) struct EvidenceItem<'a> {
    id: Uuid,
    name: &'a str,
    #[serde(rename = "type")]
    content_type: &'a str,
    size: i64,
    image: bool,
    /// A picture shows itself; another file its kind ("PDF", "DOCX").
    kind: String,
    size_text: String,
    sha256: &'a str,
    signatures: Option<&'a [SignatureReport]>,
}

impl<'a> EvidenceItem<'a> {
    /// The file `e` as a page lists it.
    pub(crate) fn of(e: &'a Evidence) -> EvidenceItem<'a> {
        let kind: String =
            e.file_name.rsplit_once('.').map_or("TỆP", |(_, x)| x).to_uppercase().chars().take(4).collect();
        EvidenceItem {
            id: e.id,
            name: &e.file_name,
            content_type: &e.content_type,
            size: e.size_bytes,
            image: e.content_type.starts_with("image/"),
            kind,
            size_text: size_text(e.size_bytes),
            sha256: &e.sha256,
            signatures: e.signatures.as_deref(),
        }
    }
}

/// A step of a result's review (sent, returned, accepted, reopened), as the history
/// lists it.
#[derive(Serialize, Clone)]
pub(crate) struct ReviewStep<'a> {
    sort: i64,
    at: String,
    what: &'a str,
    action: &'static str,
    by: Option<&'a str>,
    comment: Option<&'a str>,
}

impl<'a> ReviewStep<'a> {
    /// The review event `e` as a page shows it.
    pub(crate) fn of(e: &'a ReviewEvent) -> ReviewStep<'a> {
        ReviewStep {
            sort: e.at.timestamp(),
            at: super::view::vn_time(e.at),
            what: &e.action_label,
            action: e.action.code(),
            by: e.by.as_deref(),
            comment: e.comment.as_deref(),
        }
    }
}

/// A step of the task itself (assigned, changed), as the overview lists it.
#[derive(Serialize)]
struct TaskStep {
    sort: i64,
    at: String,
    what: String,
    by: Option<String>,
}

/// One line of the overview's history: the task's own or its result's.
#[derive(Serialize)]
#[serde(untagged)]
enum Happened<'a> {
    /// The task was assigned or changed.
    Task(TaskStep),
    /// Its result was sent, returned, accepted or reopened.
    Review(ReviewStep<'a>),
}

impl Happened<'_> {
    /// When it happened, for putting the lines in time order.
    fn sort(&self) -> i64 {
        match self {
            Happened::Task(e) => e.sort,
            Happened::Review(e) => e.sort,
        }
    }
}

/// What the overview shows of a task.
#[derive(Serialize)]
pub(crate) struct Overview<'a> {
    lead: Option<String>,
    cooperating: Vec<String>,
    standing: Word,
    due: Option<String>,
    events: Vec<Happened<'a>>,
    edit: Option<String>,
    review: Option<String>,
}

/// The overview for people who do not report on the task (office, signer, viewer,
/// administrator); `None` for a unit officer, whose page is the report form.
pub(crate) async fn overview<'a>(
    c: &Ctx,
    t: &Task,
    result: Option<&TaskResult>,
    history: &[ReviewStep<'a>],
) -> Result<Option<Overview<'a>>> {
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
    let today = c.today();
    let standing = figures::standing(t, result, today);
    let due = t
        .data
        .deadline
        .filter(|_| !matches!(standing, Standing::Accepted | Standing::Submitted))
        .map(|d| crate::domain::format::due_words(d.0, today));
    // The task's own events and its result's, in time order.
    let mut events: Vec<Happened> = task_history::task_history(&c.state.db, &c.actor, t.id)
        .await?
        .into_iter()
        .map(|e| {
            let at = super::view::vn_time(e.at);
            Happened::Task(TaskStep { sort: e.at.timestamp(), at, what: e.action_label, by: e.by })
        })
        .collect();
    events.extend(history.iter().cloned().map(Happened::Review));
    events.sort_by_key(Happened::sort);
    let office = c.is(&[Role::Office, Role::Admin]);
    let review =
        result.filter(|r| office && r.data.state.as_deref() == Some("submitted")).map(|r| format!("/review/{}", r.id));
    Ok(Some(Overview {
        lead,
        cooperating,
        standing: Word::of(standing),
        due,
        events,
        edit: office.then(|| format!("/tasks/{}/edit", t.id)),
        review,
    }))
}
