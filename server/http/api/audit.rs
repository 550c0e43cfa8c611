//! `/audit`: the audit log, for administrators.

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::{OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::{Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::model::{AuditEvent, Page, Paging};
use crate::services::audit_log::{self, AuditFilter};
use crate::state::AppState;

/// Audit API.
pub struct AuditApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl AuditApi {
    /// Audit events, newest first; filter by entity, record, actor and time.
    #[oai(path = "/audit", method = "get")]
    // poem-openapi takes each documented query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        #[oai(validator(max_length = 64))] entity: Query<Option<String>>,
        entity_id: Query<Option<Uuid>>,
        actor_id: Query<Option<Uuid>>,
        from: Query<Option<DateTime<Utc>>>,
        to: Query<Option<DateTime<Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<AuditEvent>>> {
        let actor = who(&self.state, &auth, req).await?;
        let f = AuditFilter { entity: entity.0, entity_id: entity_id.0, actor_id: actor_id.0, from: from.0, to: to.0 };
        Ok(Json(audit_log::list_audit(&self.state.db, &actor, f, Paging::new(page.0, per_page.0)?).await?))
    }
}
