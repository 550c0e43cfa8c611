//! Users and their roles; logging in comes with the workflow capability.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::{audited, is_email, not_found, unknown_ref};
use crate::domain::Role;
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, User, UserInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{issuers, units, users};

const ENTITY: &str = "users";
const DUPLICATE: &str = "Tên đăng nhập đã tồn tại / this username is taken";

fn validate(i: &UserInput) -> Result<()> {
    let role = i.role.parse::<Role>();
    Check::new()
        .required("username", &i.username)
        .fail_if(
            !i.username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "username",
            "Chỉ gồm chữ không dấu, số, '.', '_' và '-' / ASCII letters, digits, '.', '_' and '-' only",
        )
        .required("name", &i.name)
        .fail_if(!is_email(&i.email), "email", "Địa chỉ e-mail không hợp lệ / not an e-mail address")
        .fail_if(role.is_err(), "role", &format!("Phải là / must be one of: {}", Role::codes()))
        .fail_if(
            role == Ok(Role::UnitOfficer) && i.unit_id.is_none(),
            "unit_id",
            "Cán bộ đơn vị phải thuộc một đơn vị / a unit officer needs a unit",
        )
        .finish()
}

fn to_model(m: users::Model) -> User {
    User {
        id: m.id,
        data: UserInput {
            issuer_id: m.issuer_id,
            username: m.username,
            name: m.name,
            email: m.email,
            unit_id: m.unit_id,
            role: m.role,
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn check_refs<C: sea_orm::ConnectionTrait>(db: &C, i: &UserInput) -> Result<()> {
    if issuers::Entity::find_by_id(i.issuer_id).one(db).await?.is_none() {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    if let Some(u) = i.unit_id {
        match units::Entity::find_by_id(u).one(db).await? {
            Some(unit) if unit.issuer_id == i.issuer_id => {}
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
    am.role = Set(i.role);
    am.updated_at = Set(now);
}

/// Creates a user (without a password until the workflow capability sets one).
pub async fn create_user(db: &Db, actor: &Actor, now: DateTime<Utc>, input: UserInput) -> Result<User> {
    validate(&input)?;
    let txn = db.begin_write().await?;
    check_refs(&*txn, &input).await?;
    let mut am = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        created_at: Set(now),
        password_hash: Set(None),
        ..Default::default()
    };
    fill(&mut am, input, now);
    let m = am.insert(&*txn).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(&*txn, actor, now, "create", ENTITY, m.id, None, Some(&m)).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One user.
pub async fn get_user(db: &Db, id: Uuid) -> Result<User> {
    let m = users::Entity::find_by_id(id).one(&db.conn).await?.ok_or_else(|| not_found("user"))?;
    Ok(to_model(m))
}

/// Replaces a user's fields.
pub async fn update_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: UserInput) -> Result<User> {
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = users::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    check_refs(&*txn, &input).await?;
    let mut am: users::ActiveModel = before.clone().into();
    fill(&mut am, input, now);
    let after = am.update(&*txn).await.map_err(|e| AppError::from_db(e, "duplicate_username", DUPLICATE))?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a user.
pub async fn delete_user(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    let before = users::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("user"))?;
    users::Entity::delete_by_id(id).exec(&*txn).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Users by username, optionally of one issuer, unit or role.
pub async fn list_users(
    db: &Db,
    issuer_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    role: Option<String>,
    paging: Paging,
) -> Result<Page<User>> {
    let mut q = users::Entity::find().order_by_asc(users::Column::Username);
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
