//! The unit's inbox: the tasks it leads or co-operates on, soonest deadline first,
//! and the explanation requests and directions waiting for its answer.

use chrono::NaiveDate;
use poem::handler;
use poem::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::records::{current_plan, snapshot, standing};
use super::results::state_label;
use super::view::{Api, vn_day};
use super::{Ctx, Page};
use crate::model::{Plan, Task};

/// The unit's inbox: the tasks it leads or co-operates on, soonest deadline first.
#[derive(Serialize, Default)]
struct InboxView<'a> {
    plan: Option<Api<'a, Plan>>,
    unit: Option<&'a str>,
    tasks: Vec<InboxRow<'a>>,
    awaiting: Vec<super::urging::AwaitLine>,
}

/// One task of the inbox.
#[derive(Serialize)]
struct InboxRow<'a> {
    id: Uuid,
    code: &'a str,
    text: &'a str,
    lead: bool,
    deadline: Option<String>,
    state: &'static str,
    state_code: Option<&'a str>,
    standing: &'static str,
    /// The chip says it in words too, not by colour alone.
    due: Option<String>,
    comment: Option<&'a str>,
}

/// `GET /inbox`.
#[handler]
pub(crate) async fn inbox(c: Ctx) -> Page {
    let Some(plan) = current_plan(&c, None).await? else {
        return Ok(c.page("inbox.html", StatusCode::OK, InboxView::default()));
    };
    let s = snapshot(&c, plan, c.actor.unit_id).await?;
    let today = c.today();
    let mut mine: Vec<&Task> = s.tasks.iter().collect();
    mine.sort_by_key(|t| t.data.deadline.map_or(NaiveDate::MAX, |d| d.0));
    let rows = mine
        .into_iter()
        .map(|t| {
            let r = s.results.get(&t.id);
            let st = r.and_then(|r| r.data.state.as_deref());
            InboxRow {
                id: t.id,
                code: &t.data.code,
                text: &t.data.text,
                lead: t.data.lead_unit_id == c.actor.unit_id && c.actor.unit_id.is_some(),
                deadline: t.data.deadline.map(|d| vn_day(d.0)),
                state: state_label(st.and_then(|s| s.parse().ok())),
                state_code: st,
                standing: standing(t, r, today),
                due: t
                    .data
                    .deadline
                    .filter(|_| !matches!(st, Some("accepted" | "submitted")))
                    .map(|d| crate::domain::format::due_words(d.0, today)),
                comment: r.and_then(|r| r.review_comment.as_deref()).filter(|_| st == Some("returned")),
            }
        })
        .collect();
    let unit = c.actor.unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.as_str());
    Ok(c.page(
        "inbox.html",
        StatusCode::OK,
        InboxView { plan: Some(Api(&s.plan)), unit, tasks: rows, awaiting: super::urging::awaiting(&c).await? },
    ))
}
