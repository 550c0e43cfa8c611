//! Wiring: the database, the router (API, docs, health) and the server loop.

use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::listener::TcpListener;
use poem::middleware::Tracing;
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Response, Route, Server, handler};

use crate::config::Settings;
use crate::http::api::{self, health};
use crate::http::error::catch_all;
use crate::storage::Db;

/// Opens the configured database and applies migrations.
pub async fn connect(settings: &Settings) -> Result<Db, sea_orm::DbErr> {
    Db::connect(
        &settings.database_url(),
        settings.database.max_connections,
        Duration::from_secs(settings.database.acquire_timeout_secs),
    )
    .await
}

#[handler]
async fn healthz(db: Data<&Db>) -> Response {
    match health::check(&db).await {
        health::HealthResponse::Ok(j) => j.into_response(),
        health::HealthResponse::Unavailable(j) => {
            j.with_status(poem::http::StatusCode::SERVICE_UNAVAILABLE).into_response()
        }
    }
}

/// The whole HTTP application: `/api/v1/…`, `/api/openapi.json`, `/api/docs`, `/healthz`.
pub fn router(db: Db) -> BoxEndpoint<'static> {
    let api = api::service(db.clone());
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .nest("/api/v1", api)
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .at("/healthz", poem::get(healthz).data(db))
        .catch_all_error(catch_all)
        .with(Tracing)
        .boxed()
}

/// The OpenAPI document as JSON (for `nhiemvu openapi` and the docs snapshot).
pub fn openapi_json(db: Db) -> String {
    api::service(db).spec()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(settings: &Settings, db: Db) -> std::io::Result<()> {
    let addr = format!("{}:{}", settings.server.host, settings.server.port);
    tracing::info!(%addr, "listening; API docs at /api/docs");
    Server::new(TcpListener::bind(addr))
        .run_with_graceful_shutdown(router(db), shutdown_signal(), Some(Duration::from_secs(10)))
        .await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
