//! `/outbox` and `/documents/{id}/deliveries`: what was sent to whom, and resending.

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::model::{OutboxMessage, Page, Paging};
use crate::services::{now, outbox};
use crate::state::AppState;

/// Outbox API.
pub struct OutboxApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Documents")]
impl OutboxApi {
    /// Queued and sent messages, newest first; filter by state. The office sees its
    /// issuer's mail, administrators all of it.
    #[oai(path = "/outbox", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        #[oai(validator(max_length = 64))] state: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<OutboxMessage>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(outbox::list_outbox(&self.state.db, &actor, state.0, None, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Delivery of an issued document, one row per address, with its status.
    #[oai(path = "/documents/:id/deliveries", method = "get")]
    async fn deliveries(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Page<OutboxMessage>>> {
        let actor = who(&self.state, &auth, req).await?;
        let paging = Paging::new(None, Some(Paging::MAX_PER_PAGE))?;
        Ok(Json(outbox::list_outbox(&self.state.db, &actor, None, Some(id.0), paging).await?))
    }

    /// Send a document to one recipient again (a new message; the old one is kept).
    #[oai(path = "/outbox/:id/resend", method = "post")]
    async fn resend(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Created<OutboxMessage>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Created::Created(Json(outbox::resend(&self.state.db, &actor, now(), id.0).await?)))
    }
}
