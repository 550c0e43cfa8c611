//! One-time links that let a person set their own password: an invitation mailed
//! when an administrator creates their account, or a reset they ask for because
//! they forgot it. A link is a 256-bit secret of which only the SHA-256 is stored;
//! it works once and until it expires, and using it ends every session the account
//! had. Asking for a reset answers the same whether or not the address is known.
//!
//! Leaving, not deleting: a person with history is deactivated (`deactivated_at`,
//! migration m0013), not removed. They stay in every record, are no longer offered for
//! new tasks, their sessions, tokens and open links end in the same transaction, and they
//! cannot log in.
//!
//! Invitations last 7 days, resets 60 minutes. A link starts with `server.public_url`,
//! never with a request's Host header. Using a link also ends every other open link of
//! the account; "forgot password" mails one account at most every 5 minutes.

use crate::domain::AuditAction;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::access::{administers_user, require_people};
use super::{audited, auth, users as user_service};
use crate::error::{AppError, Result};
use crate::model::{User, UserInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, account_links, issuers, users};

/// How long an invitation link works.
pub const INVITE_DAYS: i64 = 7;
/// How long a password reset link works.
pub const RESET_MINUTES: i64 = 60;
/// A second reset mail for the same account is sent only after this pause, so
/// a stranger cannot fill someone's mailbox.
pub const RESET_PAUSE_MINUTES: i64 = 5;
/// Longest address or login name accepted on the "forgot password" form.
pub const MAX_ADDRESS: usize = 254;

/// Why a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account's first password.
    Invite,
    /// A forgotten password.
    Reset,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }
}

/// Whose a live link is, for the page that uses it.
#[derive(Debug, Clone)]
pub struct LinkHolder {
    /// Full name.
    pub name: String,
    /// Login name.
    pub username: String,
    /// Invitation or reset.
    pub purpose: Purpose,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

fn link_gone() -> AppError {
    AppError::conflict(
        "link_expired",
        "Liên kết đã hết hạn hoặc đã được dùng; hãy yêu cầu liên kết mới / this link has expired or was already used; ask for a new one",
    )
}

/// The path a mailed link opens (after the server's public address).
pub fn link_path(secret: &str) -> String {
    format!("/password/{secret}")
}

/// A one-time link just made: what the mail carries, for an administrator to hand
/// over in person when this server sends no mail.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    /// The whole address, starting with `server.public_url`.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Makes a link for `user` and queues its mail, inside the caller's transaction.
async fn make_link<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    public_url: &str,
    user: &users::Model,
    purpose: Purpose,
) -> Result<IssuedLink> {
    let issuer = issuers::get(txn, user.issuer_id).await?;
    let secret = auth::secret();
    let expires_at = now
        + match purpose {
            Purpose::Invite => Duration::days(INVITE_DAYS),
            Purpose::Reset => Duration::minutes(RESET_MINUTES),
        };
    let link = account_links::Model {
        id: Uuid::now_v7(),
        user_id: user.id,
        purpose: purpose.code().to_owned(),
        secret_hash: auth::digest(&secret),
        created_at: now,
        expires_at,
        used_at: None,
    };
    let link = account_links::insert(txn, link).await?;
    let until = expires_at.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
    let url = format!("{public_url}{}", link_path(&secret));
    let ctx = serde_json::json!({
        "purpose": purpose.code(), "name": user.name, "username": user.username, "issuer": issuer.full_name,
        "link": url, "until": until.format("%H:%M ngày %d/%m/%Y").to_string(),
    });
    let r =
        crate::mail::render("account_link.j2", ctx).map_err(|e| AppError::Internal(format!("account_link.j2: {e}")))?;
    let m = super::outbox::NewMessage {
        key: format!("account-link:{}", link.id),
        kind: crate::domain::MailKind::Account,
        to: user.email.trim().to_owned(),
        recipient_label: Some(user.name.clone()),
        subject: r.subject,
        text: r.text,
        html: r.html,
        attachment: None,
        document_id: None,
        unit_id: None,
        issuer_id: Some(user.issuer_id),
    };
    super::outbox::enqueue(txn, now, m).await?;
    let action = match purpose {
        Purpose::Invite => AuditAction::Invite,
        Purpose::Reset => AuditAction::ResetRequested,
    };
    audited(txn, actor, now, super::Change::of(action, "users", user.id, None, Some(&link))).await?;
    Ok(IssuedLink { url, expires_at })
}

fn inactive_refused(user: &users::Model) -> Result<()> {
    match user.deactivated_at {
        None => Ok(()),
        Some(_) => Err(AppError::conflict(
            "user_inactive",
            "Tài khoản đã bị khóa; mở lại trước khi gửi thư / the account is deactivated; reactivate it first",
        )),
    }
}

fn needs_address(user: &users::Model) -> Result<()> {
    if super::is_email(&user.email) {
        Ok(())
    } else {
        Err(AppError::field("email", "Cần địa chỉ e-mail để gửi thư mời / an invitation needs an e-mail address"))
    }
}

/// Creates a user and mails them an invitation to set their password, in one
/// transaction: either both happen or neither.
pub async fn create_and_invite(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    public_url: &str,
    input: UserInput,
) -> Result<(User, IssuedLink)> {
    require_people(actor)?;
    let no_address = "Cần địa chỉ e-mail để gửi thư mời / an invitation needs an e-mail address";
    match (user_service::validate(&input), input.email.trim().is_empty()) {
        (Err(AppError::Invalid(mut fields)), true) => {
            fields.insert("email".into(), no_address.into());
            return Err(AppError::Invalid(fields));
        }
        (Err(e), _) => return Err(e),
        (Ok(()), true) => return Err(AppError::field("email", no_address)),
        (Ok(()), false) => {}
    }
    let txn = db.begin_write().await?;
    // A taken login name is said at its field, like the form's other problems.
    let user = user_service::insert(&*txn, actor, now, input).await.map_err(|e| match e {
        AppError::Conflict { code: "duplicate_username", message } => AppError::field("username", message),
        other => other,
    })?;
    let link = make_link(&*txn, actor, now, public_url, &user, Purpose::Invite).await?;
    txn.commit().await?;
    Ok((user_service::to_model(user), link))
}

/// Mails a user (again) an invitation link; earlier links keep working until used or expired.
pub async fn invite(db: &Db, actor: &Actor, now: DateTime<Utc>, public_url: &str, user_id: Uuid) -> Result<IssuedLink> {
    require_people(actor)?;
    let txn = db.begin_write().await?;
    let user = users::get(&*txn, user_id).await?;
    administers_user(actor, user.issuer_id, user.role)?;
    inactive_refused(&user)?;
    needs_address(&user)?;
    let link = make_link(&*txn, actor, now, public_url, &user, Purpose::Invite).await?;
    txn.commit().await?;
    Ok(link)
}

/// "Forgot password": mails a reset link to the account whose login name or e-mail
/// address is `address`. Answers `Ok` whether or not there is such an account, so
/// the answer tells a stranger nothing.
pub async fn forgot_password(
    db: &Db,
    now: DateTime<Utc>,
    public_url: &str,
    address: &str,
    client_addr: Option<String>,
) -> Result<()> {
    let address = address.trim();
    if address.is_empty() {
        return Err(AppError::field(
            "address",
            "Nhập tên đăng nhập hoặc địa chỉ e-mail / enter a login name or address",
        ));
    }
    if address.chars().count() > MAX_ADDRESS {
        return Err(AppError::field(
            "address",
            format!("Tối đa {MAX_ADDRESS} ký tự / at most {MAX_ADDRESS} characters"),
        ));
    }
    let txn = db.begin_write().await?;
    let matches = users::by_login_or_email(&*txn, address).await?;
    let actor = Actor { client_addr, ..Actor::system() };
    for user in matches.iter().filter(|u| super::is_email(&u.email) && u.deactivated_at.is_none()) {
        let since = now - Duration::minutes(RESET_PAUSE_MINUTES);
        let recent = account_links::made_since(&*txn, user.id, Purpose::Reset.code(), since).await?;
        if recent.is_none() {
            make_link(&*txn, &actor, now, public_url, user, Purpose::Reset).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Every open link of `user_id` stops working.
async fn close_links<C: Conn>(txn: &C, now: DateTime<Utc>, user_id: Uuid) -> Result<()> {
    Ok(account_links::close_open(txn, user_id, now).await?)
}

/// Deactivates a user (`active == false`) or brings them back. A deactivated user
/// keeps their place in every record but can no longer log in: their sessions,
/// tokens and open links end in the same transaction. Nobody deactivates themself.
pub async fn set_user_active(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, active: bool) -> Result<User> {
    require_people(actor)?;
    let txn = db.begin_write().await?;
    let before = users::get(&*txn, id).await?;
    administers_user(actor, before.issuer_id, before.role)?;
    if !active && actor.user_id == Some(id) {
        return Err(AppError::conflict(
            "cannot_deactivate_self",
            "Không thể tự khóa tài khoản của mình / you cannot deactivate your own account",
        ));
    }
    if before.deactivated_at.is_none() == active {
        return Ok(user_service::to_model(before));
    }
    let changed = users::Model { deactivated_at: (!active).then_some(now), updated_at: now, ..before.clone() };
    let after = users::save(&*txn, changed).await?;
    let action = if active { AuditAction::Reactivate } else { AuditAction::Deactivate };
    audited(&*txn, actor, now, super::Change::of(action, "users", id, Some(&before), Some(&after))).await?;
    if !active {
        close_links(&*txn, now, id).await?;
        auth::end_sessions(&*txn, actor, now, id, None).await?;
    }
    txn.commit().await?;
    Ok(user_service::to_model(after))
}

/// The link and its user, if the link is still good.
async fn live_link<C: Conn>(c: &C, now: DateTime<Utc>, secret: &str) -> Result<(account_links::Model, users::Model)> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(link_gone());
    }
    let link = account_links::by_secret_hash(c, &auth::digest(secret))
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > now)
        .ok_or_else(link_gone)?;
    let user = users::find(c, link.user_id).await?.filter(|u| u.deactivated_at.is_none()).ok_or_else(link_gone)?;
    Ok((link, user))
}

/// Who a link belongs to, while it still works.
/// Until when each of `user_ids` can still use an invitation (the latest unused one
/// not yet expired), for administrators: whom they invited and who has not come in.
pub async fn open_invitations(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    user_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, DateTime<Utc>>> {
    require_people(actor)?;
    let links = account_links::open_of(&db.conn, user_ids, Purpose::Invite.code(), now).await?;
    let mut until = std::collections::HashMap::new();
    for l in links {
        let at: &mut DateTime<Utc> = until.entry(l.user_id).or_insert(l.expires_at);
        *at = (*at).max(l.expires_at);
    }
    Ok(until)
}

/// Who a live password link belongs to and what it is for (an invitation or a
/// reset), for its page; a used, expired or unknown link is `gone`.
pub async fn link_holder(db: &Db, now: DateTime<Utc>, secret: &str) -> Result<LinkHolder> {
    let (link, user) = live_link(&db.conn, now, secret).await?;
    let purpose = if link.purpose == Purpose::Invite.code() { Purpose::Invite } else { Purpose::Reset };
    Ok(LinkHolder { name: user.name, username: user.username, purpose, expires_at: link.expires_at })
}

/// Sets the password through a link, once: the link and every other open link of
/// the account stop working, and every session and token of the account ends.
/// Returns the login name.
pub async fn use_link(
    db: &Db,
    now: DateTime<Utc>,
    secret: &str,
    password: &str,
    client_addr: Option<String>,
) -> Result<String> {
    // A dead link is said first, before the password is judged.
    live_link(&db.conn, now, secret).await?;
    auth::check_password(password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let txn = db.begin_write().await?;
    let (_, user) = live_link(&*txn, now, secret).await?;
    close_links(&*txn, now, user.id).await?;
    let actor = auth::actor_of(&user, client_addr);
    let username = user.username.clone();
    auth::store_password(&*txn, &actor, now, user, hash, None).await?;
    txn.commit().await?;
    Ok(username)
}
