//! Units: departments and communes that lead or co-operate on tasks.
//!
//! A unit with history is deactivated (`deactivated_at`, migration m0013), not deleted:
//! it stays in every record and is no longer offered for new tasks or users.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_scope, issuer_filter, require};
use super::{audited, is_email, json_list, to_json, unknown_ref};
use crate::domain::UnitKind;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, Unit, UnitInput};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::{issuers, units};

const ENTITY: &str = "units";
const DUPLICATE: &str = "Tên viết tắt đã dùng cho đơn vị khác / another unit has this short name";
/// Said where a deactivated unit is chosen for new work.
pub(crate) const INACTIVE: &str = "Đơn vị đã ngừng hoạt động / the unit has been deactivated";

fn validate(i: &UnitInput) -> Result<()> {
    let mut check = Check::new();
    check
        .required("name", &i.name)
        .required("short_name", &i.short_name)
        .line("name", &i.name, text::NAME)
        .line("short_name", &i.short_name, text::CODE)
        .fail_if(i.emails.len() > 20, "emails", "Tối đa 20 địa chỉ / at most 20 addresses")
        .fail_if(
            i.kind.parse::<UnitKind>().is_err(),
            "kind",
            &format!("Phải là / must be one of: {}", UnitKind::codes()),
        );
    for (n, e) in i.emails.iter().enumerate() {
        check.fail_if(!is_email(e), &format!("emails[{n}]"), "Địa chỉ e-mail không hợp lệ / not an e-mail address");
        check.line(&format!("emails[{n}]"), e, text::EMAIL);
    }
    check.finish()
}

/// Turns a stored unit into its API model.
pub(crate) fn to_model(m: units::Model) -> Unit {
    Unit {
        id: m.id,
        data: UnitInput {
            issuer_id: m.issuer_id,
            name: m.name,
            short_name: m.short_name,
            kind: m.kind.into(),
            emails: json_list(&m.emails),
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
        deactivated_at: m.deactivated_at,
    }
}

fn fill(m: &mut units::Model, i: UnitInput, now: DateTime<Utc>) -> Result<()> {
    m.name = i.name;
    m.short_name = i.short_name.trim().to_owned();
    m.kind = i.kind.checked("kind")?;
    m.emails = to_json(&i.emails.iter().map(|e| e.trim()).collect::<Vec<_>>());
    m.updated_at = now;
    Ok(())
}

/// A new unit of `issuer_id` made from `input`.
fn new_unit(issuer_id: Uuid, input: UnitInput, now: DateTime<Utc>) -> Result<units::Model> {
    let mut m = units::Model {
        id: Uuid::now_v7(),
        issuer_id,
        name: String::new(),
        short_name: String::new(),
        kind: crate::domain::UnitKind::Other,
        emails: serde_json::Value::Null,
        created_at: now,
        updated_at: now,
        deactivated_at: None,
    };
    fill(&mut m, input, now)?;
    Ok(m)
}

/// Deactivates a unit (`active == false`) or brings it back. A deactivated unit
/// keeps its place in every task, result and report, but is no longer offered for
/// new tasks or users; use this for a unit with history, which cannot be deleted.
pub async fn set_unit_active(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, active: bool) -> Result<Unit> {
    require(actor, Action::ManageOrganisation)?;
    let txn = db.begin_write().await?;
    let before = units::get(&*txn, id).await?;
    check_scope(actor, before.issuer_id, "unit")?;
    if before.deactivated_at.is_none() == active {
        return Ok(to_model(before));
    }
    let mut after = before.clone();
    after.deactivated_at = (!active).then_some(now);
    after.updated_at = now;
    let after = units::save(&*txn, after).await?;
    let action = if active { AuditAction::Reactivate } else { AuditAction::Deactivate };
    audited(&*txn, actor, now, super::Change::of(action, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Creates a unit.
pub async fn create_unit(db: &Db, actor: &Actor, now: DateTime<Utc>, input: UnitInput) -> Result<Unit> {
    require(actor, Action::ManageOrganisation)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    if issuers::find(&*txn, input.issuer_id).await?.is_none() || check_scope(actor, input.issuer_id, "issuer").is_err()
    {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    let m = units::insert(&*txn, new_unit(input.issuer_id, input, now)?)
        .await
        .map_err(|e| AppError::from_db(e, "duplicate_unit", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// Creates the units of a pasted list (see [`crate::domain::unit_list`]), all of
/// one kind, in one transaction: every line's problem is named by its line number,
/// and either every unit is created or none is.
pub async fn create_from_list(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    issuer_id: Uuid,
    kind: &str,
    text: &str,
) -> Result<Vec<Unit>> {
    require(actor, Action::ManageOrganisation)?;
    if text.len() > crate::domain::unit_list::MAX_LINES * 1024 {
        return Err(AppError::field("list", "Danh sách quá dài / the list is too long"));
    }
    let lines = crate::domain::unit_list::parse(text).map_err(|m| AppError::field("list", m))?;
    if kind.parse::<UnitKind>().is_err() {
        return Err(AppError::field("kind", format!("Phải là / must be one of: {}", UnitKind::codes())));
    }
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let inputs: Vec<UnitInput> = lines
        .into_iter()
        .map(|l| {
            let input = UnitInput {
                issuer_id,
                name: l.name,
                short_name: l.short_name,
                kind: kind.to_owned().into(),
                emails: l.emails,
            };
            if let Err(AppError::Invalid(fields)) = validate(&input) {
                for (field, message) in fields {
                    let (vi, en) = match field.split('[').next().unwrap_or(&field) {
                        "name" => ("tên đầy đủ", "full name"),
                        "short_name" => ("tên viết tắt", "short name"),
                        "kind" => ("loại đơn vị", "kind"),
                        _ => ("e-mail", "e-mail"),
                    };
                    let (m_vi, m_en) = message.split_once(" / ").unwrap_or((&message, &message));
                    problems.push(format!("Dòng {n}, {vi}: {m_vi} / line {n}, {en}: {m_en}", n = l.number));
                }
            }
            if !seen.insert(input.short_name.trim().to_lowercase()) {
                problems.push(format!(
                    "Dòng {n}: tên viết tắt “{s}” trùng một dòng trước / line {n}: the short name “{s}” repeats an earlier line",
                    n = l.number,
                    s = input.short_name
                ));
            }
            input
        })
        .collect();
    if !problems.is_empty() {
        return Err(AppError::field("list", problems.join("\n")));
    }
    let txn = db.begin_write().await?;
    if issuers::find(&*txn, issuer_id).await?.is_none() || check_scope(actor, issuer_id, "issuer").is_err() {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    let mut made = Vec::with_capacity(inputs.len());
    for input in inputs {
        let short = input.short_name.clone();
        let m = units::insert(&*txn, new_unit(issuer_id, input, now)?).await.map_err(|e| {
            match AppError::from_db(e, "duplicate_unit", DUPLICATE) {
                AppError::Conflict { code: "duplicate_unit", .. } => AppError::field(
                    "list",
                    format!("Đã có đơn vị tên viết tắt “{short}” / a unit named “{short}” already exists"),
                ),
                other => other,
            }
        })?;
        audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
        made.push(to_model(m));
    }
    txn.commit().await?;
    Ok(made)
}

/// One unit.
pub async fn get_unit(db: &Db, actor: &Actor, id: Uuid) -> Result<Unit> {
    require(actor, Action::Read)?;
    let m = units::get(&db.conn, id).await?;
    check_scope(actor, m.issuer_id, "unit")?;
    Ok(to_model(m))
}

/// Replaces a unit's fields (its issuer cannot change).
pub async fn update_unit(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: UnitInput) -> Result<Unit> {
    require(actor, Action::ManageOrganisation)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = units::get(&*txn, id).await?;
    check_scope(actor, before.issuer_id, "unit")?;
    if before.issuer_id != input.issuer_id {
        return Err(AppError::field(
            "issuer_id",
            "Không đổi được cơ quan của đơn vị / a unit cannot move to another issuer",
        ));
    }
    let mut after = before.clone();
    fill(&mut after, input, now)?;
    let after = units::save(&*txn, after).await.map_err(|e| AppError::from_db(e, "duplicate_unit", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a unit that leads, co-operates on, or is named by nothing.
pub async fn delete_unit(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManageOrganisation)?;
    let txn = db.begin_write().await?;
    let before = units::get(&*txn, id).await?;
    check_scope(actor, before.issuer_id, "unit")?;
    let leads_or_helps = units::count_tasks(&*txn, id).await?;
    if leads_or_helps > 0 {
        return Err(AppError::conflict(
            "unit_has_tasks",
            format!(
                "Đơn vị đang chủ trì hoặc phối hợp {} nhiệm vụ; hãy cho ngừng hoạt động thay vì xóa / the unit still leads or co-operates on {} task(s); deactivate it instead",
                leads_or_helps, leads_or_helps
            ),
        ));
    }
    if units::count_people_and_proposals(&*txn, id).await? > 0 {
        return Err(AppError::conflict(
            "unit_in_use",
            "Đơn vị còn người dùng hoặc đề xuất gắn với nó / users or proposals still refer to the unit",
        ));
    }
    units::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Filter for [`list_units`].
#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    /// Only this issuer's units.
    pub issuer_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<String>,
}

/// Units by short name, in Vietnamese alphabetical order ("ĐC-XD" after "DC" and
/// before "VP"); an office has a few dozen, so they are ordered here, not by the
/// database's byte order.
pub async fn list_units(db: &Db, actor: &Actor, filter: UnitFilter, paging: Paging) -> Result<Page<Unit>> {
    require(actor, Action::Read)?;
    let issuers = [issuer_filter(actor), filter.issuer_id];
    let mut all = units::list(&db.conn, &issuers, filter.kind.as_deref()).await?;
    all.sort_by_cached_key(|u| (crate::domain::text::collation_key(&u.short_name), u.id));
    let total = all.len() as u64;
    let items = all.into_iter().skip(paging.offset() as usize).take(paging.per_page as usize);
    Ok(Page { items: items.map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}
