//! The JSON API: one `XxxApi` struct per resource, each holding the database
//! handle, so missing state is a compile error rather than a runtime lookup.

mod audit;
mod auth;
mod documents;
mod evidence;
mod follow_ups;
pub mod health;
mod issuers;
mod keys;
mod outbox;
mod plans;
mod results;
mod sheets;
mod tasks;
mod units;

use poem::Request;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, OpenApiService, Tags, payload::Json};

use crate::http::ApiError;
use crate::http::auth::{self as authn, Auth};
use crate::state::AppState;
use crate::storage::audit::Actor;

/// API groups shown in the docs.
#[derive(Tags)]
pub enum Tag {
    /// Issuing bodies, units, users and rubrics.
    Organisation,
    /// Plans, groups, tasks, targets, results and proposals.
    Plans,
    /// Documents to be issued.
    Documents,
    /// Logging in, sessions, API tokens.
    Auth,
    /// Service health.
    Health,
}

/// 201 with the created record.
#[derive(ApiResponse)]
pub enum Created<T: ParseFromJSON + ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// A read that clients poll: 200 with the record and its `ETag`, or 304 without a
/// body when the client's copy (`If-None-Match`) is still current. The tag changes
/// with every write and differs between callers who see different records.
#[derive(ApiResponse)]
pub enum Fresh<T: ParseFromJSON + ToJSON> {
    /// The record.
    #[oai(status = 200)]
    Ok(
        KeptJson<T>,
        /// The version of this answer, for `If-None-Match`.
        #[oai(header = "ETag")]
        String,
        /// `private, no-cache`: keep it, but ask again before using it.
        #[oai(header = "Cache-Control")]
        String,
    ),
    /// The copy the client has is current.
    #[oai(status = 304)]
    NotModified(
        /// The version the client has.
        #[oai(header = "ETag")]
        String,
    ),
}

impl<T: ParseFromJSON + ToJSON> Fresh<T> {
    /// The answer to `req` for the kept read `v`; its JSON is written once per version.
    pub fn of(state: &AppState, req: &Request, v: crate::storage::cache::Versioned<T>) -> Fresh<T> {
        if if_none_match(req, &v.etag) {
            return Fresh::NotModified(v.etag);
        }
        let json = state.db.rendition(&v, || serde_json::to_vec(&v.value.to_json()).unwrap_or_default());
        Fresh::Ok(KeptJson(json, std::marker::PhantomData), v.etag, "private, no-cache".to_owned())
    }
}

/// A JSON body written once and kept with its read; documented as `T`.
pub struct KeptJson<T>(std::sync::Arc<[u8]>, std::marker::PhantomData<fn() -> T>);

impl<T: poem_openapi::types::Type> poem_openapi::payload::Payload for KeptJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
    }
}

impl<T: Send> poem::IntoResponse for KeptJson<T> {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(poem::Body::from_vec(self.0.to_vec()))
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` matches anything).
fn if_none_match(req: &Request, etag: &str) -> bool {
    req.headers().get_all("if-none-match").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
    })
}

/// A mail was queued in the outbox; the dispatcher sends it.
#[derive(ApiResponse)]
pub enum Queued {
    /// Queued.
    #[oai(status = 202)]
    Queued,
}

/// 204 after a delete.
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

/// The caller of a request, authenticated (and CSRF-checked for browser changes).
pub(crate) async fn who(state: &AppState, auth: &Auth, req: &Request) -> Result<Actor, ApiError> {
    Ok(authn::actor(&state.db, auth, req).await?)
}

/// All resource APIs, for the OpenAPI service.
pub type Apis = (
    (health::HealthApi, auth::AuthApi, audit::AuditApi),
    issuers::IssuerApi,
    units::UnitApi,
    units::UserApi,
    units::RubricApi,
    plans::PlanApi,
    plans::GroupApi,
    plans::ProposalApi,
    tasks::TaskApi,
    tasks::TargetApi,
    results::ResultApi,
    (documents::DocumentApi, evidence::EvidenceApi, outbox::OutboxApi, keys::KeyApi),
    (sheets::SheetApi, sheets::CalendarApi, follow_ups::FollowUpApi),
);

/// Builds the OpenAPI service over every resource API, served under `/api/v1`.
pub fn service(state: AppState) -> OpenApiService<Apis, ()> {
    let s = || state.clone();
    let apis = (
        (health::HealthApi { db: state.db.clone() }, auth::AuthApi { state: s() }, audit::AuditApi { state: s() }),
        issuers::IssuerApi { state: s() },
        units::UnitApi { state: s() },
        units::UserApi { state: s() },
        units::RubricApi { state: s() },
        plans::PlanApi { state: s() },
        plans::GroupApi { state: s() },
        plans::ProposalApi { state: s() },
        tasks::TaskApi { state: s() },
        tasks::TargetApi { state: s() },
        results::ResultApi { state: s() },
        (
            documents::DocumentApi { state: s() },
            evidence::EvidenceApi { state: s() },
            outbox::OutboxApi { state: s() },
            keys::KeyApi { state: s() },
        ),
        (sheets::SheetApi { state: s() }, sheets::CalendarApi { state: s() }, follow_ups::FollowUpApi { state: s() }),
    );
    OpenApiService::new(apis, "nhiemvu", env!("CARGO_PKG_VERSION"))
        .description("Nhiệm vụ trọng tâm: the key-task register of a People's Committee and its official documents.")
        .server("/api/v1")
}
