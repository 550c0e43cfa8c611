//! `/results`: a task's narrative, self-score and rating.

use poem::web::RemoteAddr;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, actor};
use crate::http::ApiResult;
use crate::model::{Page, Paging, ResultInput, TaskResult};
use crate::services::{now, results};
use crate::storage::Db;

/// Result API.
pub struct ResultApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Plans")]
impl ResultApi {
    /// Create a task's result (one per task; 409 for a second).
    #[oai(path = "/results", method = "post")]
    async fn create(&self, body: Json<ResultInput>, remote: &RemoteAddr) -> ApiResult<Created<TaskResult>> {
        Ok(Created::Created(Json(results::create_result(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List results; filter by plan, task and state.
    #[oai(path = "/results", method = "get")]
    async fn list(
        &self,
        plan_id: Query<Option<Uuid>>,
        task_id: Query<Option<Uuid>>,
        state: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<TaskResult>>> {
        Ok(Json(
            results::list_results(&self.db, plan_id.0, task_id.0, state.0, Paging::new(page.0, per_page.0)?).await?,
        ))
    }

    /// Get one result.
    #[oai(path = "/results/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<TaskResult>> {
        Ok(Json(results::get_result(&self.db, id.0).await?))
    }

    /// Replace a result's fields; the rating is proposed again from the score.
    #[oai(path = "/results/:id", method = "put")]
    async fn update(
        &self,
        id: Path<Uuid>,
        body: Json<ResultInput>,
        remote: &RemoteAddr,
    ) -> ApiResult<Json<TaskResult>> {
        Ok(Json(results::update_result(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a result.
    #[oai(path = "/results/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        results::delete_result(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
