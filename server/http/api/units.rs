//! `/units`, `/users` and `/rubrics`: who does the work and how it is rated.

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Queued, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::{Page, Paging, Rubric, RubricInput, Unit, UnitInput, User, UserInput};
use crate::services::units::UnitFilter;
use crate::services::{accounts, now, rubrics, units, users};
use crate::state::AppState;

/// Unit API.
pub struct UnitApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl UnitApi {
    /// Create a unit (department or commune).
    #[oai(path = "/units", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<UnitInput>) -> ApiResult<Created<Unit>> {
        Ok(Created::Created(Json(
            units::create_unit(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List units, by short name; filter by issuer and kind.
    #[oai(path = "/units", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        issuer_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 64))] kind: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Unit>>> {
        let filter = UnitFilter { issuer_id: issuer_id.0, kind: kind.0 };
        Ok(Json(
            units::list_units(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                filter,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one unit.
    #[oai(path = "/units/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Unit>> {
        Ok(Json(units::get_unit(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a unit's fields.
    #[oai(path = "/units/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<UnitInput>,
    ) -> ApiResult<Json<Unit>> {
        Ok(Json(units::update_unit(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Deactivate a unit that has history: it stays in every record but is no longer
    /// offered for new tasks or users. Deactivating it again changes nothing.
    #[oai(path = "/units/:id/deactivation", method = "post")]
    async fn deactivate(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Unit>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(units::set_unit_active(&self.state.db, &actor, now(), id.0, false).await?))
    }

    /// Bring a deactivated unit back.
    #[oai(path = "/units/:id/deactivation", method = "delete")]
    async fn reactivate(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Unit>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(units::set_unit_active(&self.state.db, &actor, now(), id.0, true).await?))
    }

    /// Delete a unit; refused (409) while it leads or co-operates on tasks.
    #[oai(path = "/units/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        units::delete_unit(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// User API.
pub struct UserApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl UserApi {
    /// Create a user.
    #[oai(path = "/users", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<UserInput>) -> ApiResult<Created<User>> {
        Ok(Created::Created(Json(
            users::create_user(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List users; filter by issuer, unit and role.
    #[oai(path = "/users", method = "get")]
    // poem-openapi takes each documented query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        issuer_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 64))] role: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<User>>> {
        Ok(Json(
            users::list_users(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                issuer_id.0,
                unit_id.0,
                role.0,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one user.
    #[oai(path = "/users/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<User>> {
        Ok(Json(users::get_user(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a user's fields.
    #[oai(path = "/users/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<UserInput>,
    ) -> ApiResult<Json<User>> {
        Ok(Json(users::update_user(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Mail the user an invitation: a one-time link, good for seven days, to set
    /// their password. Earlier links stay good until used or expired; using any of
    /// them ends them all.
    #[oai(path = "/users/:id/invitation", method = "post")]
    async fn invite(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Queued> {
        let actor = who(&self.state, &auth, req).await?;
        accounts::invite(&self.state.db, &actor, now(), &self.state.public_url, id.0).await?;
        Ok(Queued::Queued)
    }

    /// Deactivate a user: they keep their place in every record but can no longer
    /// log in; their sessions, tokens and open links end at once. Not oneself.
    #[oai(path = "/users/:id/deactivation", method = "post")]
    async fn deactivate(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<User>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(accounts::set_user_active(&self.state.db, &actor, now(), id.0, false).await?))
    }

    /// Let a deactivated user log in again (with their old password, or through a
    /// new invitation).
    #[oai(path = "/users/:id/deactivation", method = "delete")]
    async fn reactivate(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<User>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(accounts::set_user_active(&self.state.db, &actor, now(), id.0, true).await?))
    }

    /// Delete a user.
    #[oai(path = "/users/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        users::delete_user(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// Rubric API.
pub struct RubricApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl RubricApi {
    /// Create a rubric: bands covering 0–100 with no gap or overlap.
    #[oai(path = "/rubrics", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<RubricInput>) -> ApiResult<Created<Rubric>> {
        Ok(Created::Created(Json(
            rubrics::create_rubric(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List rubrics; filter by issuer.
    #[oai(path = "/rubrics", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        issuer_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Rubric>>> {
        Ok(Json(
            rubrics::list_rubrics(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                issuer_id.0,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one rubric.
    #[oai(path = "/rubrics/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Rubric>> {
        Ok(Json(rubrics::get_rubric(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a rubric's name and bands.
    #[oai(path = "/rubrics/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<RubricInput>,
    ) -> ApiResult<Json<Rubric>> {
        Ok(Json(
            rubrics::update_rubric(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?,
        ))
    }

    /// Delete a rubric no plan uses.
    #[oai(path = "/rubrics/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        rubrics::delete_rubric(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
