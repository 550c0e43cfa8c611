//! Browser sessions and API tokens in use: who a secret belongs to, keeping a
//! session alive, ending it, and the tokens a user made.

use crate::domain::AuditAction;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::credentials::{
    CATCH_DAYS, Kind, Live, SESSION_HOURS, SESSION_IDLE_MINUTES, actor_of, digest, open_session, session_model,
};
use super::{audited, not_found};
use crate::error::{AppError, Result};
use crate::model::{ApiToken, NewApiToken, Session as SessionModel};
use crate::storage::audit::Actor;
use crate::storage::{Db, sessions, users};

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
    let (s, user, rev) = sessions::with_user_and_revision(&db.conn, &hash).await?.ok_or(AppError::Unauthorized)?;
    let user = user.ok_or(AppError::Unauthorized)?;
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
    sessions::extend_unless_revoked(&db.conn, s.id, wanted).await?;
    Ok(sessions::Model { expires_at: wanted, ..s })
}

/// Who a browser session belonged to if it has expired (not been ended) within
/// the last few days, with its CSRF token: a form posted after the session ran
/// out is kept for that user rather than lost.
pub async fn expired_browser_session(db: &Db, now: DateTime<Utc>, token: &str) -> Result<Option<Live>> {
    let s = sessions::by_token_hash(&db.conn, &digest(token)).await?;
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
    let after = now - Duration::days(CATCH_DAYS);
    Ok(sessions::has_csrf(&db.conn, user_id, csrf, Kind::Browser.code(), after).await?)
}

/// What `GET /auth/session` shows: the user and the CSRF token of this session.
pub async fn describe(db: &Db, actor: &Actor, s: &Live) -> Result<SessionModel> {
    let user = users::find(&db.conn, actor.user_id.unwrap_or_default()).await?.ok_or(AppError::Unauthorized)?;
    Ok(session_model(&user, s))
}

/// Ends a session or revokes a token.
pub async fn revoke(db: &Db, actor: &Actor, now: DateTime<Utc>, session_id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    let s = sessions::find(&*txn, session_id).await?.ok_or_else(|| not_found("token"))?;
    if Some(s.user_id) != actor.user_id {
        return Err(not_found("token"));
    }
    let after = sessions::save(&*txn, sessions::Model { revoked_at: Some(now), ..s.clone() }).await?;
    let action = if s.kind == Kind::Browser.code() { AuditAction::Logout } else { AuditAction::RevokeToken };
    audited(&*txn, actor, now, super::Change::of(action, "sessions", s.id, Some(&s), Some(&after))).await?;
    txn.commit().await?;
    Ok(())
}

/// Creates an API token for the actor; the secret is shown once.
pub async fn create_token(db: &Db, actor: &Actor, now: DateTime<Utc>, name: &str) -> Result<NewApiToken> {
    if name.trim().is_empty() {
        return Err(AppError::field("name", "Đặt tên cho mã truy cập / give the token a name"));
    }
    crate::error::Check::new().line("name", name, crate::domain::text::NAME).finish()?;
    let user =
        users::find(&db.conn, actor.user_id.ok_or(AppError::Unauthorized)?).await?.ok_or(AppError::Unauthorized)?;
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
    let rows = sessions::of_user_newest_first(&db.conn, actor.user_id.unwrap_or_default(), Kind::Api.code()).await?;
    Ok(rows.into_iter().map(token_model).collect())
}
