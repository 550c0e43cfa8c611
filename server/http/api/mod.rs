//! The JSON API: one `XxxApi` struct per resource, each holding the database
//! handle, so missing state is a compile error rather than a runtime lookup.

mod audit;
mod auth;
mod documents;
mod evidence;
pub mod health;
mod issuers;
mod keys;
mod outbox;
mod plans;
mod results;
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
    );
    OpenApiService::new(apis, "nhiemvu", env!("CARGO_PKG_VERSION"))
        .description("Nhiệm vụ trọng tâm: the key-task register of a People's Committee and its official documents.")
        .server("/api/v1")
}
