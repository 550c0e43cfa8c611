//! `/tasks` and `/targets`.

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Fresh, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::{Page, Paging, ReasonInput, Target, TargetInput, Task, TaskInput};
use crate::services::tasks::TaskFilter;
use crate::services::{now, targets, tasks};
use crate::state::AppState;

/// Task API.
pub struct TaskApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl TaskApi {
    /// Create a task in a group (409 when its code is already used in the plan).
    #[oai(path = "/tasks", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<TaskInput>) -> ApiResult<Created<Task>> {
        Ok(Created::Created(Json(
            tasks::create_task(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List tasks with their targets, in plan order. Filters: plan, group, unit
    /// (leading or co-operating), deadline range, result state; `archived=true`
    /// lists the archived tasks instead of the live ones.
    #[oai(path = "/tasks", method = "get")]
    // poem-openapi takes each documented query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        plan_id: Query<Option<Uuid>>,
        group_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        deadline_from: Query<Option<crate::model::Date>>,
        deadline_to: Query<Option<crate::model::Date>>,
        #[oai(validator(max_length = 64))] result_state: Query<Option<String>>,
        archived: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Fresh<Page<Task>>> {
        let filter = TaskFilter {
            plan_id: plan_id.0,
            group_id: group_id.0,
            unit_id: unit_id.0,
            deadline_from: deadline_from.0.map(Into::into),
            deadline_to: deadline_to.0.map(Into::into),
            result_state: result_state.0,
            archived: archived.0.unwrap_or(false),
        };
        let actor = who(&self.state, &auth, req).await?;
        let v = tasks::list_tasks_versioned(&self.state.db, &actor, filter, Paging::new(page.0, per_page.0)?).await?;
        Ok(Fresh::of(&self.state, req, v))
    }

    /// Get one task with its targets.
    #[oai(path = "/tasks/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Fresh<Task>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Fresh::of(&self.state, req, tasks::get_task_versioned(&self.state.db, &actor, id.0).await?))
    }

    /// Replace a task's fields.
    #[oai(path = "/tasks/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<TaskInput>,
    ) -> ApiResult<Json<Task>> {
        Ok(Json(tasks::update_task(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Delete a task with its targets and result.
    #[oai(path = "/tasks/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        tasks::delete_task(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// Archive a task, with the reason: it keeps its result, evidence and history
    /// but leaves the task lists, figures, report, reminders and next year's copy.
    /// For a task that was reported on and so cannot be deleted.
    #[oai(path = "/tasks/:id/archive", method = "post")]
    async fn archive(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ReasonInput>,
    ) -> ApiResult<Json<Task>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(tasks::archive_task(&self.state.db, &actor, now(), id.0, &body.0.reason).await?))
    }

    /// Restore an archived task into the plan.
    #[oai(path = "/tasks/:id/archive", method = "delete")]
    async fn restore(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Task>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(tasks::restore_task(&self.state.db, &actor, now(), id.0).await?))
    }
}

/// Target API.
pub struct TargetApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl TargetApi {
    /// Add a target to a task.
    #[oai(path = "/targets", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<TargetInput>) -> ApiResult<Created<Target>> {
        Ok(Created::Created(Json(
            targets::create_target(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// The targets of a task, in order.
    #[oai(path = "/targets", method = "get")]
    async fn list(&self, auth: Auth, req: &Request, task_id: Query<Uuid>) -> ApiResult<Json<Vec<Target>>> {
        Ok(Json(targets::list_targets(&self.state.db, &who(&self.state, &auth, req).await?, task_id.0).await?))
    }

    /// Get one target.
    #[oai(path = "/targets/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Target>> {
        Ok(Json(targets::get_target(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a target's fields.
    #[oai(path = "/targets/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<TargetInput>,
    ) -> ApiResult<Json<Target>> {
        Ok(Json(
            targets::update_target(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?,
        ))
    }

    /// Delete a target.
    #[oai(path = "/targets/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        targets::delete_target(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
