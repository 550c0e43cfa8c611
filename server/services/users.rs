//! Users and their roles; logging in comes with the workflow capability.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::access::{check_scope, issuer_filter, require};
use super::{audited, is_email, not_found, unknown_ref};
use crate::domain::Role;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, User, UserInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{issuers, units, users};

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
        created_at: m.created_at,
        updated_at: m.updated_at,
        deactivated_at: m.deactivated_at,
    }
}

/// The issuer and unit exist and are the actor's; a deactivated unit is refused
/// unless it is the one the user already had (`kept`).
async fn check_refs<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    i: &UserInput,
    kept: Option<Uuid>,
) -> Result<()> {
    if issuers::Entity::find_by_id(i.issuer_id).one(db).await?.is_none()
        || check_scope(actor, i.issuer_id, "issuer").is_err()
    {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    if let Some(u) = i.unit_id {
        match units::Entity::find_by_id(u).one(db).await? {
            Some(unit) if unit.issuer_id == i.issuer_id && (unit.deactivated_at.is_none() || kept == Some(u)) => {}
            Some(unit) if unit.issuer_id == i.issuer_id => {
                return Err(AppError::field("unit_id", super::units::INACTIVE));
            }
            _ => return Err(AppError::field("unit_id", unknown_ref("đơn vị / unit"))),
        }
    }
    Ok(())
}

fn fill(am: &mut users::ActiveModel, i: UserInput, now: DateTime<Utc>) {
    am.issuer_id = Set(i.issuer_id);
    am.username = Set(i.username.trim().to_owned());
    am.name = Set(i.name);
    am.email = Set(i.email.trim().to_owned());
    am.unit_id = Set(i.unit_id);
    am.role = Set(i.role.into());
    am.updated_at = Set(now);
}

/// A unit officer's work needs no one else's address or role: they see themselves only.
fn sees_only_self(actor: &Actor) -> bool {
    actor.role == Some(Role::UnitOfficer)
}

/// Creates a user (without a password until the workflow capability sets one).
pub async fn create_user(db: &Db, actor: &Actor, now: DateTime<Utc>, input: UserInput) -> Result<User> {
    require(actor, Action::ManageOrganisation)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let m = insert(&*txn, actor, now, input).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// Inserts a validated user inside the caller's transaction, audited.
pub(crate) async fn insert<C: sea_orm::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    input: UserInput,
) -> Result<users::Model> {
    check_refs(txn, actor, &input, None).await?;
    let mut am = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        created_at: Set(now),
        password_hash: Set(None),
        signature_image: Set(None),
        ..Default::default()
    };
    fill(&mut am, input, now);
    let m = am.insert(txn).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(txn, actor, now, "create", ENTITY, m.id, None, Some(&m)).await?;
    Ok(m)
}

/// One user.
pub async fn get_user(db: &Db, actor: &Actor, id: Uuid) -> Result<User> {
    require(actor, Action::Read)?;
    let m = users::Entity::find_by_id(id).one(&db.conn).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, m.issuer_id, "user")?;
    if sees_only_self(actor) && actor.user_id != Some(id) {
        return Err(not_found("user"));
    }
    Ok(to_model(m))
}

/// Replaces a user's fields.
pub async fn update_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: UserInput) -> Result<User> {
    require(actor, Action::ManageOrganisation)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = users::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, before.issuer_id, "user")?;
    if input.issuer_id != before.issuer_id {
        return Err(AppError::field(
            "issuer_id",
            "Người dùng không chuyển sang cơ quan khác / a user stays with their issuer",
        ));
    }
    check_refs(&*txn, actor, &input, before.unit_id).await?;
    let mut am: users::ActiveModel = before.clone().into();
    fill(&mut am, input, now);
    let after = am.update(&*txn).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
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
    let before = users::Entity::find_by_id(id).one(&*txn).await?.ok_or(AppError::Unauthorized)?;
    let mut am: users::ActiveModel = before.clone().into();
    am.email = Set(email.to_owned());
    am.updated_at = Set(now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a user.
pub async fn delete_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManageOrganisation)?;
    let txn = db.begin_write().await?;
    let before = users::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, before.issuer_id, "user")?;
    if actor.user_id == Some(id) {
        return Err(AppError::conflict(
            "cannot_delete_self",
            "Không thể tự xóa tài khoản của mình / you cannot delete your own account",
        ));
    }
    super::integrity::ensure_user_deletable(&*txn, id).await?;
    users::Entity::delete_by_id(id).exec(&*txn).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
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
    require(actor, Action::Read)?;
    let mut q = users::Entity::find().order_by_asc(users::Column::Username);
    if sees_only_self(actor) {
        q = q.filter(users::Column::Id.eq(actor.user_id.unwrap_or_default()));
    }
    if let Some(i) = issuer_filter(actor) {
        q = q.filter(users::Column::IssuerId.eq(i));
    }
    if let Some(i) = issuer_id {
        q = q.filter(users::Column::IssuerId.eq(i));
    }
    if let Some(u) = unit_id {
        q = q.filter(users::Column::UnitId.eq(u));
    }
    if let Some(r) = role {
        q = q.filter(users::Column::Role.eq(r));
    }
    let total = q.clone().count(&db.conn).await?;
    let items = q.offset(paging.offset()).limit(paging.per_page).all(&db.conn).await?;
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
    let existing =
        issuers::Entity::find().filter(issuers::Column::Code.eq(input.issuer_code.clone())).one(&db.conn).await?;
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
            units::Entity::find()
                .filter(units::Column::IssuerId.eq(issuer_id))
                .filter(units::Column::ShortName.eq(short.clone()))
                .one(&db.conn)
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
