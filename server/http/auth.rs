//! Who is calling: a bearer API token, or a browser session cookie whose changes
//! must carry the session's CSRF token in `X-CSRF-Token`.

use poem::Request;
use poem::http::Method;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};

use crate::error::AppError;
use crate::services::{auth, now};
use crate::storage::Db;
use crate::storage::audit::Actor;

/// Name of the session cookie.
pub const COOKIE: &str = "nhiemvu_session";

/// An API token: `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct TokenAuth(pub Bearer);

/// A browser session: the `nhiemvu_session` cookie set by `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "nhiemvu_session", key_in = "cookie")]
pub struct CookieAuth(pub ApiKey);

/// Either credential.
#[derive(SecurityScheme)]
pub enum Auth {
    /// API token.
    Token(TokenAuth),
    /// Browser session.
    Cookie(CookieAuth),
}

/// Resolves the caller, checking the CSRF token of browser requests that change things.
pub async fn actor(db: &Db, auth: &Auth, req: &Request) -> Result<Actor, AppError> {
    Ok(session(db, auth, req).await?.0)
}

/// The caller and their session (for logout and `GET /auth/session`).
pub async fn session(db: &Db, auth: &Auth, req: &Request) -> Result<(Actor, crate::services::auth::Live), AppError> {
    let (token, kind) = match auth {
        Auth::Token(t) => (t.0.token.as_str(), auth::Kind::Api),
        Auth::Cookie(c) => (c.0.key.as_str(), auth::Kind::Browser),
    };
    let (mut actor, session) = auth::authenticate(db, now(), token, kind).await?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        actor.seen_rev = None;
    }
    if kind == auth::Kind::Browser && !safe {
        let sent = req.header("x-csrf-token").unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(AppError::CsrfRejected);
        }
    }
    actor.client_addr = Some(req.remote_addr().to_string());
    Ok((actor, session))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
