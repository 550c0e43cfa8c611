//! `/issuers`: the bodies that issue documents.

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
use crate::model::{Issuer, IssuerInput, Page, Paging};
use crate::services::{issuers as svc, now};
use crate::state::AppState;

/// Issuer API.
pub struct IssuerApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl IssuerApi {
    /// Create an issuer (its two preset rubrics are created with it).
    #[oai(path = "/issuers", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<IssuerInput>) -> ApiResult<Created<Issuer>> {
        Ok(Created::Created(Json(
            svc::create_issuer(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List issuers.
    #[oai(path = "/issuers", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Issuer>>> {
        Ok(Json(
            svc::list_issuers(&self.state.db, &who(&self.state, &auth, req).await?, Paging::new(page.0, per_page.0)?)
                .await?,
        ))
    }

    /// Get one issuer.
    #[oai(path = "/issuers/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Issuer>> {
        Ok(Json(svc::get_issuer(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace an issuer's fields.
    #[oai(path = "/issuers/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<IssuerInput>,
    ) -> ApiResult<Json<Issuer>> {
        Ok(Json(svc::update_issuer(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0).await?))
    }

    /// Delete an issuer and everything that belongs to it.
    #[oai(path = "/issuers/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        svc::delete_issuer(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}
