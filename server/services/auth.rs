//! Logging in and out, browser sessions, API tokens and passwords.
//!
//! Passwords are hashed with Argon2id. Session and token secrets are random
//! (256 bits) and stored only as SHA-256 hashes. Repeated failed logins lock the
//! account for a growing time (1, 2, 4 … minutes, at most a day).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::check_scope;
use super::{audited, not_found};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{ApiToken, NewApiToken, Session as SessionModel};
use crate::storage::Db;
use crate::storage::audit::{self, Actor};
use crate::storage::entities::{login_throttles, sessions, users};

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
const CATCH_DAYS: i64 = 7;
/// How long an API token lasts.
pub const TOKEN_DAYS: i64 = 365;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (the OpenAPI document says the same).
pub const MAX_PASSWORD: usize = 1024;

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

fn verify_password(password: &str, hash: &str) -> bool {
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

pub(crate) fn actor_of(user: &users::Model, client_addr: Option<String>) -> Actor {
    Actor {
        user_id: Some(user.id),
        client_addr,
        role: user.role.parse::<Role>().ok(),
        issuer_id: Some(user.issuer_id),
        unit_id: user.unit_id,
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

async fn open_session(
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
        login_throttles::Entity::delete_by_id(name.to_owned()).exec(&*txn).await?;
    }
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

/// The throttle key of a login name: trimmed and lower-cased, whether or not a user has it.
fn throttle_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(MAX_LOGIN_NAME).collect()
}

/// Longest login name looked at (longer input is cut before it is stored).
pub const MAX_LOGIN_NAME: usize = 64;

/// Counts one attempt for `name` before its password is checked, in one write
/// transaction: the count and the lock it implies are stored first, so parallel
/// guesses cannot all pass the check (each sees the previous one's count). Fails
/// with `TooManyAttempts` while the name is locked.
async fn count_attempt(db: &Db, name: &str, now: DateTime<Utc>) -> Result<i32> {
    use sea_orm::sea_query::OnConflict;
    let txn = db.begin_write().await?;
    // Make sure the row exists, then lock it (PostgreSQL; SQLite has the writer slot).
    login_throttles::Entity::insert(login_throttles::ActiveModel {
        name: Set(name.to_owned()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(login_throttles::Column::Name).do_nothing().to_owned())
    .exec_without_returning(&*txn)
    .await?;
    let row = login_throttles::Entity::find_by_id(name.to_owned())
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::Internal("throttle row vanished".into()))?;
    if let Some(until) = row.locked_until
        && until > now
    {
        return Err(AppError::TooManyAttempts { retry_after_secs: (until - now).num_seconds().max(1) });
    }
    let failures = row.failures + 1;
    let mut am: login_throttles::ActiveModel = row.into();
    am.failures = Set(failures);
    // The lock this attempt earns if it fails, taken now so no parallel guess slips past.
    am.locked_until = Set(lockout(failures).map(|d| now + d));
    am.updated_at = Set(now);
    am.update(&*txn).await?;
    txn.commit().await?;
    Ok(failures)
}

/// Logs in with a username and password. Every attempt is counted before the
/// password is checked; after [`FREE_ATTEMPTS`] failures the name is locked for a
/// doubling time. Unknown names are counted and locked the same way, so the
/// answers never tell whether a name exists.
pub async fn login(
    db: &Db,
    now: DateTime<Utc>,
    username: &str,
    password: &str,
    client_addr: Option<String>,
) -> Result<NewSession> {
    if password.len() > 4 * MAX_PASSWORD {
        return Err(AppError::BadCredentials);
    }
    let key = throttle_key(username);
    let failures = count_attempt(db, &key, now).await?;
    let user = users::Entity::find().filter(users::Column::Username.eq(username.trim())).one(&db.conn).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = password.to_owned();
    // Argon2 takes tens of milliseconds: off the async threads. Unknown names spend
    // the same effort on a dummy hash, so timing does not tell names apart either.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = match (ok, user) {
        (true, Some(user)) if user.deactivated_at.is_some() => {
            return Err(AppError::conflict(
                "account_inactive",
                "Tài khoản đã bị khóa; hãy liên hệ quản trị viên / the account has been deactivated; ask an administrator",
            ));
        }
        (true, Some(user)) => user,
        (_, user) => {
            if let Some(user) = user {
                let actor = actor_of(&user, client_addr);
                let txn = db.begin_write().await?;
                let detail = serde_json::json!({"failures": failures});
                audit::record(
                    &*txn,
                    &actor,
                    now,
                    audit::Change {
                        action: "login_failed",
                        entity: "users",
                        entity_id: Some(user.id),
                        before: None,
                        after: Some(detail),
                    },
                )
                .await?;
                txn.commit().await?;
            }
            return Err(AppError::BadCredentials);
        }
    };
    let actor = actor_of(&user, client_addr);
    let (token, m) = open_session(db, &user, Kind::Browser, None, now, &actor, Some(&key)).await?;
    Ok(NewSession { token, session: session_model(&user, &m.into()) })
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ";

/// Removes throttle rows that no longer lock anything and were last touched over
/// a day ago (names that were mistyped once, or guessed at and given up on).
pub async fn prune_throttles(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let cutoff = now - Duration::days(1);
    let txn = db.begin_write().await?;
    let r = login_throttles::Entity::delete_many()
        .filter(login_throttles::Column::UpdatedAt.lt(cutoff))
        .filter(
            sea_orm::Condition::any()
                .add(login_throttles::Column::LockedUntil.is_null())
                .add(login_throttles::Column::LockedUntil.lt(now)),
        )
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(r.rows_affected)
}

fn session_model(user: &users::Model, s: &Live) -> SessionModel {
    SessionModel {
        user_id: user.id,
        username: user.username.clone(),
        name: user.name.clone(),
        role: user.role.clone().into(),
        issuer_id: user.issuer_id,
        unit_id: user.unit_id,
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

/// The actor behind a secret, with its session; `Unauthorized` if unknown, expired or revoked.
pub async fn authenticate(db: &Db, now: DateTime<Utc>, token: &str, kind: Kind) -> Result<(Actor, Live)> {
    let hash = digest(token);
    // Nothing written since this session was read (see `storage::watch`): it stands
    // as read, without a round trip. Ending a session, or changing or deactivating its
    // user, is audited, so it moves the revision and the session is read again.
    if let Some(rev) = db.known_revision()
        && let Some(kept) = db.sessions.get(&hash, rev)
        && usable(&kept.0, &kept.1, kind, now)
        && (kind != Kind::Browser || !extension_due(now, &kept.0))
    {
        return Ok(admit(kept.0.clone(), &kept.1, rev));
    }
    // One round trip: the session, its user and the database's revision.
    let before = db.stamp();
    let select = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(hash.as_str()))
        .find_also_related(users::Entity)
        .expr_as(sea_orm::sea_query::Expr::cust(crate::storage::cache::REVISION_SQL), "rev");
    let row =
        db.conn.query_one_raw(select.build(db.conn.get_database_backend())).await?.ok_or(AppError::Unauthorized)?;
    let s = sessions::Model::from_query_result(&row, "A_")?;
    let user = users::Model::from_query_result_optional(&row, "B_")?.ok_or(AppError::Unauthorized)?;
    let rev: i64 = row.try_get::<Option<i64>>("", "rev")?.unwrap_or(0);
    db.note_revision(before, rev);
    if !usable(&s, &user, kind, now) {
        db.sessions.forget(&hash);
        return Err(AppError::Unauthorized);
    }
    let s = if kind == Kind::Browser { extend(db, now, s).await? } else { s };
    db.sessions.put(hash, rev, std::sync::Arc::new((s.clone(), user.clone())));
    Ok(admit(s, &user, rev))
}

/// Whether a session of `kind` admits its user at `now`.
fn usable(s: &sessions::Model, user: &users::Model, kind: Kind, now: DateTime<Utc>) -> bool {
    s.kind == kind.code() && s.revoked_at.is_none() && s.expires_at > now && user.deactivated_at.is_none()
}

fn admit(s: sessions::Model, user: &users::Model, rev: i64) -> (Actor, Live) {
    let live = Live { user_name: user.name.clone(), username: user.username.clone(), ..s.into() };
    let actor = Actor { seen_rev: Some(rev), ..actor_of(user, None) };
    (actor, live)
}

/// The end a browser session moves to with activity at `now`.
fn extended_end(now: DateTime<Utc>, s: &sessions::Model) -> DateTime<Utc> {
    (now + Duration::minutes(SESSION_IDLE_MINUTES)).min(s.created_at + Duration::hours(SESSION_HOURS))
}

/// Whether activity at `now` moves a browser session's end (written every few minutes).
fn extension_due(now: DateTime<Utc>, s: &sessions::Model) -> bool {
    extended_end(now, s) - s.expires_at >= Duration::minutes(2)
}

/// Activity keeps a browser session alive: its end moves to [`SESSION_IDLE_MINUTES`]
/// from now (never past [`SESSION_HOURS`] after login). Written at most every
/// few minutes, not on every request.
async fn extend(db: &Db, now: DateTime<Utc>, s: sessions::Model) -> Result<sessions::Model> {
    if !extension_due(now, &s) {
        return Ok(s);
    }
    let wanted = extended_end(now, &s);
    sessions::Entity::update_many()
        .col_expr(sessions::Column::ExpiresAt, sea_orm::sea_query::Expr::value(wanted))
        .filter(sessions::Column::Id.eq(s.id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(sessions::Model { expires_at: wanted, ..s })
}

/// Who a browser session belonged to if it has expired (not been ended) within
/// the last few days, with its CSRF token: a form posted after the session ran
/// out is kept for that user rather than lost.
pub async fn expired_browser_session(db: &Db, now: DateTime<Utc>, token: &str) -> Result<Option<Live>> {
    let s = sessions::Entity::find().filter(sessions::Column::TokenHash.eq(digest(token))).one(&db.conn).await?;
    Ok(s.filter(|s| {
        s.kind == Kind::Browser.code()
            && s.revoked_at.is_none()
            && s.expires_at <= now
            && s.expires_at > now - Duration::days(CATCH_DAYS)
    })
    .map(Live::from))
}

/// Whether `csrf` is the CSRF token of one of `user_id`'s browser sessions of the
/// last days (live, expired or replaced by a later login): a form posted from one of
/// the user's own pages, though not from the session now behind the cookie.
pub async fn csrf_of_user(db: &Db, now: DateTime<Utc>, user_id: Uuid, csrf: &str) -> Result<bool> {
    if csrf.is_empty() {
        return Ok(false);
    }
    let found = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::CsrfToken.eq(csrf))
        .filter(sessions::Column::Kind.eq(Kind::Browser.code()))
        .filter(sessions::Column::ExpiresAt.gt(now - Duration::days(CATCH_DAYS)))
        .one(&db.conn)
        .await?;
    Ok(found.is_some())
}

/// What `GET /auth/session` shows: the user and the CSRF token of this session.
pub async fn describe(db: &Db, actor: &Actor, s: &Live) -> Result<SessionModel> {
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
    crate::error::Check::new().line("name", name, crate::domain::text::NAME).finish()?;
    let user = users::Entity::find_by_id(actor.user_id.ok_or(AppError::Unauthorized)?)
        .one(&db.conn)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (token, m) = open_session(db, &user, Kind::Api, Some(name.trim().to_owned()), now, actor, None).await?;
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

/// Sets a password: one's own, or anyone's in scope for an administrator (or the
/// system). Every other session and API token of that user ends with it (for one's
/// own change, the session making it stays), and the name's failed logins are forgotten.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: Uuid,
    password: &str,
    keep_session: Option<Uuid>,
) -> Result<()> {
    let own = actor.user_id == Some(user_id);
    if !own && !matches!(actor.role, None | Some(Role::Admin)) {
        return Err(AppError::Forbidden);
    }
    check_password(password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(user_id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, user.issuer_id, "user")?;
    store_password(&*txn, actor, now, user, hash, if own { keep_session } else { None }).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one's own password, proving the current one first: the session making
/// the change stays, every other session and token of the user ends.
pub async fn change_own_password(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    session_id: Uuid,
    current: &str,
    new: &str,
) -> Result<()> {
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    if current.len() > 4 * MAX_PASSWORD {
        return Err(AppError::field("current", "Mật khẩu hiện tại không đúng / the current password is wrong"));
    }
    check_password(new).map_err(|e| match e {
        AppError::Invalid(mut f) => {
            AppError::Invalid(f.remove("password").map(|m| [("new".to_owned(), m)].into()).unwrap_or(f))
        }
        other => other,
    })?;
    let user = users::Entity::find_by_id(user_id).one(&db.conn).await?.ok_or(AppError::Unauthorized)?;
    let (current, new, stored) = (current.to_owned(), new.to_owned(), user.password_hash.clone());
    let hash = tokio::task::spawn_blocking(move || {
        let ok = stored.is_some_and(|h| verify_password(&current, &h));
        if ok { hash_password(&new).map(Some) } else { Ok(None) }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let Some(hash) = hash else {
        return Err(AppError::field("current", "Mật khẩu hiện tại không đúng / the current password is wrong"));
    };
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(user_id).one(&*txn).await?.ok_or(AppError::Unauthorized)?;
    store_password(&*txn, actor, now, user, hash, Some(session_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// Stores `hash` as `user`'s password inside the caller's transaction: every session
/// and token of the user but `keep` ends, and the name's failed logins are forgotten.
pub(crate) async fn store_password<C: sea_orm::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    user: users::Model,
    hash: String,
    keep: Option<Uuid>,
) -> Result<()> {
    let user_id = user.id;
    let mut am: users::ActiveModel = user.clone().into();
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(now);
    let after = am.update(txn).await?;
    login_throttles::Entity::delete_by_id(throttle_key(&user.username)).exec(txn).await?;
    // The hash never enters the audit log (the entity skips it when serialised).
    audited(txn, actor, now, "set_password", "users", user_id, Some(&user), Some(&after)).await?;
    end_sessions(txn, actor, now, user_id, keep).await
}

/// Ends every session and token of `user_id` but `keep`, audited, inside the
/// caller's transaction.
pub(crate) async fn end_sessions<C: sea_orm::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<()> {
    let mut ended = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        ended = ended.filter(sessions::Column::Id.ne(k));
    }
    let ended = ended.exec(txn).await?.rows_affected;
    audit::record(
        txn,
        actor,
        now,
        audit::Change {
            action: "end_sessions",
            entity: "users",
            entity_id: Some(user_id),
            before: None,
            after: Some(serde_json::json!({"ended": ended})),
        },
    )
    .await?;
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
