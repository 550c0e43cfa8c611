//! Deadlines as offices move them: a unit's requests to extend or withdraw a task and
//! their decisions, explanation requests and directions with the unit's answers,
//! urging units (mail or công văn đôn đốc), what awaits the caller, and each issuer's
//! deadline rules.

use poem::Request;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{Created, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::{
    AnswerInput, AskInput, ChangeRequestInput, DeadlineRulesInput, DecisionInput, FollowUp, UrgeInput, UrgeOutcome,
};
use crate::services::{deadline_requests, deadline_rules, follow_up_reads, follow_ups, urging};
use crate::state::AppState;

/// Follow-up API.
pub struct FollowUpApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Plans")]
impl FollowUpApi {
    /// A task's follow-ups, oldest first: requests and their decisions, explanation
    /// requests, directions and answers, urgings and escalations, each with the
    /// sentence the task's history tells.
    #[oai(path = "/tasks/:id/follow-ups", method = "get")]
    async fn of_task(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Vec<FollowUp>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(follow_up_reads::task_follow_ups(&self.state.db, &actor, self.state.clock.today(), id.0).await?))
    }

    /// What waits for the caller: requests to decide (the office, or the chairman where
    /// the issuer's rules say so), overdue tasks told to the chairman, and for a unit
    /// officer the explanation requests and directions to answer.
    #[oai(path = "/follow-ups/awaiting", method = "get")]
    async fn awaiting(&self, auth: Auth, req: &Request) -> ApiResult<Json<Vec<FollowUp>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(follow_up_reads::awaiting(&self.state.db, &actor, self.state.clock.today()).await?))
    }

    /// Ask for a new deadline (`extension`, with `asked_on`) or for the task to be
    /// withdrawn (`withdrawal`): the lead unit's officer (or the office). One open
    /// request per task; not on an accepted or archived task.
    #[oai(path = "/tasks/:id/requests", method = "post")]
    async fn request(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ChangeRequestInput>,
    ) -> ApiResult<Created<FollowUp>> {
        let actor = who(&self.state, &auth, req).await?;
        let out =
            deadline_requests::request_change(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?;
        Ok(Created::Created(Json(out)))
    }

    /// Decide a request: approve, partly (another deadline, with a reason) or refuse
    /// (with a reason). The office decides, or only the chairman where the issuer's rules
    /// say so. The task keeps its original deadline; a withdrawn task is archived.
    #[oai(path = "/follow-ups/:id/decision", method = "post")]
    async fn decide(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<DecisionInput>,
    ) -> ApiResult<Json<FollowUp>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(deadline_requests::decide(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?))
    }

    /// Ask the task's unit for an explanation by a date, or give a direction (the office
    /// or the chairman); the unit is told by mail.
    #[oai(path = "/tasks/:id/asks", method = "post")]
    async fn ask(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<AskInput>,
    ) -> ApiResult<Created<FollowUp>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Created::Created(Json(follow_ups::ask(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?)))
    }

    /// The same for every open task a unit leads in the plan (one line per task, one mail).
    #[oai(path = "/plans/:id/units/:unit_id/asks", method = "post")]
    async fn ask_unit(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        unit_id: Path<Uuid>,
        body: StrictJson<AskInput>,
    ) -> ApiResult<Created<Vec<FollowUp>>> {
        let actor = who(&self.state, &auth, req).await?;
        let out = follow_ups::ask_unit(&self.state.db, &actor, self.state.clock.now(), id.0, unit_id.0, body.0).await?;
        Ok(Created::Created(Json(out)))
    }

    /// Answer an explanation request or reply to a direction (the lead unit's officer).
    #[oai(path = "/follow-ups/:id/answer", method = "post")]
    async fn answer(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<AnswerInput>,
    ) -> ApiResult<Json<FollowUp>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(follow_ups::answer(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?))
    }

    /// Urge units about their overdue and at-risk tasks: `mail` queues each unit's
    /// digest now; `letter` drafts a công văn đôn đốc (one for all, or `one_each`) with an
    /// appendix table per unit, to check, submit and sign. Each task named keeps a line.
    #[oai(path = "/plans/:id/urge", method = "post")]
    async fn urge(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<UrgeInput>,
    ) -> ApiResult<Json<UrgeOutcome>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(urging::urge(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?))
    }

    /// The issuer's deadline rules (defaults until changed).
    #[oai(path = "/issuers/:id/deadline-rules", method = "get")]
    async fn rules(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<DeadlineRulesInput>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(deadline_rules::get_rules(&self.state.db, &actor, id.0).await?))
    }

    /// Replace the issuer's deadline rules (its administrator).
    #[oai(path = "/issuers/:id/deadline-rules", method = "put")]
    async fn set_rules(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<DeadlineRulesInput>,
    ) -> ApiResult<Json<DeadlineRulesInput>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(deadline_rules::set_rules(&self.state.db, &actor, self.state.clock.now(), id.0, body.0).await?))
    }
}
