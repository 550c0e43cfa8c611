//! Issuers: the bodies that issue documents. Creating one also creates its two
//! preset rubrics (the reference report's, the default, and the 2026 state rule).

use crate::domain::AuditAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{allowed, check_scope, issuer_filter, require};
use super::{audited, rubrics};
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{Issuer, IssuerInput, Page, Paging};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db, issuers};

const ENTITY: &str = "issuers";

pub(crate) fn validate(i: &IssuerInput) -> Result<()> {
    let mut check = Check::new();
    check
        .fail_if(i.name_lines.is_empty(), "name_lines", "Cần tên cơ quan / the issuer's name is required")
        .fail_if(i.name_lines.len() > 3, "name_lines", "Tối đa 3 dòng / at most 3 lines")
        .fail_if(i.parent_lines.len() > 2, "parent_lines", "Tối đa 2 dòng / at most 2 lines");
    for (field, lines) in [("name_lines", &i.name_lines), ("parent_lines", &i.parent_lines)] {
        for (n, l) in lines.iter().enumerate() {
            check.required(&format!("{field}[{n}]"), l).line(&format!("{field}[{n}]"), l, text::NAME);
        }
    }
    // A People's Committee's name is its own, broken over two lines: not a parent line.
    check.fail_if(
        i.parent_lines.iter().any(|l| l.trim().to_uppercase() == "ỦY BAN NHÂN DÂN"),
        "parent_lines",
        "\"ỦY BAN NHÂN DÂN\" là dòng đầu tên của chính Ủy ban (in đậm), không phải cơ quan chủ quản: đưa lên dòng đầu của tên cơ quan \
         / \"ỦY BAN NHÂN DÂN\" is the first line of the committee's own name (bold), not a parent body: put it in name_lines",
    );
    check
        .required("code", &i.code)
        .fail_if(
            !i.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "code",
            "Chỉ gồm chữ thường không dấu, số và '-' / lowercase ASCII letters, digits and '-' only",
        )
        .required("abbreviation", &i.abbreviation)
        .required("place_name", &i.place_name)
        .required("full_name", &i.full_name)
        .required("short_name", &i.short_name)
        .required("head_title", &i.head_title)
        .line("code", &i.code, text::CODE)
        .line("abbreviation", &i.abbreviation, text::CODE)
        .line("place_name", &i.place_name, text::NAME)
        .line("full_name", &i.full_name, text::NAME)
        .line("short_name", &i.short_name, text::NAME)
        .opt_line("subordinates_name", i.subordinates_name.as_deref(), text::NAME)
        .opt_line("collective_title", i.collective_title.as_deref(), text::NAME)
        .line("head_title", &i.head_title, text::NAME)
        .opt_line("deputy_title", i.deputy_title.as_deref(), text::NAME)
        .finish()
}

fn to_model(m: issuers::Model) -> Issuer {
    Issuer {
        id: m.id,
        data: IssuerInput {
            code: m.code,
            name_lines: m.name_lines.as_ref().map(super::json_list).unwrap_or_default(),
            parent_lines: m.parent_lines.as_ref().map(super::json_list).unwrap_or_default(),
            abbreviation: m.abbreviation,
            place_name: m.place_name,
            full_name: m.full_name,
            short_name: m.short_name,
            subordinates_name: m.subordinates_name,
            collective_title: m.collective_title,
            head_title: m.head_title,
            deputy_title: m.deputy_title,
        },
        has_seal_image: m.seal_image.is_some(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn fill(m: &mut issuers::Model, i: IssuerInput, now: DateTime<Utc>) {
    m.code = i.code.trim().to_owned();
    let lines = |ls: Vec<String>| super::to_json(&ls.into_iter().map(|l| l.trim().to_owned()).collect::<Vec<_>>());
    m.name_lines = Some(lines(i.name_lines));
    m.parent_lines = Some(lines(i.parent_lines));
    m.abbreviation = i.abbreviation;
    m.place_name = i.place_name;
    m.full_name = i.full_name;
    m.short_name = i.short_name;
    m.subordinates_name = i.subordinates_name;
    m.collective_title = i.collective_title;
    m.head_title = i.head_title;
    m.deputy_title = i.deputy_title;
    m.updated_at = now;
}

const DUPLICATE: &str = "Mã cơ quan đã tồn tại / an issuer with this code exists";

/// Creates an issuer with its preset rubrics (a server administrator).
pub async fn create_issuer(db: &Db, actor: &Actor, now: DateTime<Utc>, input: IssuerInput) -> Result<Issuer> {
    require(actor, Action::ManageServer)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let m = insert(&*txn, actor, now, input).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// Inserts a validated issuer with its preset rubrics inside the caller's transaction.
pub(crate) async fn insert<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    input: IssuerInput,
) -> Result<issuers::Model> {
    let mut m = issuers::Model {
        id: Uuid::now_v7(),
        code: String::new(),
        abbreviation: String::new(),
        place_name: String::new(),
        full_name: String::new(),
        short_name: String::new(),
        subordinates_name: None,
        collective_title: None,
        head_title: String::new(),
        deputy_title: None,
        seal_image: None,
        name_lines: None,
        parent_lines: None,
        deadline_rules: None,
        created_at: now,
        updated_at: now,
    };
    fill(&mut m, input, now);
    let m = issuers::insert(txn, m).await.map_err(|e| AppError::from_db(e, "duplicate_issuer_code", DUPLICATE))?;
    audited(txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    rubrics::create_presets(txn, actor, now, m.id).await?;
    Ok(m)
}

/// One issuer: the reader's own, or any for a server administrator.
pub async fn get_issuer(db: &Db, actor: &Actor, id: Uuid) -> Result<Issuer> {
    let m = issuers::get(&db.conn, id).await?;
    if !allowed(actor, Action::ManageServer) {
        require(actor, Action::Read)?;
        check_scope(actor, m.id, "issuer")?;
    }
    Ok(to_model(m))
}

/// Fails unless the actor may change issuer `id`: its own office's administrator, or
/// a server administrator.
fn check_manages(actor: &Actor, id: Uuid) -> Result<()> {
    if allowed(actor, Action::ManageServer) {
        return Ok(());
    }
    require(actor, Action::ManageOrganisation)?;
    check_scope(actor, id, "issuer")
}

/// Replaces an issuer's fields.
pub async fn update_issuer(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: IssuerInput) -> Result<Issuer> {
    check_manages(actor, id)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = issuers::get(&*txn, id).await?;
    let mut after = before.clone();
    fill(&mut after, input, now);
    let after =
        issuers::save(&*txn, after).await.map_err(|e| AppError::from_db(e, "duplicate_issuer_code", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes an issuer that holds nothing yet (a server administrator).
pub async fn delete_issuer(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManageServer)?;
    let txn = db.begin_write().await?;
    let before = issuers::get(&*txn, id).await?;
    super::integrity::ensure_issuer_deletable(&*txn, id).await?;
    issuers::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// The issuers the actor sees, by code: their own, or every one for a server administrator.
pub async fn list_issuers(db: &Db, actor: &Actor, paging: Paging) -> Result<Page<Issuer>> {
    let only = if allowed(actor, Action::ManageServer) {
        None
    } else {
        require(actor, Action::Read)?;
        issuer_filter(actor)
    };
    let (items, total) = issuers::page(&db.conn, only, paging.offset(), paging.per_page).await?;
    Ok(Page { items: items.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}
