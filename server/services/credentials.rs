//! What signing in, sessions and passwords share: the secrets and their hashes,
//! password hashing and rules, the lengths of sessions and tokens, and opening a
//! session.
//!
//! Passwords are hashed with Argon2id. Session and token secrets are random
//! (256 bits) and stored only as SHA-256 hashes.

use crate::domain::AuditAction;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::audited;
use crate::error::{AppError, Result};
use crate::model::Session as SessionModel;
use crate::storage::audit::Actor;
use crate::storage::{Db, login_throttles, sessions, users};

/// Failed logins allowed before the account is locked.
pub const FREE_ATTEMPTS: i32 = 5;
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;
/// A browser session ends after this long without a request (each request
/// extends it, up to [`SESSION_HOURS`] after login).
pub const SESSION_IDLE_MINUTES: i64 = 120;
/// How long the browser keeps the session cookie: beyond the session's end, so a
/// form posted after it expired is recognised and what was typed is kept.
pub const COOKIE_SECS: i64 = SESSION_HOURS * 3600 + 7 * 86_400;
/// A form posted this long after its session expired is still kept as a draft.
pub(crate) const CATCH_DAYS: i64 = 7;
/// How long an API token lasts.
pub const TOKEN_DAYS: i64 = 365;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (the OpenAPI document says the same).
pub const MAX_PASSWORD: usize = 1024;
/// Longest login name looked at (longer input is cut before it is stored).
pub const MAX_LOGIN_NAME: usize = 64;

/// The two kinds of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A browser session (cookie + CSRF token).
    Browser,
    /// An API token (bearer).
    Api,
}

impl Kind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Kind::Browser => "browser",
            Kind::Api => "api",
        }
    }
}

/// 256 random bits as hex (two v4 UUIDs come from the operating system's CSPRNG).
pub(crate) fn secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id hash of a password, in PHC string form.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(Uuid::new_v4().as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a new password's length (Vietnamese / English message on the field).
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() > MAX_PASSWORD {
        return Err(AppError::field(
            "password",
            format!("Mật khẩu tối đa {MAX_PASSWORD} ký tự / the password may have at most {MAX_PASSWORD} characters"),
        ));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::field(
            "password",
            format!(
                "Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / the password needs at least {MIN_PASSWORD} characters"
            ),
        ));
    }
    Ok(())
}

/// Lock time after `failures` failed logins: none for the first few, then doubling.
pub fn lockout(failures: i32) -> Option<Duration> {
    let over = failures - FREE_ATTEMPTS;
    (over >= 0).then(|| Duration::minutes((1i64 << over.min(11)).min(24 * 60)))
}

/// The throttle key of a login name: trimmed and lower-cased, whether or not a user has it.
pub(crate) fn throttle_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(MAX_LOGIN_NAME).collect()
}

pub(crate) fn actor_of(user: &users::Model, client_addr: Option<String>) -> Actor {
    Actor {
        user_id: Some(user.id),
        client_addr,
        role: Some(user.role),
        issuer_id: Some(user.issuer_id),
        unit_id: user.unit_id,
        server_admin: user.server_admin,
        seen_rev: None,
    }
}

/// A new browser session: the cookie secret, its CSRF token, and who logged in.
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// What the API returns to the client.
    pub session: SessionModel,
}

/// Opens a session of `kind` for `user` (forgetting the failed logins of
/// `clear_throttle` in the same transaction); the secret and the stored row.
pub(crate) async fn open_session(
    db: &Db,
    user: &users::Model,
    kind: Kind,
    name: Option<String>,
    now: DateTime<Utc>,
    actor: &Actor,
    clear_throttle: Option<&str>,
) -> Result<(String, sessions::Model)> {
    let token = secret();
    let expires = match kind {
        Kind::Browser => now + Duration::minutes(SESSION_IDLE_MINUTES),
        Kind::Api => now + Duration::days(TOKEN_DAYS),
    };
    let txn = db.begin_write().await?;
    if let Some(name) = clear_throttle {
        login_throttles::remove(&*txn, name).await?;
    }
    let m = sessions::Model {
        id: Uuid::now_v7(),
        user_id: user.id,
        token_hash: digest(&token),
        kind: kind.code().to_owned(),
        name,
        csrf_token: secret(),
        created_at: now,
        expires_at: expires,
        revoked_at: None,
    };
    let m = sessions::insert(&*txn, m).await?;
    let action = if kind == Kind::Browser { AuditAction::Login } else { AuditAction::CreateToken };
    audited(&*txn, actor, now, super::Change::of(action, "sessions", m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok((token, m))
}

pub(crate) fn session_model(user: &users::Model, s: &Live) -> SessionModel {
    SessionModel {
        user_id: user.id,
        username: user.username.clone(),
        name: user.name.clone(),
        role: user.role,
        issuer_id: user.issuer_id,
        unit_id: user.unit_id,
        server_admin: user.server_admin,
        csrf_token: s.csrf_token.clone(),
        expires_at: s.expires_at,
    }
}

/// A session as the web and API layers see it (never the stored row).
#[derive(Debug, Clone)]
pub struct Live {
    /// The session's id (the token's id for API tokens).
    pub id: Uuid,
    /// Whose it is.
    pub user_id: Uuid,
    /// The token every form and unsafe request of this session carries.
    pub csrf_token: String,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it ends unless used again.
    pub expires_at: DateTime<Utc>,
    /// The user's full name (empty where the user was not read).
    pub user_name: String,
    /// The user's login name.
    pub username: String,
}

impl From<sessions::Model> for Live {
    fn from(s: sessions::Model) -> Live {
        Live {
            id: s.id,
            user_id: s.user_id,
            csrf_token: s.csrf_token,
            created_at: s.created_at,
            expires_at: s.expires_at,
            user_name: String::new(),
            username: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_after_the_free_attempts_and_doubles() {
        assert_eq!(lockout(4), None);
        assert_eq!(lockout(5), Some(Duration::minutes(1)));
        assert_eq!(lockout(6), Some(Duration::minutes(2)));
        assert_eq!(lockout(9), Some(Duration::minutes(16)));
        assert_eq!(lockout(40), Some(Duration::minutes(24 * 60)));
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let h = hash_password("mật khẩu rất dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu rất dài", &h));
        assert!(!verify_password("mật khẩu khác", &h));
    }
}
