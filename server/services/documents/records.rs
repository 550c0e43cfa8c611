//! Documents: reports, plans and letters being drafted; issuing comes with the
//! workflow capability. Only drafts can be edited or deleted here.
//!
//! Before signing, the signer's page says who drafted and submitted the document, its
//! recipients, the certificate that will sign, and after a return which parts changed
//! (`sign_off`, read from the document's audit trail).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::access::Action;
use crate::domain::text;
use crate::domain::{DocumentKind, DocumentState};
use crate::error::{AppError, Check, Result};
use crate::model::{Document, DocumentInput, Page, Paging};
use crate::services::access::{in_scope, issuer_filter, require};
use crate::services::{audited, is_email, json_list, not_found, to_json, unknown_ref};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{documents, issuers, plans, users};

const ENTITY: &str = "documents";

pub(crate) fn validate(i: &DocumentInput) -> Result<()> {
    let mut check = Check::new();
    check
        .fail_if(
            i.kind.parse::<DocumentKind>().is_err(),
            "kind",
            &format!("Phải là / must be one of: {}", DocumentKind::codes()),
        )
        .required("subject", &i.subject)
        .line("subject", &i.subject, text::LINE)
        .opt_line("signer_collective", i.signer_collective.as_deref(), text::NAME)
        .opt_line("signer_head_title", i.signer_head_title.as_deref(), text::NAME)
        .opt_line("signer_position", i.signer_position.as_deref(), text::NAME)
        .line("signer_name", &i.signer_name, text::NAME)
        .opt_line("drafting_unit", i.drafting_unit.as_deref(), text::CODE)
        .date("dated_on", i.dated_on.map(Into::into))
        .fail_if(i.legal_bases.len() > 50, "legal_bases", "Tối đa 50 dòng / at most 50 lines")
        .fail_if(i.recipients.len() > 200, "recipients", "Tối đa 200 nơi nhận / at most 200 recipients");
    for (field, message) in signer_block(i).problems(false) {
        check.add(field, message);
    }
    if let Some(o) = &i.opening {
        check.paragraphs("opening", o, text::SECTION);
    }
    if let Some(c) = &i.closing {
        check.paragraphs("closing", c, text::SECTION);
    }
    for (slot, text) in i.sections.slots() {
        if let Some(v) = text {
            check.paragraphs(&format!("sections.{slot}"), v, text::SECTION);
        }
    }
    for (n, line) in i.legal_bases.iter().enumerate() {
        check.required(&format!("legal_bases[{n}]"), line);
        check.line(&format!("legal_bases[{n}]"), line, text::LINE);
    }
    for (n, r) in i.recipients.iter().enumerate() {
        check.required(&format!("recipients[{n}].label"), &r.label);
        check.line(&format!("recipients[{n}].label"), &r.label, text::LINE);
        check.fail_if(
            r.emails.len() > 20,
            &format!("recipients[{n}].emails"),
            "Tối đa 20 địa chỉ / at most 20 addresses",
        );
        for (k, e) in r.emails.iter().enumerate() {
            check.fail_if(
                !is_email(e),
                &format!("recipients[{n}].emails[{k}]"),
                "Địa chỉ e-mail không hợp lệ / not an e-mail address",
            );
            check.line(&format!("recipients[{n}].emails[{k}]"), e, text::EMAIL);
        }
    }
    check.finish()
}

/// Checks what the input refers to. A signer's account chosen with no name typed
/// gives the signature block that person's name.
async fn check_refs(db: &impl Conn, actor: &Actor, i: &mut DocumentInput) -> Result<issuers::Model> {
    let issuer = issuers::find(db, i.issuer_id)
        .await?
        .filter(|x| in_scope(actor, x.id))
        .ok_or_else(|| AppError::field("issuer_id", unknown_ref("cơ quan / issuer")))?;
    if let Some(p) = i.plan_id {
        match plans::find(db, p).await? {
            Some(plan) if plan.issuer_id == i.issuer_id => {}
            _ => return Err(AppError::field("plan_id", unknown_ref("kế hoạch / plan"))),
        }
    }
    if let Some(u) = i.signer_user_id {
        match users::find(db, u).await? {
            Some(user) if user.issuer_id == i.issuer_id => {
                if i.signer_name.trim().is_empty() {
                    i.signer_name = user.name;
                }
            }
            _ => {
                return Err(AppError::field("signer_user_id", unknown_ref("người dùng / user")));
            }
        }
    }
    Ok(issuer)
}

/// The symbol after the number: "BC-UBND", or for a letter "UBND-VP".
pub fn symbol(kind: DocumentKind, issuer_abbreviation: &str, drafting_unit: Option<&str>) -> String {
    match kind.abbreviation() {
        Some(t) => format!("{t}-{issuer_abbreviation}"),
        None => match drafting_unit.filter(|d| !d.trim().is_empty()) {
            Some(d) => format!("{issuer_abbreviation}-{}", d.trim()),
            None => issuer_abbreviation.to_owned(),
        },
    }
}

/// The signature block a document input describes.
pub(crate) fn signer_block(i: &DocumentInput) -> crate::domain::signer::SignerBlock<'_> {
    crate::domain::signer::SignerBlock {
        collective: i.signer_collective.as_deref(),
        authority: i.signer_authority.into(),
        head_title: i.signer_head_title.as_deref(),
        position: i.signer_position.as_deref(),
        name: &i.signer_name,
    }
}

/// The signature block of a stored document.
pub(crate) fn stored_signer_block(m: &documents::Model) -> crate::domain::signer::SignerBlock<'_> {
    crate::domain::signer::SignerBlock {
        collective: m.signer_collective.as_deref(),
        authority: m.signer_authority.as_deref().and_then(|a| a.parse().ok()).unwrap_or_default(),
        head_title: m.signer_head_title.as_deref(),
        position: Some(m.signer_position.as_str()).filter(|p| !p.trim().is_empty()),
        name: &m.signer_name,
    }
}

pub(crate) fn to_model(m: documents::Model, issuer_abbreviation: &str) -> Document {
    Document {
        id: m.id,
        symbol: symbol(m.kind, issuer_abbreviation, m.drafting_unit.as_deref()),
        data: DocumentInput {
            issuer_id: m.issuer_id,
            plan_id: m.plan_id,
            kind: m.kind.into(),
            subject: m.subject,
            legal_bases: json_list(&m.legal_bases),
            opening: m.opening,
            sections: serde_json::from_value(m.sections).unwrap_or_default(),
            closing: m.closing,
            recipients: json_list(&m.recipients),
            signer_authority: m
                .signer_authority
                .as_deref()
                .and_then(|a| a.parse::<crate::domain::signer::Authority>().ok())
                .unwrap_or_default()
                .into(),
            signer_collective: m.signer_collective,
            signer_head_title: m.signer_head_title,
            signer_position: Some(m.signer_position).filter(|p| !p.trim().is_empty()),
            signer_name: m.signer_name,
            signer_user_id: m.signer_user_id,
            drafting_unit: m.drafting_unit,
            dated_on: m.dated_on.map(Into::into),
        },
        state: m.state,
        number: m.number,
        issued_at: m.issued_at,
        pdf_sha256: m.pdf_sha256,
        signed_pdf_sha256: m.signed_pdf_sha256,
        replaces_id: m.replaces_id,
        correction_reason: m.correction_reason,
        approved_by: m.approved_by,
        approved_at: m.approved_at,
        review_comment: m.review_comment,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn fill(m: &mut documents::Model, i: DocumentInput, now: DateTime<Utc>) -> Result<()> {
    m.plan_id = i.plan_id;
    m.kind = i.kind.checked("kind")?;
    m.subject = i.subject.trim().to_owned();
    m.legal_bases = to_json(&i.legal_bases);
    m.opening = i.opening;
    m.sections = to_json(&i.sections);
    m.closing = i.closing;
    m.recipients = to_json(&i.recipients);
    let authority: crate::domain::signer::Authority = i.signer_authority.into();
    m.signer_authority = Some(authority.code().to_owned());
    m.signer_collective = i.signer_collective.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    m.signer_head_title = i.signer_head_title.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    m.signer_position = i.signer_position.unwrap_or_default().trim().to_owned();
    m.signer_name = i.signer_name.trim().to_owned();
    m.signer_user_id = i.signer_user_id;
    m.drafting_unit = i.drafting_unit.filter(|s| !s.trim().is_empty());
    m.dated_on = i.dated_on.map(Into::into);
    m.updated_at = now;
    Ok(())
}

/// A new draft of `issuer_id`, made at `now`, with no content yet (see [`fill`]).
fn new_draft(issuer_id: Uuid, now: DateTime<Utc>) -> documents::Model {
    documents::Model {
        id: Uuid::now_v7(),
        issuer_id,
        plan_id: None,
        kind: DocumentKind::Report,
        state: DocumentState::Draft,
        subject: String::new(),
        legal_bases: serde_json::Value::Null,
        opening: None,
        sections: serde_json::Value::Null,
        closing: None,
        recipients: serde_json::Value::Null,
        signer_authority: None,
        signer_collective: None,
        signer_head_title: None,
        signer_position: String::new(),
        signer_name: String::new(),
        signer_user_id: None,
        drafting_unit: None,
        number: None,
        dated_on: None,
        issued_at: None,
        pdf_sha256: None,
        replaces_id: None,
        approved_by: None,
        approved_at: None,
        review_comment: None,
        issued_year: None,
        pdf_key: None,
        signed_pdf_key: None,
        signed_pdf_sha256: None,
        signing_layout: None,
        correction_reason: None,
        about_units: None,
        report_by: None,
        created_at: now,
        updated_at: now,
    }
}

/// Creates a draft document.
pub async fn create_document(db: &Db, actor: &Actor, now: DateTime<Utc>, input: DocumentInput) -> Result<Document> {
    require(actor, Action::ManageDocument)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let m = insert(&*txn, actor, now, input).await?;
    txn.commit().await?;
    Ok(m)
}

/// Inserts a checked draft inside the caller's transaction.
pub(crate) async fn insert(
    txn: &impl Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    input: DocumentInput,
) -> Result<Document> {
    insert_with(txn, actor, now, input, |_| {}).await
}

/// [`insert`], with `finish` filling in what the input does not carry before the row is stored.
pub(crate) async fn insert_with(
    txn: &impl Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    mut input: DocumentInput,
    finish: impl FnOnce(&mut documents::Model),
) -> Result<Document> {
    let issuer = check_refs(txn, actor, &mut input).await?;
    let mut m = new_draft(input.issuer_id, now);
    fill(&mut m, input, now)?;
    finish(&mut m);
    let m = documents::insert(txn, m).await?;
    audited(
        txn,
        actor,
        now,
        crate::services::Change::of(crate::domain::AuditAction::Create, ENTITY, m.id, None, Some(&m)),
    )
    .await?;
    Ok(to_model(m, &issuer.abbreviation))
}

/// Whether the actor may read this document: its issuer, and for a unit officer
/// only what has been issued (drafts are the office's and the signer's).
pub(crate) fn visible(actor: &Actor, m: &documents::Model) -> bool {
    in_scope(actor, m.issuer_id)
        && (actor.role != Some(Role::UnitOfficer)
            || m.state == DocumentState::Issued
            || m.state == DocumentState::Replaced)
}

/// Loads a document the actor may read, with its issuer.
pub(crate) async fn load(db: &impl Conn, actor: &Actor, id: Uuid) -> Result<(documents::Model, issuers::Model)> {
    let m = documents::find(db, id).await?.filter(|m| visible(actor, m)).ok_or_else(|| not_found("document"))?;
    let issuer = issuers::find(db, m.issuer_id).await?.ok_or_else(|| not_found("issuer"))?;
    Ok((m, issuer))
}

/// One document.
pub async fn get_document(db: &Db, actor: &Actor, id: Uuid) -> Result<Document> {
    require(actor, Action::Read)?;
    let (m, issuer) = load(&db.conn, actor, id).await?;
    Ok(to_model(m, &issuer.abbreviation))
}

pub(crate) fn ensure_draft(m: &documents::Model) -> Result<()> {
    if m.state == DocumentState::Draft {
        Ok(())
    } else {
        Err(AppError::conflict(
            "document_not_draft",
            format!(
                "Chỉ sửa hoặc xóa được dự thảo; văn bản đang ở trạng thái {} / only drafts can be changed; this one is {}",
                m.state, m.state
            ),
        ))
    }
}

/// Replaces a draft's fields.
pub async fn update_document(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: DocumentInput,
) -> Result<Document> {
    require(actor, Action::ManageDocument)?;
    let txn = db.begin_write().await?;
    let (after, issuer) = apply_update(&*txn, actor, now, id, input).await?;
    txn.commit().await?;
    Ok(to_model(after, &issuer.abbreviation))
}

/// Checks and writes a draft's new fields inside the caller's transaction (for
/// [`update_document`] and for saving on the way to submission).
pub(crate) async fn apply_update(
    c: &impl Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    mut input: DocumentInput,
) -> Result<(documents::Model, issuers::Model)> {
    validate(&input)?;
    let (before, _) = load(c, actor, id).await?;
    ensure_draft(&before)?;
    if before.issuer_id != input.issuer_id {
        return Err(AppError::field("issuer_id", "Không đổi được cơ quan / the issuer cannot change"));
    }
    let issuer = check_refs(c, actor, &mut input).await?;
    let mut after = before.clone();
    fill(&mut after, input, now)?;
    let after = documents::save(c, after).await?;
    audited(
        c,
        actor,
        now,
        crate::services::Change::of(crate::domain::AuditAction::Update, ENTITY, id, Some(&before), Some(&after)),
    )
    .await?;
    Ok((after, issuer))
}

/// Deletes a draft.
pub async fn delete_document(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManageDocument)?;
    let txn = db.begin_write().await?;
    let (before, _) = load(&*txn, actor, id).await?;
    ensure_draft(&before)?;
    documents::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "in_use", ""))?;
    audited(
        &*txn,
        actor,
        now,
        crate::services::Change::of(crate::domain::AuditAction::Delete, ENTITY, id, Some(&before), None),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Filter for [`list_documents`].
#[derive(Debug, Default, Clone)]
pub struct DocumentFilter {
    /// Only this issuer's.
    pub issuer_id: Option<Uuid>,
    /// Only those about this plan.
    pub plan_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only in this state.
    pub state: Option<String>,
}

/// Documents, newest first.
pub async fn list_documents(db: &Db, actor: &Actor, f: DocumentFilter, paging: Paging) -> Result<Page<Document>> {
    require(actor, Action::Read)?;
    let listing = documents::Listing {
        issuers: [issuer_filter(actor), f.issuer_id].into_iter().flatten().collect(),
        published_only: actor.role == Some(Role::UnitOfficer),
        plan_id: f.plan_id,
        kind: f.kind,
        state: f.state,
    };
    let (rows, total) = documents::page(&db.conn, &listing, paging.offset(), paging.per_page).await?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.issuer_id).collect();
    let abbr = issuers::abbreviations(&db.conn, ids).await?;
    let items = rows
        .into_iter()
        .map(|d| {
            let a = abbr.get(&d.issuer_id).cloned().unwrap_or_default();
            to_model(d, &a)
        })
        .collect();
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}

/// What the signer sees before signing: who drafted and submitted the document and
/// when, and — if it came back after being returned — the comment and what changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignOff {
    /// Who drafted it (their name).
    pub drafted_by: Option<String>,
    /// When it was drafted.
    pub drafted_at: Option<DateTime<Utc>>,
    /// Who submitted it for signing.
    pub submitted_by: Option<String>,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was last returned to the office, with the signer's comment.
    pub returned_at: Option<DateTime<Utc>>,
    /// The signer's comment on that return.
    pub return_comment: Option<String>,
    /// The parts changed since it was returned (Vietnamese names), in print order.
    pub changed: Vec<&'static str>,
}

/// The parts of a document as the signer names them, in print order.
const PARTS: &[(&str, &str)] = &[
    ("subject", "Trích yếu"),
    ("legal_bases", "Căn cứ"),
    ("opening", "Phần mở đầu"),
    ("sections", "Nội dung"),
    ("closing", "Phần kết"),
    ("recipients", "Nơi nhận"),
    ("signer_authority", "Thẩm quyền ký"),
    ("signer_collective", "Thẩm quyền ký"),
    ("signer_head_title", "Chức danh người đứng đầu"),
    ("signer_position", "Chức vụ người ký"),
    ("signer_name", "Người ký"),
    ("signer_user_id", "Người ký"),
    ("drafting_unit", "Đơn vị soạn thảo"),
];

/// The sign-off summary of a document the actor may read, from its audit trail.
pub async fn sign_off(db: &Db, actor: &Actor, id: Uuid) -> Result<SignOff> {
    require(actor, Action::Read)?;
    let (doc, _) = load(&db.conn, actor, id).await?;
    let events = crate::storage::audit::all_events_of(&db.conn, "documents", doc.id).await?;
    let created = events.iter().find(|e| e.action == crate::domain::AuditAction::Create);
    let submitted = events.iter().rev().find(|e| e.action == crate::domain::AuditAction::Submit);
    let returned = events.iter().rev().find(|e| e.action == crate::domain::AuditAction::SendBack);
    let ids: Vec<Uuid> = [created, submitted].iter().flatten().filter_map(|e| e.actor_id).collect();
    let names: HashMap<Uuid, String> =
        if ids.is_empty() { HashMap::new() } else { crate::storage::queries::user_names(&db.conn, ids).await? };
    let name_of = |who: Option<Uuid>| who.and_then(|u| names.get(&u).cloned());
    // What differs between the document as it was returned and as it is now.
    let mut changed = Vec::new();
    if let Some(then) = returned.and_then(|e| e.after.as_ref()) {
        let now = serde_json::to_value(&doc).unwrap_or_default();
        for (key, label) in PARTS {
            if then.get(*key) != now.get(*key) && !changed.contains(label) {
                changed.push(*label);
            }
        }
    }
    Ok(SignOff {
        drafted_by: name_of(created.and_then(|e| e.actor_id)),
        drafted_at: created.map(|e| e.at),
        submitted_by: name_of(submitted.and_then(|e| e.actor_id)),
        submitted_at: submitted.map(|e| e.at),
        returned_at: returned.map(|e| e.at),
        return_comment: returned.and_then(|e| e.after.as_ref()?.get("review_comment")?.as_str().map(str::to_owned)),
        changed,
    })
}
