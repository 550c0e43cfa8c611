//! Signing in with a login name and password. Repeated failed logins lock the
//! name for a growing time (1, 2, 4 … minutes, at most a day), whether or not a
//! user has it.
//!
//! Attempts are counted per name in their own table (`storage::login_throttles`) before
//! the password is checked, in one write transaction, so parallel guesses are serialised
//! and unknown names behave exactly like known ones.

use crate::domain::AuditAction;
use chrono::{DateTime, Duration, Utc};

use super::credentials::{
    Kind, MAX_PASSWORD, NewSession, actor_of, lockout, open_session, session_model, throttle_key, verify_password,
};
use crate::error::{AppError, Result};
use crate::storage::audit;
use crate::storage::{Db, login_throttles, users};

/// Counts one attempt for `name` before its password is checked, in one write
/// transaction: the count and the lock it implies are stored first, so parallel
/// guesses cannot all pass the check (each sees the previous one's count). Fails
/// with `TooManyAttempts` while the name is locked.
async fn count_attempt(db: &Db, name: &str, now: DateTime<Utc>) -> Result<i32> {
    let txn = db.begin_write().await?;
    // Make sure the row exists, then lock it.
    let mut row = login_throttles::take(&*txn, name, now)
        .await?
        .ok_or_else(|| AppError::Internal("throttle row vanished".into()))?;
    if let Some(until) = row.locked_until
        && until > now
    {
        return Err(AppError::TooManyAttempts { retry_after_secs: (until - now).num_seconds().max(1) });
    }
    let failures = row.failures + 1;
    row.failures = failures;
    // The lock this attempt earns if it fails, taken now so no parallel guess slips past.
    row.locked_until = lockout(failures).map(|d| now + d);
    row.updated_at = now;
    login_throttles::save(&*txn, row).await?;
    txn.commit().await?;
    Ok(failures)
}

/// Logs in with a username and password. Every attempt is counted before the
/// password is checked; after [`FREE_ATTEMPTS`](super::credentials::FREE_ATTEMPTS)
/// failures the name is locked for a doubling time. Unknown names are counted and
/// locked the same way, so the answers never tell whether a name exists.
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
    let user = users::by_username(&db.conn, username.trim()).await?;
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
                        action: AuditAction::LoginFailed,
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
    let n = login_throttles::prune(&*txn, now, cutoff).await?;
    txn.commit().await?;
    Ok(n)
}
