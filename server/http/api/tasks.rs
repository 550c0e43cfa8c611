//! `/tasks` and `/targets`.

use chrono::NaiveDate;
use poem::web::RemoteAddr;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, actor};
use crate::http::ApiResult;
use crate::model::{Page, Paging, Target, TargetInput, Task, TaskInput};
use crate::services::tasks::TaskFilter;
use crate::services::{now, targets, tasks};
use crate::storage::Db;

/// Task API.
pub struct TaskApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Plans")]
impl TaskApi {
    /// Create a task in a group (409 when its code is already used in the plan).
    #[oai(path = "/tasks", method = "post")]
    async fn create(&self, body: Json<TaskInput>, remote: &RemoteAddr) -> ApiResult<Created<Task>> {
        Ok(Created::Created(Json(tasks::create_task(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List tasks with their targets, in plan order. Filters: plan, group, unit
    /// (leading or co-operating), deadline range, result state.
    #[oai(path = "/tasks", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        plan_id: Query<Option<Uuid>>,
        group_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        deadline_from: Query<Option<NaiveDate>>,
        deadline_to: Query<Option<NaiveDate>>,
        result_state: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Task>>> {
        let filter = TaskFilter {
            plan_id: plan_id.0,
            group_id: group_id.0,
            unit_id: unit_id.0,
            deadline_from: deadline_from.0,
            deadline_to: deadline_to.0,
            result_state: result_state.0,
        };
        Ok(Json(tasks::list_tasks(&self.db, filter, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Get one task with its targets.
    #[oai(path = "/tasks/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<Task>> {
        Ok(Json(tasks::get_task(&self.db, id.0).await?))
    }

    /// Replace a task's fields.
    #[oai(path = "/tasks/:id", method = "put")]
    async fn update(&self, id: Path<Uuid>, body: Json<TaskInput>, remote: &RemoteAddr) -> ApiResult<Json<Task>> {
        Ok(Json(tasks::update_task(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a task with its targets and result.
    #[oai(path = "/tasks/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        tasks::delete_task(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// Target API.
pub struct TargetApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Plans")]
impl TargetApi {
    /// Add a target to a task.
    #[oai(path = "/targets", method = "post")]
    async fn create(&self, body: Json<TargetInput>, remote: &RemoteAddr) -> ApiResult<Created<Target>> {
        Ok(Created::Created(Json(targets::create_target(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// The targets of a task, in order.
    #[oai(path = "/targets", method = "get")]
    async fn list(&self, task_id: Query<Uuid>) -> ApiResult<Json<Vec<Target>>> {
        Ok(Json(targets::list_targets(&self.db, task_id.0).await?))
    }

    /// Get one target.
    #[oai(path = "/targets/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<Target>> {
        Ok(Json(targets::get_target(&self.db, id.0).await?))
    }

    /// Replace a target's fields.
    #[oai(path = "/targets/:id", method = "put")]
    async fn update(&self, id: Path<Uuid>, body: Json<TargetInput>, remote: &RemoteAddr) -> ApiResult<Json<Target>> {
        Ok(Json(targets::update_target(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a target.
    #[oai(path = "/targets/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        targets::delete_target(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
