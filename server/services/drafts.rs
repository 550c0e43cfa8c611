//! Drafts of forms kept on the server: what a user typed on a page, autosaved
//! every few seconds or caught from a form posted after their session expired,
//! until they save it. A draft is offered back on the page only while it is newer
//! than what is stored there.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppError, Check, Result};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::form_drafts;

/// A page path a draft may belong to.
pub const MAX_PATH: usize = 200;
/// Fields of one draft.
pub const MAX_FIELDS: usize = 400;
/// Characters in one draft, all fields together.
pub const MAX_CHARS: usize = 400_000;
/// Drafts older than this are removed.
pub const KEEP_DAYS: i64 = 30;

/// Fields never kept: the form's token and the button that was pressed.
const SKIPPED: [&str; 2] = ["csrf", "action"];

/// A kept draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The form's fields in order (a name may repeat).
    pub fields: Vec<(String, String)>,
    /// When it was kept.
    pub saved_at: DateTime<Utc>,
    /// Caught from a post whose session had expired.
    pub from_expired_session: bool,
}

impl Draft {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn check(path: &str, fields: &[(String, String)]) -> Result<()> {
    let chars: usize = fields.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
    Check::new()
        .fail_if(
            !path.starts_with('/') || path.starts_with("//") || path.chars().count() > MAX_PATH,
            "path",
            "Đường dẫn trang không hợp lệ / not a page path of this site",
        )
        .fail_if(fields.len() > MAX_FIELDS, "fields", "Quá nhiều ô / too many fields")
        .fail_if(chars > MAX_CHARS, "fields", "Bản nháp quá dài / the draft is too long")
        .finish()
}

/// Keeps the form typed on `path` for `user_id` (replacing the previous draft of
/// that page). One statement, so it is whole or absent.
pub async fn keep(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
    path: &str,
    fields: Vec<(String, String)>,
    from_expired_session: bool,
) -> Result<()> {
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| !SKIPPED.contains(&k.as_str())).collect();
    check(path, &fields)?;
    let json = Value::Array(fields.into_iter().map(|(k, v)| Value::Array(vec![k.into(), v.into()])).collect());
    let draft =
        form_drafts::Model { user_id, path: path.to_owned(), fields: json, saved_at: now, from_expired_session };
    form_drafts::keep(&db.conn, draft).await?;
    Ok(())
}

/// The signed-in user's autosave of the form on `path`.
pub async fn autosave(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    path: &str,
    fields: Vec<(String, String)>,
) -> Result<()> {
    let user = actor.user_id.ok_or(AppError::Unauthorized)?;
    keep(db, user, now, path, fields, false).await
}

/// The actor's draft of `path`, if any.
pub async fn find(db: &Db, actor: &Actor, path: &str) -> Result<Option<Draft>> {
    let Some(user) = actor.user_id else { return Ok(None) };
    let row = form_drafts::of_page(&db.conn, user, path).await?;
    Ok(row.map(|r| Draft {
        fields: r
            .fields
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p.get(0)?.as_str()?.to_owned(), p.get(1)?.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        saved_at: r.saved_at,
        from_expired_session: r.from_expired_session,
    }))
}

/// Drops the actor's draft of `path` (the user chose the stored version).
pub async fn discard(db: &Db, actor: &Actor, path: &str) -> Result<()> {
    let user = actor.user_id.ok_or(AppError::Unauthorized)?;
    form_drafts::drop_page(&db.conn, user, path).await?;
    Ok(())
}

/// Removes drafts nobody came back to.
pub async fn prune(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    Ok(form_drafts::drop_saved_before(&db.conn, now - Duration::days(KEEP_DAYS)).await?)
}
