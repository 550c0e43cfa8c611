//! Signing outside the server: prepare (the copy rendered and the signature's place
//! reserved, the digest returned), the hand-off to a token tool or a remote signing
//! service through a one-time address, and finalize (the returned CMS checked,
//! embedded, and the document approved).
//!
//! The finalize step checks the CMS against the digest, the certificate's validity, the
//! trust store and the holder before embedding it. A tool can drive the whole hand-off
//! alone through two one-time secret addresses kept as SHA-256 on the session: fetch what
//! to sign, post the CMS back.

use crate::services::Tools;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::access::Action;
use crate::error::{AppError, Result};
use crate::model::Document;
use crate::services::access::require;
use crate::services::audited;
use crate::services::documents::{load, to_model};
use crate::services::signature_approve::{must_be_submitted, record_approval, signer_copy};
use crate::services::signature_keys::{
    Signing, blocking, get_file, layout_json, put_file, sign_error, signer_label, user_names,
};
use crate::signing::{self, SignError};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, Db, documents, signing_sessions, users};

const ENTITY: &str = "documents";

/// What an external signer needs: the digest to sign and how long it may take.
#[derive(Debug, Clone, poem_openapi::Object)]
pub struct PreparedSignature {
    /// Pass back to finalize.
    pub session_id: Uuid,
    /// SHA-256 of the signed byte ranges, hex.
    pub digest_hex: String,
    /// The same digest, base64 (what most signing services take).
    pub digest_base64: String,
    /// "SHA-256".
    pub digest_algorithm: String,
    /// The CMS must be a detached SignedData (`ETSI.CAdES.detached`) over this digest.
    pub signature_format: String,
    /// The session ends at.
    pub expires_at: DateTime<Utc>,
    /// For a token tool or a remote signing service: GET this path once (no login) for
    /// what to sign and where to send the signature. Secret: give it only to the tool.
    pub handoff_url: String,
}

/// Where the hand-off URLs live.
pub const HANDOFF_PATH: &str = "/api/v1/signing/handoff";

/// What a token tool or a remote signing service fetches, once, through the hand-off URL.
#[derive(Debug, Clone, poem_openapi::Object)]
pub struct SigningHandoff {
    /// The document's subject: what is being signed.
    pub document: String,
    /// Whose signature is expected: the certificate's common name must be this name.
    pub signer: String,
    /// SHA-256 of `content`, hex.
    pub digest_hex: String,
    /// The same digest, base64.
    pub digest_base64: String,
    /// "SHA-256".
    pub digest_algorithm: String,
    /// The bytes the signature covers, base64: sign them as a detached CMS with SHA-256
    /// (e.g. `openssl cms -sign -binary -md sha256`), or sign the digest.
    pub content_base64: String,
    /// POST `{"signature": "<base64 DER CMS>"}` here, once, before `expires_at`.
    pub return_url: String,
    /// The hand-off ends at.
    pub expires_at: DateTime<Utc>,
}

/// Step 1 of signing outside the server: render the copy, reserve the signature, return the digest.
pub async fn prepare(t: Tools<'_>, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<PreparedSignature> {
    let Tools { db, renderer, files, signing } = t;
    require(actor, Action::SignDocument)?;
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    let txn = db.begin_write().await?;
    let (doc, issuer) = load(&*txn, actor, id).await?;
    must_be_submitted(&doc)?;
    crate::services::images::ensure_images(&*txn, signing.images_required, &doc, &issuer, false).await?;
    let (pdf, marks, req) = signer_copy(&*txn, renderer, files, &doc, &issuer, now).await?;
    let prepared = blocking(move || signing::prepare(&pdf, &req)).await?.map_err(sign_error)?;
    let session = Uuid::now_v7();
    let fetch = crate::services::auth::secret();
    let key = format!("signing/{session}.pdf");
    put_file(files, &key, prepared.pdf).await?;
    let expires_at = now + Duration::minutes(signing.session_minutes);
    let row = signing_sessions::Model {
        id: session,
        document_id: id,
        user_id,
        pdf_key: key.clone(),
        contents_start: prepared.contents.start as i64,
        contents_end: prepared.contents.end as i64,
        digest: hex::encode(prepared.digest),
        layout: layout_json(&marks),
        document_updated_at: doc.updated_at,
        created_at: now,
        expires_at,
        fetch_secret: Some(crate::services::auth::digest(&fetch)),
        return_secret: None,
    };
    let done = async {
        signing_sessions::insert(&*txn, row).await?;
        audited(
            &*txn,
            actor,
            now,
            crate::services::Change::of(
                crate::domain::AuditAction::PrepareSignature,
                ENTITY,
                id,
                None::<&()>,
                None::<&()>,
            ),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = done {
        let _ = files.delete(&key);
        return Err(e);
    }
    Ok(PreparedSignature {
        session_id: session,
        digest_hex: hex::encode(prepared.digest),
        digest_base64: base64::engine::general_purpose::STANDARD.encode(prepared.digest),
        digest_algorithm: "SHA-256".into(),
        signature_format: "CMS SignedData, detached (ETSI.CAdES.detached), DER, base64".into(),
        expires_at,
        handoff_url: format!("{HANDOFF_PATH}/{fetch}"),
    })
}

/// The session found by its hand-off secret (`found`), and its signer.
async fn handoff_session(
    c: &impl Conn,
    found: Option<signing_sessions::Model>,
) -> Result<(signing_sessions::Model, users::Model)> {
    let session = found.ok_or_else(handoff_gone)?;
    let user = users::find(c, session.user_id).await?.ok_or_else(handoff_gone)?;
    Ok((session, user))
}

fn handoff_gone() -> AppError {
    AppError::conflict(
        "signing_handoff_gone",
        "Đường dẫn ký đã được dùng, đã hết hạn hoặc không đúng / the signing link was used, expired or is wrong",
    )
}

/// A token tool or remote signing service fetches what to sign, once: the secret in
/// the URL is exchanged for the return URL's secret.
pub async fn handoff_fetch(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    now: DateTime<Utc>,
    secret: &str,
) -> Result<SigningHandoff> {
    let txn = db.begin_write().await?;
    let found = signing_sessions::with_fetch_secret(&*txn, &crate::services::auth::digest(secret)).await?;
    let (session, user) = handoff_session(&*txn, found).await?;
    if session.expires_at < now {
        return Err(handoff_gone());
    }
    let doc = documents::find(&*txn, session.document_id).await?.ok_or_else(handoff_gone)?;
    let back = crate::services::auth::secret();
    let mut row = session.clone();
    row.fetch_secret = None;
    row.return_secret = Some(crate::services::auth::digest(&back));
    signing_sessions::save(&*txn, row).await?;
    let actor = crate::services::auth::actor_of(&user, None);
    audited(
        &*txn,
        &actor,
        now,
        crate::services::Change::of(
            crate::domain::AuditAction::FetchSignatureHandoff,
            ENTITY,
            doc.id,
            None::<&()>,
            None::<&()>,
        ),
    )
    .await?;
    let pdf = get_file(files, &session.pdf_key).await?;
    txn.commit().await?;
    let (start, end) = (session.contents_start as usize, session.contents_end as usize);
    let content = [pdf.get(..start).unwrap_or_default(), pdf.get(end..).unwrap_or_default()].concat();
    let digest = Sha256::digest(&content);
    Ok(SigningHandoff {
        document: doc.subject,
        signer: user.name,
        digest_hex: hex::encode(digest),
        digest_base64: base64::engine::general_purpose::STANDARD.encode(digest),
        digest_algorithm: "SHA-256".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        return_url: format!("{HANDOFF_PATH}/{back}/signature"),
        expires_at: session.expires_at,
    })
}

/// The tool sends the signature back, once: checked and embedded as the signer's,
/// exactly as `finalize` does.
pub async fn handoff_return(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    now: DateTime<Utc>,
    client_addr: Option<String>,
    secret: &str,
    signature_base64: &str,
) -> Result<Document> {
    let cms = decode_cms(signature_base64)?;
    let txn = db.begin_write().await?;
    let found = signing_sessions::with_return_secret(&*txn, &crate::services::auth::digest(secret)).await?;
    let (session, user) = handoff_session(&*txn, found).await?;
    let actor = crate::services::auth::actor_of(&user, client_addr);
    require(&actor, Action::SignDocument)?;
    embed_external(txn, files, signing, &actor, now, session, cms).await
}

/// Step 3: embeds the external CMS signature and approves the document.
pub async fn finalize(
    t: Tools<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    session_id: Uuid,
    signature_base64: &str,
) -> Result<Document> {
    require(actor, Action::SignDocument)?;
    let Tools { db, files, signing, .. } = t;
    let cms = decode_cms(signature_base64)?;
    let txn = db.begin_write().await?;
    let session = signing_sessions::of_document(&*txn, session_id, id)
        .await?
        .filter(|s| Some(s.user_id) == actor.user_id)
        .ok_or_else(|| AppError::field("session_id", "Không có phiên ký này / no such signing session"))?;
    embed_external(txn, files, signing, actor, now, session, cms).await
}

fn decode_cms(signature_base64: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(signature_base64.trim()).map_err(|_| {
        AppError::field("signature", "Chữ ký phải là CMS (DER) mã hóa base64 / the signature must be a base64 DER CMS")
    })
}

/// Checks `cms` against `session` (the document unchanged, the digest, the
/// certificate's validity, trust and holder), embeds it and approves, in `txn`.
async fn embed_external(
    txn: crate::storage::WriteTxn,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    session: signing_sessions::Model,
    cms: Vec<u8>,
) -> Result<Document> {
    let (before, issuer) = load(&*txn, actor, session.document_id).await?;
    must_be_submitted(&before)?;
    if session.expires_at < now {
        return Err(AppError::conflict("signing_session_expired", "Phiên ký đã hết hạn / the signing session expired"));
    }
    if session.document_updated_at != before.updated_at {
        return Err(AppError::conflict(
            "signing_session_stale",
            "Văn bản đã thay đổi sau khi chuẩn bị ký / the document changed after the signature was prepared",
        ));
    }
    let pdf = get_file(files, &session.pdf_key).await?;
    let digest: [u8; 32] = hex::decode(&session.digest)
        .ok()
        .and_then(|d| d.try_into().ok())
        .ok_or_else(|| AppError::Internal("bad session digest".into()))?;
    let prepared =
        signing::Prepared { pdf, contents: session.contents_start as usize..session.contents_end as usize, digest };
    let trust = signing.clone();
    let (_, name) = user_names(&*txn, actor).await?;
    let signed = blocking(move || {
        let checked = signing::cms::check(&cms, |_| Some(digest.to_vec())).map_err(SignError::from)?;
        let label = signer_label(&name);
        trust.accept(&checked.signer, &checked.certificates, Some((&label, std::slice::from_ref(&name))))?;
        let subject = signing::cms::common_name(&checked.signer.tbs_certificate.subject);
        signing::keys::valid_at(&checked.signer, now, subject)?;
        let cms = signing::timestamped(&cms, trust.tsa.as_ref())?;
        signing::finalize(prepared, &cms)
    })
    .await?
    .map_err(sign_error)?;
    let layout = session.layout.clone();
    let after = record_approval(&*txn, files, actor, now, &before, signed, layout).await?;
    signing_sessions::remove(&*txn, session.id).await?;
    if let Err(e) = txn.commit().await {
        if let Some(k) = &after.signed_pdf_key {
            let _ = files.delete(k);
        }
        return Err(e.into());
    }
    let _ = files.delete(&session.pdf_key);
    Ok(to_model(after, &issuer.abbreviation))
}
