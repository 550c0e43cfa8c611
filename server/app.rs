//! Wiring: the database, the router (API, docs, health) and the server loop.

use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::listener::TcpAcceptor;
use poem::middleware::Tracing;
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Response, Route, Server, handler};

use std::sync::Arc;

use crate::config::Settings;
use crate::http::api::{self, health};
use crate::http::error::catch_all;
use crate::state::AppState;
use crate::storage::Db;

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
pub fn router(state: AppState) -> BoxEndpoint<'static> {
    let db = state.db.clone();
    // Room for the multipart envelope around the largest file.
    let cap = state.max_upload_bytes + 64 * 1024;
    let web = crate::web::routes(state.clone());
    let api = api::service(state);
    let spec_json = api.spec();
    crate::http::error::learn_nesting(&spec_json);
    let (stated, missing) = crate::http::spec::stated(&spec_json);
    if !missing.is_empty() {
        tracing::warn!(?missing, "text rules name fields the API document does not have");
    }
    let docs_html = api.swagger_ui_html().replace(&spec_json, &stated);
    let pages: Vec<(&str, &str)> = crate::web::ROUTES.iter().copied().chain([("/healthz", "GET")]).collect();
    let allow = Arc::new(crate::http::allow::AllowTable::new(&spec_json, "/api/v1", &pages));
    let spec = poem::get(poem::endpoint::make_sync(move |_| {
        Response::builder().content_type("application/json; charset=utf-8").body(stated.clone())
    }));
    let docs = poem::get(poem::endpoint::make_sync(move |_| poem::web::Html(docs_html.clone())));
    Route::new()
        .nest("/api/v1", api)
        .at("/api/openapi.json", spec)
        .at("/api/docs", docs)
        .at("/healthz", poem::get(healthz).data(db))
        .nest("/", web)
        .around(move |ep, req| crate::http::limit::cap_body(ep, req, cap, crate::web::plain_error_page))
        .catch_all_error(catch_all)
        .around(crate::web::not_found_page)
        .around(move |ep, req| crate::http::allow::add_allow(ep, req, allow.clone()))
        .with(Tracing)
        .boxed()
}

/// The OpenAPI document as JSON, with the text rules stated (for `nhiemvu openapi`
/// and the docs snapshot).
pub fn openapi_json(state: AppState) -> String {
    crate::http::spec::stated(&api::service(state).spec()).0
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(settings: &Settings, state: AppState) -> std::io::Result<()> {
    let addr = format!("{}:{}", settings.server.host, settings.server.port);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(%addr, "listening; API docs at /api/docs");
    serve_on(listener, (&settings.server).into(), state, shutdown_signal()).await
}

/// Serves on a bound listener with connection limits until `stop` completes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    limits: crate::http::conn::Limits,
    state: AppState,
    stop: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let acceptor = crate::http::conn::Guarded::new(TcpAcceptor::from_tokio(listener)?, limits);
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(router(state), stop, Some(Duration::from_secs(10)))
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
