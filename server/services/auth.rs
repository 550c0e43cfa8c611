//! Logging in and out, browser sessions, API tokens and passwords.
//!
//! Passwords are hashed with Argon2id. Session and token secrets are random
//! (256 bits) and stored only as SHA-256 hashes. Repeated failed logins lock the
//! account for a growing time (1, 2, 4 … minutes, at most a day).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::check_scope;
use super::{audited, not_found};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{ApiToken, NewApiToken, Session as SessionModel};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{sessions, users};

/// Failed logins allowed before the account is locked.
pub const FREE_ATTEMPTS: i32 = 5;
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;
/// How long an API token lasts.
pub const TOKEN_DAYS: i64 = 365;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// The two kinds of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A browser session (cookie + CSRF token).
    Browser,
    /// An API token (bearer).
    Api,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Browser => "browser",
            Kind::Api => "api",
        }
    }
}

/// 256 random bits as hex (two v4 UUIDs come from the operating system's CSPRNG).
fn secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

fn digest(token: &str) -> String {
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

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a new password's length (Vietnamese / English message on the field).
pub fn check_password(password: &str) -> Result<()> {
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

fn actor_of(user: &users::Model, client_addr: Option<String>) -> Actor {
    Actor {
        user_id: Some(user.id),
        client_addr,
        role: user.role.parse::<Role>().ok(),
        issuer_id: Some(user.issuer_id),
        unit_id: user.unit_id,
    }
}

/// A new browser session: the cookie secret, its CSRF token, and who logged in.
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// What the API returns to the client.
    pub session: SessionModel,
}

async fn open_session(
    db: &Db,
    user: &users::Model,
    kind: Kind,
    name: Option<String>,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<(String, sessions::Model)> {
    let token = secret();
    let expires = match kind {
        Kind::Browser => now + Duration::hours(SESSION_HOURS),
        Kind::Api => now + Duration::days(TOKEN_DAYS),
    };
    let txn = db.begin_write().await?;
    let m = sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        token_hash: Set(digest(&token)),
        kind: Set(kind.code().to_owned()),
        name: Set(name),
        csrf_token: Set(secret()),
        created_at: Set(now),
        expires_at: Set(expires),
        revoked_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    let action = if kind == Kind::Browser { "login" } else { "create_token" };
    audited(&*txn, actor, now, action, "sessions", m.id, None, Some(&m)).await?;
    txn.commit().await?;
    Ok((token, m))
}

/// Logs in with a username and password; locks the account after repeated failures.
pub async fn login(
    db: &Db,
    now: DateTime<Utc>,
    username: &str,
    password: &str,
    client_addr: Option<String>,
) -> Result<NewSession> {
    let user = users::Entity::find().filter(users::Column::Username.eq(username.trim())).one(&db.conn).await?;
    let Some(user) = user else {
        // Spend the same effort as for a real account, so timing does not tell names apart.
        let _ = verify_password(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
        );
        return Err(AppError::BadCredentials);
    };
    if let Some(until) = user.locked_until
        && until > now
    {
        return Err(AppError::TooManyAttempts { retry_after_secs: (until - now).num_seconds().max(1) });
    }
    let ok = user.password_hash.as_deref().is_some_and(|h| verify_password(password, h));
    let actor = actor_of(&user, client_addr);
    if !ok {
        let failures = user.failed_logins + 1;
        let txn = db.begin_write().await?;
        let mut am: users::ActiveModel = user.clone().into();
        am.failed_logins = Set(failures);
        am.locked_until = Set(lockout(failures).map(|d| now + d));
        let after = am.update(&*txn).await?;
        audited(&*txn, &actor, now, "login_failed", "users", user.id, Some(&user), Some(&after)).await?;
        txn.commit().await?;
        return Err(AppError::BadCredentials);
    }
    if user.failed_logins > 0 || user.locked_until.is_some() {
        let mut am: users::ActiveModel = user.clone().into();
        am.failed_logins = Set(0);
        am.locked_until = Set(None);
        let txn = db.begin_write().await?;
        am.update(&*txn).await?;
        txn.commit().await?;
    }
    let (token, m) = open_session(db, &user, Kind::Browser, None, now, &actor).await?;
    Ok(NewSession { token, session: session_model(&user, &m) })
}

fn session_model(user: &users::Model, s: &sessions::Model) -> SessionModel {
    SessionModel {
        user_id: user.id,
        username: user.username.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
        issuer_id: user.issuer_id,
        unit_id: user.unit_id,
        csrf_token: s.csrf_token.clone(),
        expires_at: s.expires_at,
    }
}

/// The actor behind a secret, with its session; `Unauthorized` if unknown, expired or revoked.
pub async fn authenticate(db: &Db, now: DateTime<Utc>, token: &str, kind: Kind) -> Result<(Actor, sessions::Model)> {
    // One query: the session and its user.
    let (s, user) = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(digest(token)))
        .find_also_related(users::Entity)
        .one(&db.conn)
        .await?
        .filter(|(s, _)| s.kind == kind.code() && s.revoked_at.is_none() && s.expires_at > now)
        .ok_or(AppError::Unauthorized)?;
    let user = user.ok_or(AppError::Unauthorized)?;
    Ok((actor_of(&user, None), s))
}

/// What `GET /auth/session` shows: the user and the CSRF token of this session.
pub async fn describe(db: &Db, actor: &Actor, s: &sessions::Model) -> Result<SessionModel> {
    let user = users::Entity::find_by_id(actor.user_id.unwrap_or_default())
        .one(&db.conn)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(session_model(&user, s))
}

/// Ends a session or revokes a token.
pub async fn revoke(db: &Db, actor: &Actor, now: DateTime<Utc>, session_id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    let s = sessions::Entity::find_by_id(session_id).one(&*txn).await?.ok_or_else(|| not_found("token"))?;
    if Some(s.user_id) != actor.user_id {
        return Err(not_found("token"));
    }
    let mut am: sessions::ActiveModel = s.clone().into();
    am.revoked_at = Set(Some(now));
    let after = am.update(&*txn).await?;
    let action = if s.kind == Kind::Browser.code() { "logout" } else { "revoke_token" };
    audited(&*txn, actor, now, action, "sessions", s.id, Some(&s), Some(&after)).await?;
    txn.commit().await?;
    Ok(())
}

/// Creates an API token for the actor; the secret is shown once.
pub async fn create_token(db: &Db, actor: &Actor, now: DateTime<Utc>, name: &str) -> Result<NewApiToken> {
    if name.trim().is_empty() {
        return Err(AppError::field("name", "Đặt tên cho mã truy cập / give the token a name"));
    }
    let user = users::Entity::find_by_id(actor.user_id.ok_or(AppError::Unauthorized)?)
        .one(&db.conn)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (token, m) = open_session(db, &user, Kind::Api, Some(name.trim().to_owned()), now, actor).await?;
    Ok(NewApiToken { token, info: token_model(m) })
}

fn token_model(m: sessions::Model) -> ApiToken {
    ApiToken {
        id: m.id,
        name: m.name.unwrap_or_default(),
        created_at: m.created_at,
        expires_at: m.expires_at,
        revoked_at: m.revoked_at,
    }
}

/// The actor's API tokens, newest first.
pub async fn list_tokens(db: &Db, actor: &Actor) -> Result<Vec<ApiToken>> {
    let rows = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(actor.user_id.unwrap_or_default()))
        .filter(sessions::Column::Kind.eq(Kind::Api.code()))
        .order_by_desc(sessions::Column::Id)
        .all(&db.conn)
        .await?;
    Ok(rows.into_iter().map(token_model).collect())
}

/// Sets a password: one's own, or anyone's in scope for an administrator (or the system).
pub async fn set_password(db: &Db, actor: &Actor, now: DateTime<Utc>, user_id: Uuid, password: &str) -> Result<()> {
    let own = actor.user_id == Some(user_id);
    if !own && !matches!(actor.role, None | Some(Role::Admin)) {
        return Err(AppError::Forbidden);
    }
    check_password(password)?;
    let hash = hash_password(password)?;
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(user_id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, user.issuer_id, "user")?;
    let mut am: users::ActiveModel = user.clone().into();
    am.password_hash = Set(Some(hash));
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    // The hash never enters the audit log (the entity skips it when serialised).
    audited(&*txn, actor, now, "set_password", "users", user_id, Some(&user), Some(&after)).await?;
    txn.commit().await?;
    Ok(())
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
