//! A document's way out: draft → submitted for approval → approved by the signer
//! (the sign-off) → issued by the office, which assigns the next number of the
//! issuer's counter for that kind and year, sets the date, renders the PDF once and
//! freezes it with its SHA-256. An issued document never changes; a correction is a
//! new document that replaces it, and both are kept.
//!
//! Issuing runs in one transaction: the issuer's counter row for (kind, year) is
//! incremented with an UPDATE (concurrent issuers queue on the row lock; on SQLite on the
//! writer slot), the view model is read through the same transaction, the PDF is rendered
//! and stored, its SHA-256 recorded. Any failure rolls back and removes the file.

use crate::services::Tools;
use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::DocumentState;
use crate::domain::access::Action;
use crate::services::access::require;
use crate::services::documents::{load, to_model};
use crate::services::{audited, local_date, printing};

use crate::error::{AppError, Result};
use crate::model::Document;
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{document_counters, documents, issuers};

const ENTITY: &str = "documents";

fn wrong_state(m: &documents::Model, wanted: &str) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!(
            "Văn bản đang ở trạng thái {}, cần ở trạng thái {wanted} / the document is {}, it must be {wanted}",
            m.state, m.state
        ),
    )
}

/// One step of the life cycle: what the audit log calls it, and the states it
/// goes from and to.
struct Move {
    action: crate::domain::AuditAction,
    from: DocumentState,
    to: DocumentState,
}

/// A transition that only changes the state (and who/when/comment).
async fn transition(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    step: Move,
    comment: Option<String>,
) -> Result<Document> {
    let Move { action, from, to } = step;
    let txn = db.begin_write().await?;
    let (before, issuer) = load(&*txn, actor, id).await?;
    if before.state != from {
        return Err(wrong_state(&before, from.code()));
    }
    let mut after = before.clone();
    after.state = to;
    after.updated_at = now;
    match to {
        DocumentState::Approved => {
            after.approved_by = actor.user_id;
            after.approved_at = Some(now);
            after.review_comment = None;
        }
        DocumentState::Draft if from == DocumentState::Submitted => after.review_comment = comment,
        _ => {}
    }
    let after = documents::save(&*txn, after).await?;
    audited(&*txn, actor, now, crate::services::Change::of(action, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after, &issuer.abbreviation))
}

/// The office sends a draft to the signer, once the Nghị định 30 check finds no
/// error in it (its warnings do not block). The check reads the draft as it is
/// now; a draft changed while it was checked is refused, to be submitted again.
pub async fn submit_document(t: Tools<'_>, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Document> {
    let Tools { db, renderer, files, signing } = t;
    require(actor, Action::ManageDocument)?;
    let (checked, _) = load(&db.conn, actor, id).await?;
    if checked.state != DocumentState::Draft {
        return Err(wrong_state(&checked, DocumentState::Draft.code()));
    }
    let findings =
        crate::services::checks::check_document(db, renderer, files, actor, id, now, signing.images_required).await?;
    if crate::domain::check::has_errors(&findings) {
        return Err(AppError::CheckFailed(findings));
    }
    let txn = db.begin_write().await?;
    let (before, issuer) = load(&*txn, actor, id).await?;
    if before.updated_at != checked.updated_at {
        return Err(AppError::conflict(
            "document_changed",
            "Văn bản vừa được sửa trong lúc kiểm tra; hãy trình lại / the document changed while it was checked; submit again",
        ));
    }
    if before.state != DocumentState::Draft {
        return Err(wrong_state(&before, DocumentState::Draft.code()));
    }
    let after = mark_submitted(&*txn, actor, now, &before).await?;
    txn.commit().await?;
    Ok(to_model(after, &issuer.abbreviation))
}

/// Moves a checked draft to `submitted`, audited, inside the caller's transaction.
async fn mark_submitted(
    c: &impl Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &documents::Model,
) -> Result<documents::Model> {
    let mut after = before.clone();
    after.state = DocumentState::Submitted;
    after.updated_at = now;
    let after = documents::save(c, after).await?;
    audited(
        c,
        actor,
        now,
        crate::services::Change::of(crate::domain::AuditAction::Submit, ENTITY, before.id, Some(before), Some(&after)),
    )
    .await?;
    Ok(after)
}

/// What became of "save and submit": the document as saved, and the check's
/// findings when they kept it from being submitted.
#[derive(Debug)]
pub struct SaveAndSubmit {
    /// The saved document (state `submitted` when it went through).
    pub document: Document,
    /// Empty when submitted; the errors (and warnings) otherwise.
    pub findings: Vec<crate::domain::check::Finding>,
}

/// The office's "submit" from the edit form: saves what is typed and, if the
/// Nghị định 30 check of the saved text passes, submits it — one transaction.
/// A failing check keeps the saved text (nothing typed is lost) and says why the
/// document was not submitted.
pub async fn save_and_submit(
    t: Tools<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: crate::model::DocumentInput,
) -> Result<SaveAndSubmit> {
    require(actor, Action::ManageDocument)?;
    let Tools { db, renderer, files, signing } = t;
    let txn = db.begin_write().await?;
    let (saved, issuer) = crate::services::documents::apply_update(&*txn, actor, now, id, input).await?;
    let mut findings =
        crate::services::checks::data_findings(&*txn, &saved, &issuer, now, signing.images_required).await?;
    let printable = printing::printable(&*txn, files.as_ref(), id).await?;
    findings.extend(crate::services::checks::pdf_findings(printing::render(renderer, printable).await?).await?);
    if crate::domain::check::has_errors(&findings) {
        txn.commit().await?;
        return Ok(SaveAndSubmit { document: to_model(saved, &issuer.abbreviation), findings });
    }
    let after = mark_submitted(&*txn, actor, now, &saved).await?;
    txn.commit().await?;
    Ok(SaveAndSubmit { document: to_model(after, &issuer.abbreviation), findings: Vec::new() })
}

/// The signer approves a submitted document (the sign-off). With signing on, the
/// copy to sign is rendered and signed with the signer's key in the same step.
pub async fn approve_document(t: Tools<'_>, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Document> {
    let Tools { db, signing, .. } = t;
    require(actor, Action::SignDocument)?;
    let (doc, issuer) = load(&db.conn, actor, id).await?;
    crate::services::images::ensure_images(&db.conn, signing.images_required, &doc, &issuer, false).await?;
    if signing.enabled {
        return crate::services::signatures::approve_and_sign(t, actor, now, id).await;
    }
    transition(
        db,
        actor,
        now,
        id,
        Move {
            action: crate::domain::AuditAction::Approve,
            from: DocumentState::Submitted,
            to: DocumentState::Approved,
        },
        None,
    )
    .await
}

/// The signer sends a submitted document back to the office with a comment.
pub async fn send_back_document(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    comment: Option<String>,
) -> Result<Document> {
    require(actor, Action::SignDocument)?;
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if let Some(c) = &comment {
        crate::error::Check::new().paragraphs("comment", c, crate::domain::text::TEXT).finish()?;
    }
    if comment.is_none() {
        return Err(AppError::field("comment", "Cần nêu lý do / a comment is required"));
    }
    transition(
        db,
        actor,
        now,
        id,
        Move { action: crate::domain::AuditAction::SendBack, from: DocumentState::Submitted, to: DocumentState::Draft },
        comment,
    )
    .await
}

/// Issues an approved document: number, date, the PDF rendered once and frozen.
/// With signing on, the signer-signed copy gets its number, date and seal and the
/// agency's signature instead. Everything happens in one transaction; if
/// rendering, signing or storing fails, nothing changes.
pub async fn issue_document(t: Tools<'_>, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Document> {
    let Tools { db, renderer, files, signing } = t;
    require(actor, Action::ManageDocument)?;
    let txn = db.begin_write().await?;
    let (before, issuer) = load(&*txn, actor, id).await?;
    if before.state != DocumentState::Approved {
        return Err(wrong_state(&before, DocumentState::Approved.code()));
    }
    // A missing image or key stops here, before a number is taken.
    crate::services::images::ensure_images(&*txn, signing.images_required, &before, &issuer, true).await?;
    let agency_key = match signing.enabled {
        true => Some(crate::services::signatures::issuer_key(&*txn, signing, &issuer, now).await?),
        false => None,
    };
    let date = local_date(now);
    // The increment is an UPDATE, so concurrent issuers queue on the counter row until commit.
    let number = document_counters::next_number(&*txn, before.issuer_id, date.year(), before.kind.code())
        .await?
        .ok_or_else(|| AppError::Internal("document counter vanished".into()))?;
    // The check again, of the date issuing is about to stamp. Here, under the
    // counter's lock, another report of the plan issued a moment ago is seen; a
    // refusal rolls back, so the number is never used.
    let stamped = documents::Model { dated_on: Some(date), ..before.clone() };
    let findings =
        crate::services::checks::data_findings(&*txn, &stamped, &issuer, now, signing.images_required).await?;
    if crate::domain::check::has_errors(&findings) {
        return Err(AppError::CheckFailed(findings));
    }
    let mut issued = before.clone();
    issued.state = DocumentState::Issued;
    issued.number = Some(number);
    issued.issued_year = Some(date.year());
    issued.dated_on = Some(date);
    issued.issued_at = Some(now);
    issued.updated_at = now;
    documents::save(&*txn, issued)
        .await
        .map_err(|e| AppError::from_db(e, "duplicate_number", "Số văn bản đã được dùng / number already used"))?;

    let pdf = match (agency_key, &before.signed_pdf_key) {
        (Some(key), Some(signed)) => {
            let base = crate::services::signatures::get_file(files, signed).await?;
            let seal = match &issuer.seal_image {
                Some(k) => crate::services::signatures::get_file(files, k).await.ok(),
                None => None,
            };
            let layout = before.signing_layout.as_ref();
            let tsa = signing.tsa.clone();
            let registration = crate::services::signature_agency::Registration { number, date, layout, seal };
            crate::services::signatures::agency_sign(base, registration, &issuer, key, tsa, now).await?
        }
        (Some(key), None) => {
            // Approved before signing was switched on: the agency signs the printed copy.
            let printable = printing::printable(&*txn, files.as_ref(), id).await?;
            let base = printing::render(renderer, printable).await?;
            let tsa = signing.tsa.clone();
            let registration =
                crate::services::signature_agency::Registration { number, date, layout: None, seal: None };
            crate::services::signatures::agency_sign(base, registration, &issuer, key, tsa, now).await?
        }
        (None, _) => {
            let printable = printing::printable(&*txn, files.as_ref(), id).await?;
            printing::render(renderer, printable).await?
        }
    };
    let sha = hex::encode(Sha256::digest(&pdf));
    let key = format!("documents/{id}.pdf");
    // In the database, the PDF commits with the issue or not at all.
    crate::storage::files::put_in(&*txn, files, &key, pdf)
        .await
        .map_err(|e| AppError::Internal(format!("storing the issued PDF: {e}")))?;

    let finish = async {
        let mut after =
            documents::find(&*txn, id).await?.ok_or_else(|| AppError::Internal("document vanished".into()))?;
        after.pdf_key = Some(key.clone());
        after.pdf_sha256 = Some(sha);
        let after = documents::save(&*txn, after).await?;
        if let Some(old) = before.replaces_id
            && let Some(old) = documents::find(&*txn, old).await?
        {
            let mut o = old.clone();
            o.state = DocumentState::Replaced;
            o.updated_at = now;
            let o_after = documents::save(&*txn, o).await?;
            audited(
                &*txn,
                actor,
                now,
                crate::services::Change::of(
                    crate::domain::AuditAction::Replace,
                    ENTITY,
                    old.id,
                    Some(&old),
                    Some(&o_after),
                ),
            )
            .await?;
        }
        audited(
            &*txn,
            actor,
            now,
            crate::services::Change::of(crate::domain::AuditAction::Issue, ENTITY, id, Some(&before), Some(&after)),
        )
        .await?;
        queue_delivery(&*txn, &after, &issuer, &key, now).await?;
        Ok::<_, AppError>(after)
    }
    .await;
    let after = match finish {
        Ok(after) => after,
        Err(e) => {
            let _ = files.delete(&key);
            return Err(e);
        }
    };
    if let Err(e) = txn.commit().await {
        let _ = files.delete(&key);
        return Err(e.into());
    }
    Ok(to_model(after, &issuer.abbreviation))
}

/// The subject of a delivered document: "Báo cáo số 05/BC-UBND ngày 20/12/2024 về tình hình, …".
pub fn delivery_subject(reference: &str, subject: &str) -> String {
    let s = subject.trim();
    if s.starts_with("V/v") {
        return format!("{reference} {s}");
    }
    let mut chars = s.chars();
    let lowered: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
    format!("{reference} về {lowered}")
}

/// Queues the frozen PDF to every address of every "Nơi nhận" line, in the issuing transaction.
async fn queue_delivery(
    c: &impl Conn,
    doc: &documents::Model,
    issuer: &issuers::Model,
    pdf_key: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::domain::DocumentKind;
    use crate::domain::print::Registration;
    let kind = doc.kind;
    let symbol = crate::services::documents::symbol(doc.kind, &issuer.abbreviation, doc.drafting_unit.as_deref());
    let reg = Registration { number: doc.number, symbol: &symbol, date: doc.dated_on, issued: true };
    let reference = reg.reference(kind.label());
    let subject = delivery_subject(&reference, &doc.subject);
    let about = subject.strip_prefix(&reference).unwrap_or("").trim().to_owned();
    let file_name = format!(
        "{} {}-{}.pdf",
        kind.label(),
        crate::domain::format::two_digits(std::cmp::max(doc.number.unwrap_or(0), 0) as u32),
        symbol
    );
    let mut recipients: Vec<crate::model::Recipient> = crate::services::json_list(&doc.recipients);
    if kind == DocumentKind::Letter
        && let Some(date) = doc.dated_on
    {
        // An urging letter goes to the units it urges ("Kính gửi"), too.
        for (name, emails) in crate::services::printing::late_units(c, doc, date).await? {
            recipients.push(crate::model::Recipient { label: name, emails });
        }
    }
    for r in recipients {
        for addr in r.emails.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            let rendered = crate::mail::render(
                "document.j2",
                serde_json::json!({
                    "reference": reference, "about": about, "recipient": r.label, "issuer": issuer.full_name,
                    "file_name": file_name, "sha256": doc.pdf_sha256,
                }),
            )
            .map_err(|e| AppError::Internal(format!("document mail template: {e}")))?;
            let msg = crate::services::outbox::NewMessage {
                key: format!("document:{}:{addr}", doc.id),
                kind: crate::domain::MailKind::Document,
                to: addr.to_owned(),
                recipient_label: Some(r.label.clone()),
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
                attachment: Some((pdf_key.to_owned(), file_name.clone())),
                document_id: Some(doc.id),
                unit_id: None,
                issuer_id: Some(issuer.id),
            };
            crate::services::outbox::enqueue(c, now, msg).await?;
        }
    }
    Ok(())
}

/// Starts a correction of an issued document, with its reason: a new draft with the
/// same content that will replace it when issued. The issued one stays as it is.
/// While a correction of a plan's report is prepared, the plan's data may change
/// (see `integrity::ensure_plan_open`).
pub async fn correct_document(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, reason: &str) -> Result<Document> {
    require(actor, Action::ManageDocument)?;
    let reason = crate::services::reason(reason)?;
    let txn = db.begin_write().await?;
    let (old, issuer) = load(&*txn, actor, id).await?;
    if old.state != DocumentState::Issued {
        return Err(wrong_state(&old, DocumentState::Issued.code()));
    }
    let open = documents::open_correction_of(&*txn, id).await?;
    if let Some(open) = open {
        return Err(AppError::conflict(
            "correction_exists",
            format!("Đã có bản sửa đang soạn ({}) / a correction is already in progress ({})", open.id, open.id),
        ));
    }
    let mut copy = old.clone();
    copy.id = Uuid::now_v7();
    copy.state = DocumentState::Draft;
    copy.number = None;
    copy.issued_year = None;
    copy.issued_at = None;
    copy.pdf_key = None;
    copy.pdf_sha256 = None;
    copy.signed_pdf_key = None;
    copy.signed_pdf_sha256 = None;
    copy.signing_layout = None;
    copy.approved_by = None;
    copy.approved_at = None;
    copy.review_comment = None;
    copy.replaces_id = Some(id);
    copy.correction_reason = Some(reason);
    copy.dated_on = Some(local_date(now));
    copy.created_at = now;
    copy.updated_at = now;
    let m = documents::insert(&*txn, copy).await?;
    audited(
        &*txn,
        actor,
        now,
        crate::services::Change::of(crate::domain::AuditAction::Correct, ENTITY, m.id, None, Some(&m)),
    )
    .await?;
    txn.commit().await?;
    Ok(to_model(m, &issuer.abbreviation))
}
