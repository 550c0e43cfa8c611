//! `/units`, `/users` and `/rubrics`: who does the work and how it is rated.

use poem::web::RemoteAddr;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, actor};
use crate::http::ApiResult;
use crate::model::{Page, Paging, Rubric, RubricInput, Unit, UnitInput, User, UserInput};
use crate::services::units::UnitFilter;
use crate::services::{now, rubrics, units, users};
use crate::storage::Db;

/// Unit API.
pub struct UnitApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Organisation")]
impl UnitApi {
    /// Create a unit (department or commune).
    #[oai(path = "/units", method = "post")]
    async fn create(&self, body: Json<UnitInput>, remote: &RemoteAddr) -> ApiResult<Created<Unit>> {
        Ok(Created::Created(Json(units::create_unit(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List units, by short name; filter by issuer and kind.
    #[oai(path = "/units", method = "get")]
    async fn list(
        &self,
        issuer_id: Query<Option<Uuid>>,
        kind: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Unit>>> {
        let filter = UnitFilter { issuer_id: issuer_id.0, kind: kind.0 };
        Ok(Json(units::list_units(&self.db, filter, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Get one unit.
    #[oai(path = "/units/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<Unit>> {
        Ok(Json(units::get_unit(&self.db, id.0).await?))
    }

    /// Replace a unit's fields.
    #[oai(path = "/units/:id", method = "put")]
    async fn update(&self, id: Path<Uuid>, body: Json<UnitInput>, remote: &RemoteAddr) -> ApiResult<Json<Unit>> {
        Ok(Json(units::update_unit(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a unit; refused (409) while it leads or co-operates on tasks.
    #[oai(path = "/units/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        units::delete_unit(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// User API.
pub struct UserApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Organisation")]
impl UserApi {
    /// Create a user.
    #[oai(path = "/users", method = "post")]
    async fn create(&self, body: Json<UserInput>, remote: &RemoteAddr) -> ApiResult<Created<User>> {
        Ok(Created::Created(Json(users::create_user(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List users; filter by issuer, unit and role.
    #[oai(path = "/users", method = "get")]
    async fn list(
        &self,
        issuer_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        role: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<User>>> {
        Ok(Json(users::list_users(&self.db, issuer_id.0, unit_id.0, role.0, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Get one user.
    #[oai(path = "/users/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<User>> {
        Ok(Json(users::get_user(&self.db, id.0).await?))
    }

    /// Replace a user's fields.
    #[oai(path = "/users/:id", method = "put")]
    async fn update(&self, id: Path<Uuid>, body: Json<UserInput>, remote: &RemoteAddr) -> ApiResult<Json<User>> {
        Ok(Json(users::update_user(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a user.
    #[oai(path = "/users/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        users::delete_user(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

/// Rubric API.
pub struct RubricApi {
    /// Database handle.
    pub db: Db,
}

#[OpenApi(tag = "Tag::Organisation")]
impl RubricApi {
    /// Create a rubric: bands covering 0–100 with no gap or overlap.
    #[oai(path = "/rubrics", method = "post")]
    async fn create(&self, body: Json<RubricInput>, remote: &RemoteAddr) -> ApiResult<Created<Rubric>> {
        Ok(Created::Created(Json(rubrics::create_rubric(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List rubrics; filter by issuer.
    #[oai(path = "/rubrics", method = "get")]
    async fn list(
        &self,
        issuer_id: Query<Option<Uuid>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Rubric>>> {
        Ok(Json(rubrics::list_rubrics(&self.db, issuer_id.0, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Get one rubric.
    #[oai(path = "/rubrics/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<Rubric>> {
        Ok(Json(rubrics::get_rubric(&self.db, id.0).await?))
    }

    /// Replace a rubric's name and bands.
    #[oai(path = "/rubrics/:id", method = "put")]
    async fn update(&self, id: Path<Uuid>, body: Json<RubricInput>, remote: &RemoteAddr) -> ApiResult<Json<Rubric>> {
        Ok(Json(rubrics::update_rubric(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a rubric no plan uses.
    #[oai(path = "/rubrics/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        rubrics::delete_rubric(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
