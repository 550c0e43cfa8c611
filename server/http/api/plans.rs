//! `/plans`, `/groups` and `/proposals`.

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
use crate::model::{
    CarryForward, Group, GroupInput, Page, Paging, Plan, PlanFigures, PlanInput, Proposal, ProposalInput,
};
use crate::services::{figures, groups, now, plans, proposals};
use crate::state::AppState;

/// Plan API.
pub struct PlanApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl PlanApi {
    /// Create a plan (one per issuer and year; 409 for a second).
    #[oai(path = "/plans", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<PlanInput>) -> ApiResult<Created<Plan>> {
        Ok(Created::Created(Json(
            plans::create_plan(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List plans, newest year first; filter by issuer and year.
    #[oai(path = "/plans", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        issuer_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1900"), maximum(value = "2200")))] year: Query<Option<i32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Plan>>> {
        Ok(Json(
            plans::list_plans(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                issuer_id.0,
                year.0,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one plan.
    #[oai(path = "/plans/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Fresh<Plan>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Fresh::of(&self.state, req, plans::get_plan_versioned(&self.state.db, &actor, id.0).await?))
    }

    /// Where the plan's tasks stand today (the dashboard's figures): per lead unit, per
    /// group, in all, and the overdue tasks, the longest overdue first. A unit officer
    /// sees the tasks their unit takes part in.
    #[oai(path = "/plans/:id/figures", method = "get")]
    async fn figures(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Fresh<PlanFigures>> {
        let actor = who(&self.state, &auth, req).await?;
        let v = figures::plan_figures_versioned(&self.state.db, &actor, id.0, self.state.clock.today()).await?;
        Ok(Fresh::of(&self.state, req, v))
    }

    /// Replace a plan's fields.
    #[oai(path = "/plans/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<PlanInput>,
    ) -> ApiResult<Json<Plan>> {
        Ok(Json(plans::update_plan(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Delete a plan with its groups, tasks, targets, results and proposals.
    #[oai(path = "/plans/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        plans::delete_plan(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// Start next year's plan as a copy of this one: groups, tasks with their active
    /// lead and co-operating units, targets (this year's value as the new baseline) and
    /// deadlines a year later. 409 `duplicate_plan_year` when next year's plan exists.
    #[oai(path = "/plans/:id/copy-forward", method = "post")]
    async fn copy_forward(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Created<CarryForward>> {
        Ok(Created::Created(Json(
            plans::copy_forward(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?,
        )))
    }

    /// Turn the plan's proposals into next year's draft plan (tasks without deadlines).
    #[oai(path = "/plans/:id/carry-forward", method = "post")]
    async fn carry_forward(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Created<CarryForward>> {
        Ok(Created::Created(Json(
            plans::carry_forward(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?,
        )))
    }
}

/// Task group API.
pub struct GroupApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl GroupApi {
    /// Add a group to a plan.
    #[oai(path = "/groups", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<GroupInput>) -> ApiResult<Created<Group>> {
        Ok(Created::Created(Json(
            groups::create_group(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// The groups of a plan, in order.
    #[oai(path = "/groups", method = "get")]
    async fn list(&self, auth: Auth, req: &Request, plan_id: Query<Uuid>) -> ApiResult<Json<Vec<Group>>> {
        Ok(Json(groups::list_groups(&self.state.db, &who(&self.state, &auth, req).await?, plan_id.0).await?))
    }

    /// Get one group.
    #[oai(path = "/groups/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Group>> {
        Ok(Json(groups::get_group(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a group's title and position.
    #[oai(path = "/groups/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<GroupInput>,
    ) -> ApiResult<Json<Group>> {
        Ok(Json(groups::update_group(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Delete a group with its tasks.
    #[oai(path = "/groups/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        groups::delete_group(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// Proposal API.
pub struct ProposalApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl ProposalApi {
    /// Add a proposal for next year.
    #[oai(path = "/proposals", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<ProposalInput>) -> ApiResult<Created<Proposal>> {
        Ok(Created::Created(Json(
            proposals::create_proposal(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// A plan's proposals by section and position; filter by section.
    #[oai(path = "/proposals", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        plan_id: Query<Uuid>,
        #[oai(validator(max_length = 64))] section: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<Proposal>>> {
        Ok(Json(
            proposals::list_proposals(&self.state.db, &who(&self.state, &auth, req).await?, plan_id.0, section.0)
                .await?,
        ))
    }

    /// Get one proposal.
    #[oai(path = "/proposals/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Proposal>> {
        Ok(Json(proposals::get_proposal(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a proposal's fields.
    #[oai(path = "/proposals/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ProposalInput>,
    ) -> ApiResult<Json<Proposal>> {
        Ok(Json(
            proposals::update_proposal(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0)
                .await?,
        ))
    }

    /// Delete a proposal.
    #[oai(path = "/proposals/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        proposals::delete_proposal(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
