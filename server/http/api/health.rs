//! `GET /healthz` is mounted outside the API; this resource mirrors it in the docs.

use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::Tag;
use crate::storage::Db;

/// Health of the service.
#[derive(Debug, Object)]
pub struct Health {
    /// "ok" or "degraded".
    pub status: String,
    /// Whether the database answered.
    pub database: bool,
}

/// The health response.
#[derive(ApiResponse)]
pub enum HealthResponse {
    /// Everything answers.
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// The database does not answer.
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

/// Health API.
pub struct HealthApi {
    /// Database handle.
    pub db: Db,
}

/// Checks the database.
pub async fn check(db: &Db) -> HealthResponse {
    if db.ping().await {
        HealthResponse::Ok(Json(Health { status: "ok".into(), database: true }))
    } else {
        HealthResponse::Unavailable(Json(Health { status: "degraded".into(), database: false }))
    }
}

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// Whether the server and its database answer.
    #[oai(path = "/health", method = "get")]
    async fn health(&self) -> HealthResponse {
        check(&self.db).await
    }
}
