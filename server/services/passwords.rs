//! Setting and changing passwords: every other session and token of the user ends
//! with the change, and the name's failed logins are forgotten.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{administers_user, require_people};
use super::credentials::{MAX_PASSWORD, check_password, hash_password, throttle_key, verify_password};
use super::{audited, not_found};
use crate::error::{AppError, Result};
use crate::storage::audit::{self, Actor};
use crate::storage::{Conn, Db, login_throttles, sessions, users};

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
    if !own {
        require_people(actor)?;
    }
    check_password(password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let txn = db.begin_write().await?;
    let user = users::find(&*txn, user_id).await?.ok_or_else(|| not_found("user"))?;
    if !own {
        administers_user(actor, user.issuer_id, user.role)?;
    }
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
    let user = users::find(&db.conn, user_id).await?.ok_or(AppError::Unauthorized)?;
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
    let user = users::find(&*txn, user_id).await?.ok_or(AppError::Unauthorized)?;
    store_password(&*txn, actor, now, user, hash, Some(session_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// Stores `hash` as `user`'s password inside the caller's transaction: every session
/// and token of the user but `keep` ends, and the name's failed logins are forgotten.
pub(crate) async fn store_password<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    user: users::Model,
    hash: String,
    keep: Option<Uuid>,
) -> Result<()> {
    let user_id = user.id;
    let changed = users::Model { password_hash: Some(hash), updated_at: now, ..user.clone() };
    let after = users::save(txn, changed).await?;
    login_throttles::remove(txn, &throttle_key(&user.username)).await?;
    // The hash never enters the audit log (the entity skips it when serialised).
    audited(txn, actor, now, super::Change::of(AuditAction::SetPassword, "users", user_id, Some(&user), Some(&after)))
        .await?;
    end_sessions(txn, actor, now, user_id, keep).await
}

/// Ends every session and token of `user_id` but `keep`, audited, inside the
/// caller's transaction.
pub(crate) async fn end_sessions<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<()> {
    let ended = sessions::end_all_of_user(txn, user_id, now, keep).await?;
    audit::record(
        txn,
        actor,
        now,
        audit::Change {
            action: AuditAction::EndSessions,
            entity: "users",
            entity_id: Some(user_id),
            before: None,
            after: Some(serde_json::json!({"ended": ended})),
        },
    )
    .await?;
    Ok(())
}
