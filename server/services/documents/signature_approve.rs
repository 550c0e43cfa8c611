//! The signer's approval with signing on: the copy to sign rendered with the number
//! and date as blanks and no seal, signed with the key the server holds for the
//! signer, and the document approved with it.
//!
//! The blanks are private-use characters in the view model that the templates turn into
//! labelled boxes; their positions come from typst's layout and are stored with the
//! document.

use crate::services::Tools;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::DocumentState;
use crate::domain::access::Action;
use crate::error::{AppError, Result};
use crate::model::Document;
use crate::render::{Mark, Renderer};
use crate::services::access::require;
use crate::services::documents::{load, to_model};
use crate::services::signature_keys::{
    SIGNATURE_BOX, SIGNER_REASON, Signing, blocking, holder_name, key_error, layout_json, put_file, sign_error,
    signer_label, user_names,
};
use crate::services::{audited, printing};
use crate::signing::keys::{Holder, KeyError, SigningKey};
use crate::signing::{self, Request, Widget};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::queries::key_in_use;
use crate::storage::{Conn, Db, documents, issuers};

const ENTITY: &str = "documents";

/// The copy the signer signs and the request for the signer's signature.
pub(crate) async fn signer_copy(
    c: &impl Conn,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    doc: &documents::Model,
    issuer: &issuers::Model,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, Vec<Mark>, Request)> {
    let p = printing::printable_for_signing(c, files.as_ref(), doc.id).await?;
    let (pdf, marks) = printing::render_marked(renderer, p).await?;
    let widget = match marks.iter().find(|m| m.label == "signature-box") {
        Some(m) => Widget { page: m.page, rect: Some([m.x, m.y, SIGNATURE_BOX.0, SIGNATURE_BOX.1]), image: None },
        None => Widget::default(),
    };
    let req = Request {
        field: "NguoiKy".into(),
        name: doc.signer_name.clone(),
        reason: SIGNER_REASON.into(),
        location: issuer.place_name.clone(),
        time: now,
        widget,
        stamps: Vec::new(),
    };
    Ok((pdf, marks, req))
}

/// Records the signer-signed copy and approves the document, in `txn`.
pub(crate) async fn record_approval(
    txn: &impl Conn,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &documents::Model,
    signed: Vec<u8>,
    layout: serde_json::Value,
) -> Result<documents::Model> {
    let key = format!("documents/{}.signed.pdf", before.id);
    let sha = hex::encode(Sha256::digest(&signed));
    put_file(files, &key, signed).await?;
    let mut approved = before.clone();
    approved.state = DocumentState::Approved;
    approved.approved_by = actor.user_id;
    approved.approved_at = Some(now);
    approved.review_comment = None;
    approved.signed_pdf_key = Some(key.clone());
    approved.signed_pdf_sha256 = Some(sha);
    approved.signing_layout = Some(layout);
    approved.updated_at = now;
    match documents::save(txn, approved).await {
        Ok(after) => {
            audited(
                txn,
                actor,
                now,
                crate::services::Change::of(
                    crate::domain::AuditAction::Approve,
                    ENTITY,
                    before.id,
                    Some(before),
                    Some(&after),
                ),
            )
            .await?;
            Ok(after)
        }
        Err(e) => {
            let _ = files.delete(&key);
            Err(e.into())
        }
    }
}

pub(crate) fn must_be_submitted(m: &documents::Model) -> Result<()> {
    if m.state == DocumentState::Submitted {
        return Ok(());
    }
    Err(AppError::conflict(
        "invalid_transition",
        format!(
            "Văn bản đang ở trạng thái {}, cần ở trạng thái submitted / the document is {}, it must be submitted",
            m.state, m.state
        ),
    ))
}

/// The signer approves and signs with the key the server holds for them.
pub async fn approve_and_sign(t: Tools<'_>, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<Document> {
    let Tools { db, renderer, files, signing } = t;
    require(actor, Action::SignDocument)?;
    let txn = db.begin_write().await?;
    let (before, issuer) = load(&*txn, actor, id).await?;
    must_be_submitted(&before)?;
    let key = signer_key(&*txn, signing, actor, issuer.id, now).await?.map_err(key_error)?;
    let tsa = signing.tsa.clone();
    let (pdf, marks, mut req) = signer_copy(&*txn, renderer, files, &before, &issuer, now).await?;
    req.name = holder_name(&key);
    let signed = blocking(move || signing::sign(&pdf, &req, &key, tsa.as_ref())).await?.map_err(sign_error)?;
    let after = record_approval(&*txn, files, actor, now, &before, signed, layout_json(&marks)).await?;
    if let Err(e) = txn.commit().await {
        if let Some(k) = &after.signed_pdf_key {
            let _ = files.delete(k);
        }
        return Err(e.into());
    }
    Ok(to_model(after, &issuer.abbreviation))
}

/// The key the server holds for the signer `actor` (imported, else a file), checked as
/// at use: the outer error is the database's, the inner one why the key cannot sign.
async fn signer_key(
    c: &impl Conn,
    signing: &Signing,
    actor: &Actor,
    issuer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<std::result::Result<SigningKey, KeyError>> {
    let (login, name) = user_names(c, actor).await?;
    let stored = key_in_use(c, issuer_id, actor.user_id).await?;
    let signing = signing.clone();
    blocking(move || {
        let label = signer_label(&name);
        signing.load_key(Holder::Signer(&login), now, Some((&label, std::slice::from_ref(&name))), stored.as_ref())
    })
    .await
}

/// The certificate the actor's approval would sign with, as the sign-off page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignerKeyView {
    /// The certificate's common name, when the key is usable.
    pub subject: Option<String>,
    /// Who issued the certificate.
    pub issued_by: Option<String>,
    /// When the certificate ends.
    pub until: Option<DateTime<Utc>>,
    /// Why the server cannot sign for them now (Vietnamese), if it cannot.
    pub problem: Option<String>,
}

/// What the server would sign the actor's approval with: the key in use and its
/// certificate, or why there is none (the same checks as approving, nothing signed).
pub async fn signer_key_view(db: &Db, signing: &Signing, actor: &Actor, now: DateTime<Utc>) -> Result<SignerKeyView> {
    require(actor, Action::SignDocument)?;
    let issuer = actor.issuer_id.ok_or(AppError::Forbidden)?;
    Ok(match signer_key(&db.conn, signing, actor, issuer, now).await? {
        Ok(key) => {
            let cert = key.chain.first();
            SignerKeyView {
                subject: cert.map(|c| signing::cms::common_name(&c.tbs_certificate.subject)),
                issued_by: cert.map(|c| signing::cms::common_name(&c.tbs_certificate.issuer)),
                until: cert.map(|c| signing::cms::validity(c).1),
                problem: None,
            }
        }
        Err(e) => {
            let text = e.to_string();
            let vi = text.split(" / ").next().unwrap_or(&text).to_owned();
            SignerKeyView { subject: None, issued_by: None, until: None, problem: Some(vi) }
        }
    })
}
