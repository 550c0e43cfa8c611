//! The JSON API: one `XxxApi` struct per resource, each holding the database
//! handle, so missing state is a compile error rather than a runtime lookup.

mod documents;
pub mod health;
mod issuers;
mod plans;
mod results;
mod tasks;
mod units;

use poem::web::RemoteAddr;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, OpenApiService, Tags, payload::Json};

use crate::app::AppState;
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

/// The actor behind a request (no login yet: the client address only).
pub(crate) fn actor(remote: &RemoteAddr) -> Actor {
    Actor { user_id: None, client_addr: Some(remote.to_string()) }
}

/// All resource APIs, for the OpenAPI service.
pub type Apis = (
    health::HealthApi,
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
    documents::DocumentApi,
);

/// Builds the OpenAPI service over every resource API, served under `/api/v1`.
pub fn service(state: AppState) -> OpenApiService<Apis, ()> {
    let db = state.db;
    let apis = (
        health::HealthApi { db: db.clone() },
        issuers::IssuerApi { db: db.clone() },
        units::UnitApi { db: db.clone() },
        units::UserApi { db: db.clone() },
        units::RubricApi { db: db.clone() },
        plans::PlanApi { db: db.clone() },
        plans::GroupApi { db: db.clone() },
        plans::ProposalApi { db: db.clone() },
        tasks::TaskApi { db: db.clone() },
        tasks::TargetApi { db: db.clone() },
        results::ResultApi { db: db.clone() },
        documents::DocumentApi { db, renderer: state.renderer },
    );
    OpenApiService::new(apis, "nhiemvu", env!("CARGO_PKG_VERSION"))
        .description("Nhiệm vụ trọng tâm: the key-task register of a People's Committee and its official documents.")
        .server("/api/v1")
}
