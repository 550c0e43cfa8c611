//! `/auth`: logging in and out, the current session, API tokens, passwords.

use poem::Request;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::Path,
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::{self, Auth, COOKIE};
use crate::http::strict::StrictJson;
use crate::model::{ApiToken, LoginInput, NewApiToken, PasswordInput, Session, TokenInput};
use crate::services::{self, now};
use crate::state::AppState;

/// Auth API.
pub struct AuthApi {
    /// Shared state.
    pub state: AppState,
}

/// A successful login: the session, and its cookie.
#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Logged in; the cookie is HttpOnly and SameSite=Strict.
    #[oai(status = 200)]
    Ok(Json<Session>, #[oai(header = "Set-Cookie")] String),
}

/// A logout: the cookie is cleared.
#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// Logged out.
    #[oai(status = 204)]
    Ok(#[oai(header = "Set-Cookie")] String),
}

impl AuthApi {
    fn cookie(&self, value: &str, max_age: i64) -> String {
        let secure = if self.state.secure_cookies { "; Secure" } else { "" };
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
    }
}

#[OpenApi(tag = "Tag::Auth")]
impl AuthApi {
    /// Log in with a username and password; repeated failures lock the account for a while.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(&self, req: &Request, body: StrictJson<LoginInput>) -> ApiResult<LoginResponse> {
        let addr = Some(req.remote_addr().to_string());
        let s = services::auth::login(&self.state.db, now(), &body.0.username, &body.0.password, addr).await?;
        let max_age = services::auth::COOKIE_SECS;
        Ok(LoginResponse::Ok(Json(s.session), self.cookie(&s.token, max_age)))
    }

    /// Log out: ends this session and clears the cookie.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(&self, auth: Auth, req: &Request) -> ApiResult<LogoutResponse> {
        let (actor, session) = auth::session(&self.state.db, &auth, req).await?;
        services::auth::revoke(&self.state.db, &actor, now(), session.id).await?;
        Ok(LogoutResponse::Ok(self.cookie("", 0)))
    }

    /// The current user and the CSRF token to send with changes.
    #[oai(path = "/auth/session", method = "get")]
    async fn session(&self, auth: Auth, req: &Request) -> ApiResult<Json<Session>> {
        let (actor, session) = auth::session(&self.state.db, &auth, req).await?;
        Ok(Json(services::auth::describe(&self.state.db, &actor, &session).await?))
    }

    /// Create an API token for the current user; its secret is shown only in this answer.
    #[oai(path = "/auth/tokens", method = "post")]
    async fn create_token(
        &self,
        auth: Auth,
        req: &Request,
        body: StrictJson<TokenInput>,
    ) -> ApiResult<Created<NewApiToken>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Created::Created(Json(services::auth::create_token(&self.state.db, &actor, now(), &body.0.name).await?)))
    }

    /// The current user's API tokens.
    #[oai(path = "/auth/tokens", method = "get")]
    async fn list_tokens(&self, auth: Auth, req: &Request) -> ApiResult<Json<Vec<ApiToken>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(services::auth::list_tokens(&self.state.db, &actor).await?))
    }

    /// Revoke one of the current user's API tokens.
    #[oai(path = "/auth/tokens/:id", method = "delete")]
    async fn revoke_token(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        let actor = who(&self.state, &auth, req).await?;
        services::auth::revoke(&self.state.db, &actor, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// Set a user's password (one's own, or any user's for an administrator).
    #[oai(path = "/users/:id/password", method = "put")]
    async fn set_password(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<PasswordInput>,
    ) -> ApiResult<Deleted> {
        let (actor, session) = auth::session(&self.state.db, &auth, req).await?;
        services::auth::set_password(&self.state.db, &actor, now(), id.0, &body.0.password, Some(session.id)).await?;
        Ok(Deleted::Deleted)
    }

    /// Set a user's signature image (transparent PNG, placed on printed documents).
    #[oai(path = "/users/:id/signature-image", method = "put")]
    async fn signature_image(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: Binary<Vec<u8>>,
    ) -> ApiResult<Deleted> {
        let actor = who(&self.state, &auth, req).await?;
        services::images::set_signature_image(&self.state.db, &self.state.files, &actor, now(), id.0, body.0).await?;
        Ok(Deleted::Deleted)
    }

    /// Set an issuer's seal image (transparent PNG, placed over the signature's left third).
    #[oai(path = "/issuers/:id/seal-image", method = "put")]
    async fn seal_image(&self, auth: Auth, req: &Request, id: Path<Uuid>, body: Binary<Vec<u8>>) -> ApiResult<Deleted> {
        let actor = who(&self.state, &auth, req).await?;
        services::images::set_seal_image(&self.state.db, &self.state.files, &actor, now(), id.0, body.0).await?;
        Ok(Deleted::Deleted)
    }
}
