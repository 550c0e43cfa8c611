//! Rubrics: self-score → rating bands, per issuer, chosen per plan.

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_scope, issuer_filter, require};
use super::{audited, json_list, to_json, unknown_ref};
use crate::domain::access::Action;
use crate::domain::text;
use crate::domain::{self, rubric::RubricError};
use crate::error::{AppError, Check, Result};
use crate::model::{BandInput, Page, Paging, Rubric, RubricInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, issuers, plans, rubrics};

const ENTITY: &str = "rubrics";

/// Name of the preset every issuer starts with; plans without a rubric use it.
pub const REFERENCE_NAME: &str = "Mặc định: xuất sắc trên 90 điểm (báo cáo năm 2024)";
/// Name of the 2026 state rule preset.
pub const STATE_2026_NAME: &str = "Nghị định 335/2025: xuất sắc từ 90 điểm";

fn to_domain(bands: &[BandInput]) -> std::result::Result<domain::Rubric, RubricError> {
    domain::Rubric::new(
        bands
            .iter()
            .map(|b| domain::Band {
                label: b.label.trim().to_owned(),
                lower: b.lower,
                lower_inclusive: b.lower_inclusive,
                upper: b.upper,
                upper_inclusive: b.upper_inclusive,
            })
            .collect(),
    )
}

fn validate(i: &RubricInput) -> Result<domain::Rubric> {
    let mut check = Check::new();
    check.required("name", &i.name).line("name", &i.name, text::NAME).fail_if(
        i.bands.len() > 20,
        "bands",
        "Tối đa 20 mức / at most 20 bands",
    );
    for (n, b) in i.bands.iter().enumerate() {
        check.line(&format!("bands[{n}].label"), &b.label, text::NAME);
    }
    check.finish()?;
    to_domain(&i.bands).map_err(|e| {
        let vi = match &e {
            RubricError::Empty => "Cần ít nhất một mức".to_owned(),
            RubricError::EmptyLabel(n) => format!("Mức {n} chưa có tên"),
            RubricError::Gap(s) => format!("Không mức nào chứa điểm {s}"),
            RubricError::Overlap { score, .. } => format!("Điểm {score} thuộc hai mức"),
        };
        AppError::field("bands", format!("{vi} / {e}"))
    })
}

fn to_model(m: rubrics::Model) -> Rubric {
    Rubric {
        id: m.id,
        data: RubricInput { issuer_id: m.issuer_id, name: m.name, bands: json_list(&m.bands) },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn bands_json(r: &domain::Rubric) -> serde_json::Value {
    to_json(&r.bands())
}

/// A new rubric of `issuer_id` named `name` with the bands of `r`.
fn new_rubric(issuer_id: Uuid, name: &str, r: &domain::Rubric, now: DateTime<Utc>) -> rubrics::Model {
    rubrics::Model {
        id: Uuid::now_v7(),
        issuer_id,
        name: name.to_owned(),
        bands: bands_json(r),
        created_at: now,
        updated_at: now,
    }
}

/// Loads the rubric of a plan as a domain value.
pub(crate) async fn load<C: Conn>(db: &C, id: Uuid) -> Result<domain::Rubric> {
    let m = rubrics::get(db, id).await?;
    let bands: Vec<domain::Band> = json_list(&m.bands);
    domain::Rubric::new(bands).map_err(|e| AppError::Internal(format!("stored rubric {id} is invalid: {e}")))
}

/// The rubric a plan created without one gets: the state rule preset for 2026 and
/// later, else the issuer's oldest.
pub(crate) async fn default_for<C: Conn>(db: &C, issuer_id: Uuid, year: i32) -> Result<Uuid> {
    let all = rubrics::of_issuer(db, issuer_id).await?;
    // From 2026 civil servants are rated under Nghị định 335/2025 (xuất sắc from 90):
    // a plan of 2026 or later starts on that preset while the issuer keeps it.
    let state_rule = (year >= STATE_RULE_FROM).then(|| all.iter().find(|r| r.name == STATE_2026_NAME)).flatten();
    state_rule
        .or(all.first())
        .map(|r| r.id)
        .ok_or_else(|| AppError::field("rubric_id", "Cơ quan chưa có bộ tiêu chí / the issuer has no rubric"))
}

/// The first year whose plans default to the state rule.
pub const STATE_RULE_FROM: i32 = 2026;

/// Creates the two presets for a new issuer, the reference report's first.
pub(crate) async fn create_presets<C: Conn>(db: &C, actor: &Actor, now: DateTime<Utc>, issuer_id: Uuid) -> Result<()> {
    for (name, r) in [(REFERENCE_NAME, domain::Rubric::reference()), (STATE_2026_NAME, domain::Rubric::state_2026())] {
        let m = rubrics::insert(db, new_rubric(issuer_id, name, &r, now)).await?;
        audited(db, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    }
    Ok(())
}

/// Creates a rubric.
pub async fn create_rubric(db: &Db, actor: &Actor, now: DateTime<Utc>, input: RubricInput) -> Result<Rubric> {
    require(actor, Action::ManagePlan)?;
    let r = validate(&input)?;
    let txn = db.begin_write().await?;
    if issuers::find(&*txn, input.issuer_id).await?.is_none() || check_scope(actor, input.issuer_id, "issuer").is_err()
    {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    let m = rubrics::insert(&*txn, new_rubric(input.issuer_id, input.name.trim(), &r, now)).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One rubric.
pub async fn get_rubric(db: &Db, actor: &Actor, id: Uuid) -> Result<Rubric> {
    require(actor, Action::Read)?;
    let m = rubrics::get(&db.conn, id).await?;
    check_scope(actor, m.issuer_id, "rubric")?;
    Ok(to_model(m))
}

/// Replaces a rubric's name and bands.
pub async fn update_rubric(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: RubricInput) -> Result<Rubric> {
    require(actor, Action::ManagePlan)?;
    let r = validate(&input)?;
    let txn = db.begin_write().await?;
    let before = rubrics::get(&*txn, id).await?;
    check_scope(actor, before.issuer_id, "rubric")?;
    if before.issuer_id != input.issuer_id {
        return Err(AppError::field("issuer_id", "Không đổi được cơ quan / the issuer cannot change"));
    }
    let changed =
        rubrics::Model { name: input.name.trim().to_owned(), bands: bands_json(&r), updated_at: now, ..before.clone() };
    let after = rubrics::save(&*txn, changed).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a rubric no plan uses.
pub async fn delete_rubric(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = rubrics::get(&*txn, id).await?;
    check_scope(actor, before.issuer_id, "rubric")?;
    if plans::count_with_rubric(&*txn, id).await? > 0 {
        return Err(AppError::conflict(
            "rubric_in_use",
            "Bộ tiêu chí đang được kế hoạch sử dụng / a plan uses this rubric",
        ));
    }
    rubrics::remove(&*txn, id).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Rubrics, oldest first.
pub async fn list_rubrics(db: &Db, actor: &Actor, issuer_id: Option<Uuid>, paging: Paging) -> Result<Page<Rubric>> {
    require(actor, Action::Read)?;
    let issuers = [issuer_filter(actor), issuer_id];
    let (items, total) = rubrics::page(&db.conn, &issuers, paging.offset(), paging.per_page).await?;
    Ok(Page { items: items.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}
