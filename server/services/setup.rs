//! First run: a server started on a database with no user prints a one-time
//! setup link; its page creates the issuer and the first administrator in one
//! transaction. The link's secret lives only in the running server's memory (a
//! restart prints a new one) and dies as soon as any user exists.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::{auth, issuers as issuer_service, users as user_service};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{IssuerInput, UserInput};
use crate::storage::audit::Actor;
use crate::storage::{Db, users};

/// The running server's setup link, open only while the database has no user.
#[derive(Clone, Default)]
pub struct SetupGate(Arc<Mutex<Option<String>>>);

impl SetupGate {
    /// Opens the gate with a new secret and returns it (for the link).
    pub fn open(&self) -> String {
        let secret = auth::secret();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(auth::digest(&secret));
        secret
    }

    /// Whether `secret` is the open gate's.
    pub fn admits(&self, secret: &str) -> bool {
        let want = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let got = auth::digest(secret);
        want.is_some_and(|w| w.len() == got.len() && w.bytes().zip(got.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0)
    }

    fn close(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Whether the database has no user yet (the server then offers the setup link).
pub async fn needs_setup(db: &Db) -> Result<bool> {
    Ok(users::count(&db.conn).await? == 0)
}

/// The first administrator, as typed on the setup page.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    /// Login name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
    /// The password typed a second time.
    pub repeat: String,
}

fn gone() -> AppError {
    AppError::conflict(
        "already_set_up",
        "Liên kết thiết lập không còn dùng được: hệ thống đã có người dùng, hoặc máy chủ đã khởi động lại và in liên kết mới / this setup link no longer works: the system has users, or the server restarted and printed a new link",
    )
}

/// Creates the issuer (with its preset rubrics) and its first administrator, in
/// one transaction, while `secret` opens `gate` and no user exists; then closes
/// the gate. Returns the administrator's login name.
pub async fn first_run(
    db: &Db,
    gate: &SetupGate,
    secret: &str,
    now: DateTime<Utc>,
    issuer: IssuerInput,
    admin: FirstAdmin,
    client_addr: Option<String>,
) -> Result<String> {
    if !gate.admits(secret) {
        return Err(gone());
    }
    let user_input = |issuer_id| UserInput {
        issuer_id,
        username: admin.username.trim().to_owned(),
        name: admin.name.trim().to_owned(),
        email: admin.email.trim().to_owned(),
        unit_id: None,
        role: Role::Admin.code().to_owned().into(),
    };
    // Every field's problem at once, the issuer's and the administrator's.
    let mut errors: Option<AppError> = None;
    for r in [
        issuer_service::validate(&issuer),
        user_service::validate(&user_input(uuid::Uuid::nil())),
        auth::check_password(&admin.password),
    ] {
        if let Err(AppError::Invalid(fields)) = r {
            match &mut errors {
                Some(AppError::Invalid(all)) => all.extend(fields),
                _ => errors = Some(AppError::Invalid(fields)),
            }
        } else {
            r?;
        }
    }
    if admin.password != admin.repeat {
        let field = AppError::field("repeat", "Hai lần nhập mật khẩu không giống nhau / the two passwords differ");
        match (&mut errors, field) {
            (Some(AppError::Invalid(all)), AppError::Invalid(f)) => all.extend(f),
            (_, f) => errors = Some(f),
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    let password = admin.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let actor = Actor { client_addr, ..Actor::system() };
    let txn = db.begin_write().await?;
    if users::count(&*txn).await? > 0 {
        gate.close();
        return Err(gone());
    }
    let made = issuer_service::insert(&*txn, &actor, now, issuer).await?;
    let user = user_service::insert(&*txn, &actor, now, user_input(made.id)).await?;
    // The first account of a new server administers the server too: it may add the
    // offices a province hosts beside its own.
    let user = user_service::make_server_admin(&*txn, &actor, now, user).await?;
    let username = user.username.clone();
    auth::store_password(&*txn, &actor, now, user, hash, None).await?;
    txn.commit().await?;
    gate.close();
    Ok(username)
}
