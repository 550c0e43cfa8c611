//! Users and their roles; logging in comes with the workflow capability.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{administers_user, allowed, check_scope, issuer_filter, require, require_people};
use super::{audited, is_email, not_found, unknown_ref};
use crate::domain::Role;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, User, UserInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, issuers, units, users};

const ENTITY: &str = "users";
const DUPLICATE: &str = "Tên đăng nhập đã tồn tại / this username is taken";

pub(crate) fn validate(i: &UserInput) -> Result<()> {
    let role = i.role.parse::<Role>();
    Check::new()
        .required("username", &i.username)
        .fail_if(
            !i.username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "username",
            "Chỉ gồm chữ không dấu, số, '.', '_' và '-' / ASCII letters, digits, '.', '_' and '-' only",
        )
        .required("name", &i.name)
        .line("username", &i.username, 64)
        .line("name", &i.name, text::NAME)
        .line("email", &i.email, text::EMAIL)
        .fail_if(!is_email(&i.email), "email", "Địa chỉ e-mail không hợp lệ / not an e-mail address")
        .fail_if(role.is_err(), "role", &format!("Phải là / must be one of: {}", Role::codes()))
        .fail_if(
            role == Ok(Role::UnitOfficer) && i.unit_id.is_none(),
            "unit_id",
            "Cán bộ đơn vị phải thuộc một đơn vị / a unit officer needs a unit",
        )
        .finish()
}

pub(crate) fn to_model(m: users::Model) -> User {
    User {
        id: m.id,
        data: UserInput {
            issuer_id: m.issuer_id,
            username: m.username,
            name: m.name,
            email: m.email,
            unit_id: m.unit_id,
            role: m.role.into(),
        },
        has_signature_image: m.signature_image.is_some(),
        has_password: m.password_hash.is_some(),
        server_admin: m.server_admin,
        created_at: m.created_at,
        updated_at: m.updated_at,
        deactivated_at: m.deactivated_at,
    }
}

/// The issuer and unit exist and the actor administers such a user there; a
/// deactivated unit is refused unless it is the one the user already had (`kept`).
async fn check_refs<C: Conn>(db: &C, actor: &Actor, i: &UserInput, kept: Option<Uuid>) -> Result<()> {
    let role = i.role.checked("role")?;
    match administers_user(actor, i.issuer_id, role) {
        Err(AppError::NotFound { .. }) => return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer"))),
        other => other?,
    }
    if issuers::find(db, i.issuer_id).await?.is_none() {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    if let Some(u) = i.unit_id {
        match units::find(db, u).await? {
            Some(unit) if unit.issuer_id == i.issuer_id && (unit.deactivated_at.is_none() || kept == Some(u)) => {}
            Some(unit) if unit.issuer_id == i.issuer_id => {
                return Err(AppError::field("unit_id", super::units::INACTIVE));
            }
            _ => return Err(AppError::field("unit_id", unknown_ref("đơn vị / unit"))),
        }
    }
    Ok(())
}

fn fill(m: &mut users::Model, i: UserInput, now: DateTime<Utc>) -> Result<()> {
    m.issuer_id = i.issuer_id;
    m.username = i.username.trim().to_owned();
    m.name = i.name;
    m.email = i.email.trim().to_owned();
    m.unit_id = i.unit_id;
    m.role = i.role.checked("role")?;
    // A server administrator's account administers the server; the flag of an office
    // administrator made server administrator at first-run setup stays.
    m.server_admin |= m.role == Role::ServerAdmin;
    m.updated_at = now;
    Ok(())
}

/// A unit officer's work needs no one else's address or role: they see themselves only.
fn sees_only_self(actor: &Actor) -> bool {
    actor.role == Some(Role::UnitOfficer)
}

/// Creates a user (without a password until the workflow capability sets one).
pub async fn create_user(db: &Db, actor: &Actor, now: DateTime<Utc>, input: UserInput) -> Result<User> {
    require_people(actor)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let m = insert(&*txn, actor, now, input).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// Inserts a validated user inside the caller's transaction, audited.
pub(crate) async fn insert<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    input: UserInput,
) -> Result<users::Model> {
    check_refs(txn, actor, &input, None).await?;
    let mut m = users::Model {
        id: Uuid::now_v7(),
        issuer_id: input.issuer_id,
        username: String::new(),
        name: String::new(),
        email: String::new(),
        unit_id: None,
        role: crate::domain::Role::Viewer,
        password_hash: None,
        signature_image: None,
        created_at: now,
        updated_at: now,
        deactivated_at: None,
        server_admin: false,
    };
    fill(&mut m, input, now)?;
    let m = users::insert(txn, m).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    Ok(m)
}

/// Makes `user` a server administrator too (the first account of a new server),
/// inside the caller's transaction, audited.
pub(crate) async fn make_server_admin<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    user: users::Model,
) -> Result<users::Model> {
    let after = users::save(txn, users::Model { server_admin: true, updated_at: now, ..user.clone() }).await?;
    audited(txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, after.id, Some(&user), Some(&after)))
        .await?;
    Ok(after)
}

/// One user.
pub async fn get_user(db: &Db, actor: &Actor, id: Uuid) -> Result<User> {
    let m = users::get(&db.conn, id).await?;
    // One's own account, and any account the actor administers (a server
    // administrator: every office's administrators).
    if actor.user_id == Some(id) || administers_user(actor, m.issuer_id, m.role).is_ok() {
        return Ok(to_model(m));
    }
    require(actor, Action::Read)?;
    check_scope(actor, m.issuer_id, "user")?;
    if sees_only_self(actor) {
        return Err(not_found("user"));
    }
    Ok(to_model(m))
}

/// Replaces a user's fields.
pub async fn update_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: UserInput) -> Result<User> {
    require_people(actor)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = users::get(&*txn, id).await?;
    administers_user(actor, before.issuer_id, before.role)?;
    if input.issuer_id != before.issuer_id {
        return Err(AppError::field(
            "issuer_id",
            "Người dùng không chuyển sang cơ quan khác / a user stays with their issuer",
        ));
    }
    check_refs(&*txn, actor, &input, before.unit_id).await?;
    let mut after = before.clone();
    fill(&mut after, input, now)?;
    let after = users::save(&*txn, after).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// The caller changes their own e-mail address (where invitations, resets and a
/// signer's notices go).
pub async fn change_own_email(db: &Db, actor: &Actor, now: DateTime<Utc>, email: &str) -> Result<User> {
    let id = actor.user_id.ok_or(AppError::Forbidden)?;
    let email = email.trim();
    Check::new()
        .required("email", email)
        .line("email", email, text::EMAIL)
        .fail_if(!email.is_empty() && !is_email(email), "email", "Địa chỉ e-mail không hợp lệ / not an e-mail address")
        .finish()?;
    let txn = db.begin_write().await?;
    let before = users::find(&*txn, id).await?.ok_or(AppError::Unauthorized)?;
    let changed = users::Model { email: email.to_owned(), updated_at: now, ..before.clone() };
    let after = users::save(&*txn, changed).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a user.
pub async fn delete_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require_people(actor)?;
    let txn = db.begin_write().await?;
    let before = users::get(&*txn, id).await?;
    administers_user(actor, before.issuer_id, before.role)?;
    if actor.user_id == Some(id) {
        return Err(AppError::conflict(
            "cannot_delete_self",
            "Không thể tự xóa tài khoản của mình / you cannot delete your own account",
        ));
    }
    super::integrity::ensure_user_deletable(&*txn, id).await?;
    users::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Users by username, optionally of one issuer, unit or role.
pub async fn list_users(
    db: &Db,
    actor: &Actor,
    issuer_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    role: Option<String>,
    paging: Paging,
) -> Result<Page<User>> {
    // A server administrator sees every office's administrators, unless they ask for
    // the people of their own office, where they hold an office role.
    let own_people = allowed(actor, Action::Read) && issuer_id.is_some() && issuer_id == actor.issuer_id;
    let filter = if allowed(actor, Action::ManageServer) && !own_people {
        users::Filter { issuers: vec![issuer_id], unit: unit_id, role, administrators: true, ..Default::default() }
    } else {
        require(actor, Action::Read)?;
        users::Filter {
            id: sees_only_self(actor).then(|| actor.user_id.unwrap_or_default()),
            issuers: vec![issuer_filter(actor), issuer_id],
            unit: unit_id,
            role,
            administrators: false,
        }
    };
    let (items, total) = users::page(&db.conn, filter, paging.offset(), paging.per_page).await?;
    Ok(Page { items: items.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}

/// A user created from the command line, named by codes rather than ids.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The issuer's code.
    pub issuer_code: String,
    /// Login name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role code.
    pub role: String,
    /// The unit's short name, for unit officers.
    pub unit_short_name: Option<String>,
    /// The password to set.
    pub password: String,
}

/// Creates a user with a password (the first administrator of a new server). An
/// unknown issuer code creates a placeholder issuer, to be completed through the API.
pub async fn add_user_with_password(db: &Db, input: NewUser) -> Result<User> {
    use crate::model::IssuerInput;
    super::auth::check_password(&input.password)?;
    let system = Actor::system();
    let now = super::now();
    let existing = issuers::by_code(&db.conn, &input.issuer_code).await?;
    let issuer_id = match existing {
        Some(i) => i.id,
        None => {
            let placeholder = IssuerInput {
                code: input.issuer_code.clone(),
                name_lines: vec!["ỦY BAN NHÂN DÂN".into(), input.issuer_code.to_uppercase()],
                parent_lines: vec![],
                abbreviation: "UBND".into(),
                place_name: input.issuer_code.clone(),
                full_name: "Ủy ban nhân dân".into(),
                short_name: "UBND".into(),
                subordinates_name: None,
                collective_title: None,
                head_title: "CHỦ TỊCH".into(),
                deputy_title: None,
            };
            super::issuers::create_issuer(db, &system, now, placeholder).await?.id
        }
    };
    let unit_id = match &input.unit_short_name {
        Some(short) => Some(
            units::by_short_name(&db.conn, issuer_id, short)
                .await?
                .ok_or_else(|| AppError::field("unit", unknown_ref("đơn vị / unit")))?
                .id,
        ),
        None => None,
    };
    let user = create_user(
        db,
        &system,
        now,
        UserInput {
            issuer_id,
            username: input.username,
            name: input.name,
            email: input.email,
            unit_id,
            role: input.role.into(),
        },
    )
    .await?;
    super::auth::set_password(db, &system, now, user.id, &input.password, None).await?;
    Ok(user)
}
