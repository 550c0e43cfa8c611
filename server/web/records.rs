//! What many pages read: the plan a page is about (the one asked for, or the newest),
//! its snapshot as the signed-in user may see it, the other years to choose from,
//! and where a task stands.

use chrono::NaiveDate;
use uuid::Uuid;

use super::Ctx;
use super::view::Choice;
use crate::error::Result;
use crate::model::{Paging, Task, TaskResult};
pub(crate) use crate::services::figures::Snapshot;
use crate::services::{figures, plans};

/// The plan named in the query, or the actor's most recent one.
pub(crate) async fn current_plan(c: &Ctx, wanted: Option<Uuid>) -> Result<Option<crate::model::Plan>> {
    if let Some(id) = wanted {
        return Ok(Some((*plans::get_plan_versioned(&c.state.db, &c.actor, id).await?.value).clone()));
    }
    // Kept while nothing changes, as the pages that ask for it are the most viewed.
    let key = crate::storage::cache::Key::new("newest_plan", &c.actor, String::new());
    let newest = c
        .state
        .db
        .cached(key, || async {
            let first = Paging { page: 1, per_page: 1 };
            let page = plans::list_plans(&c.state.db, &c.actor, c.actor.issuer_id, None, first).await?;
            Ok::<_, crate::error::AppError>(page.items.into_iter().next())
        })
        .await?;
    Ok((*newest).clone())
}

/// The plan's snapshot as `c` may see it, kept while nothing changes (see
/// `storage::cache`): the dashboard, inbox, review list, task list and plan page
/// read it on every view.
pub(crate) async fn snapshot(
    c: &Ctx,
    plan: crate::model::Plan,
    unit: Option<Uuid>,
) -> Result<std::sync::Arc<Snapshot>> {
    figures::snapshot(&c.state.db, &c.actor, plan, unit).await
}

/// Where a task stands, as its code (see `figures::standing`).
pub(crate) fn standing(t: &Task, r: Option<&TaskResult>, today: NaiveDate) -> &'static str {
    figures::standing(t, r, today).code()
}

/// The issuer's plans, newest year first, for the year selector.
pub(crate) async fn plan_choices(c: &Ctx, current: &crate::model::Plan) -> Result<Vec<Choice>> {
    let page =
        plans::list_plans(&c.state.db, &c.actor, Some(current.data.issuer_id), None, Paging { page: 1, per_page: 100 })
            .await?;
    Ok(page
        .items
        .iter()
        .map(|p| Choice { id: p.id, label: format!("Năm {}", p.data.year), selected: p.id == current.id })
        .collect())
}
