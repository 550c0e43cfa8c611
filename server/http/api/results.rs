//! `/results`: a task's narrative, self-score and rating.

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::{CommentInput, StepInput};
use crate::model::{Contribution, ContributionInput, Page, Paging, ResultInput, ReviewEvent, TaskResult};
use crate::services::results::Step;
use crate::services::{contributions, now, results};
use crate::state::AppState;

/// Result API.
pub struct ResultApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl ResultApi {
    /// Report on a task in one call (lead unit): the result (created or updated), the
    /// values its targets reached and, with `submit`, the step to the office — one
    /// transaction, so a refused part writes nothing.
    #[oai(path = "/tasks/:id/report", method = "put")]
    async fn report(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<crate::model::ReportInput>,
    ) -> ApiResult<Json<TaskResult>> {
        let actor = who(&self.state, &auth, req).await?;
        let b = body.0;
        let report = results::Report {
            narrative: b.narrative,
            self_score: b.self_score,
            actuals: b.actuals.into_iter().map(|a| (a.target_id, a.value)).collect(),
            submit: b.submit,
        };
        Ok(Json(results::report(&self.state.db, &actor, now(), id.0, report).await?))
    }

    /// Save the calling co-operating unit's contribution to a task ("ý kiến/kết quả
    /// phối hợp"; one per unit, replaced on each save). The office names the unit.
    #[oai(path = "/tasks/:id/contribution", method = "put")]
    async fn contribute(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ContributionInput>,
    ) -> ApiResult<Json<Contribution>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(contributions::contribute(&self.state.db, &actor, now(), id.0, body.0).await?))
    }

    /// The co-operating units' contributions to a task, oldest first.
    #[oai(path = "/tasks/:id/contributions", method = "get")]
    async fn contributions(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Vec<Contribution>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(contributions::list_for_task(&self.state.db, &actor, id.0).await?))
    }

    /// Create a task's result (one per task; 409 for a second).
    #[oai(path = "/results", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<ResultInput>) -> ApiResult<Created<TaskResult>> {
        Ok(Created::Created(Json(
            results::create_result(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List results; filter by plan, task and state.
    #[oai(path = "/results", method = "get")]
    // poem-openapi takes each documented query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        plan_id: Query<Option<Uuid>>,
        task_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 64))] state: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<TaskResult>>> {
        Ok(Json(
            results::list_results(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                plan_id.0,
                task_id.0,
                state.0,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one result.
    #[oai(path = "/results/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<TaskResult>> {
        Ok(Json(results::get_result(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// The review history of a result, oldest first: each submission, return with
    /// its comment, acceptance and reopening (from the audit trail).
    #[oai(path = "/results/:id/history", method = "get")]
    async fn history(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Vec<ReviewEvent>>> {
        Ok(Json(results::history(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a result's fields; the rating is proposed again from the score.
    #[oai(path = "/results/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ResultInput>,
    ) -> ApiResult<Json<TaskResult>> {
        Ok(Json(
            results::update_result(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?,
        ))
    }

    /// Send a draft or returned result to the office (lead unit).
    #[oai(path = "/results/:id/submit", method = "post")]
    async fn submit(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<TaskResult>> {
        self.step(auth, req, id.0, Step::Submit, None).await
    }

    /// Accept a submitted result; it is then locked (office).
    #[oai(path = "/results/:id/accept", method = "post")]
    async fn accept(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<StepInput>,
    ) -> ApiResult<Json<TaskResult>> {
        self.step(auth, req, id.0, Step::Accept, body.0.comment).await
    }

    /// Return a submitted result to the unit with a comment (office).
    #[oai(path = "/results/:id/return", method = "post")]
    async fn return_(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<CommentInput>,
    ) -> ApiResult<Json<TaskResult>> {
        self.step(auth, req, id.0, Step::Return, body.0.comment).await
    }

    /// Reopen an accepted result with a reason, returning it to the unit (office).
    #[oai(path = "/results/:id/reopen", method = "post")]
    async fn reopen(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<CommentInput>,
    ) -> ApiResult<Json<TaskResult>> {
        self.step(auth, req, id.0, Step::Reopen, body.0.comment).await
    }

    /// Delete a result.
    #[oai(path = "/results/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        results::delete_result(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

impl ResultApi {
    async fn step(
        &self,
        auth: Auth,
        req: &Request,
        id: Uuid,
        step: Step,
        comment: Option<String>,
    ) -> ApiResult<Json<TaskResult>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(results::step_result(&self.state.db, &actor, now(), id, step, comment).await?))
    }
}
