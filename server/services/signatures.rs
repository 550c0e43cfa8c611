//! Digital signatures in the document workflow. With signing on, the signer's
//! approval renders the copy to sign (number and date left as blanks, no seal)
//! and signs it, with a key held by the server or through prepare → external
//! signature → finalize; issuing then fills the blanks, places the seal and adds
//! the agency's signature as a second, incremental signature.

use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::require;
use super::documents::{load, to_model};
use super::{audited, printing};
use crate::config::SigningSettings;
use crate::domain::DocumentState;
use crate::domain::access::Action;
use crate::error::{AppError, Result};
use crate::model::Document;
use crate::render::{Mark, Renderer};
use crate::signing::appearance::Face;
use crate::signing::keys::{Holder, Kek, KeyError, KeyStore, SigningKey, TrustStore};
use crate::signing::tsa::Tsa;
use crate::signing::{self, Request, SignError, SignatureReport, Stamp, Widget};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{documents, issuers, signing_keys, signing_sessions, users};
use crate::storage::files::BlobStore;
use crate::storage::queries::key_in_use;
use x509_cert::Certificate;

const ENTITY: &str = "documents";
const MM: f64 = 72.0 / 25.4;
/// The signature box of the template (frame.typ): 70 × 28 mm, marked at its
/// top-left corner; the seal is 34 mm wide, over the box's left part.
const SIGNATURE_BOX: (f64, f64) = (70.0 * MM, 28.0 * MM);
const SEAL_WIDTH: f64 = 34.0 * MM;

/// The issuing body, as errors about its certificate name it.
pub(crate) const ISSUING_BODY: &str = "cơ quan ban hành / the issuing body";

/// What the signer's signature says about itself.
pub const SIGNER_REASON: &str = "Ký duyệt ban hành văn bản";
/// What the agency's signature says about itself.
pub const ISSUER_REASON: &str = "Đóng dấu, phát hành văn bản";

/// Signing settings, loaded once.
#[derive(Debug, Clone, Default)]
pub struct Signing {
    pub enabled: bool,
    pub keys: KeyStore,
    pub trust: TrustStore,
    pub session_minutes: i64,
    /// Whether approving and issuing need the signature and seal images on file.
    pub images_required: bool,
    /// Demos and tests only: accept certificates outside the trust store.
    pub allow_untrusted: bool,
    /// A certificate's common name must be its holder's: the signer's name, the
    /// issuing body's name.
    pub match_names: bool,
    /// Seals imported keys; without it keys can only be files in `keys_dir`.
    pub kek: Option<Kek>,
    /// Where signatures get their RFC 3161 timestamp; none: no timestamps.
    pub tsa: Option<Tsa>,
}

impl Signing {
    /// Signing off: documents are issued without digital signatures.
    pub fn disabled() -> Signing {
        Signing { session_minutes: 30, ..Signing::default() }
    }

    /// The settings' signing, or what is wrong with them (a trust folder that cannot
    /// be read, a key-encryption key that is not 32 bytes).
    pub fn from_settings(s: &SigningSettings) -> std::result::Result<Signing, String> {
        let dir = |d: &str| (!d.is_empty()).then(|| std::path::PathBuf::from(d));
        Ok(Signing {
            enabled: s.enabled,
            keys: KeyStore { keys_dir: dir(&s.keys_dir).unwrap_or_default(), passphrase_dir: dir(&s.passphrase_dir) },
            trust: TrustStore::load(dir(&s.trust_dir).as_deref()).map_err(|e| format!("signing.trust_dir: {e}"))?,
            kek: Kek::load(dir(&s.kek_file).as_deref()).map_err(|e| format!("signing.kek_file: {e}"))?,
            tsa: match s.tsa_url.as_str() {
                "" => None,
                url if url.starts_with("http://") => Some(Tsa {
                    url: url.to_owned(),
                    timeout: std::time::Duration::from_secs(s.tsa_timeout_secs.max(1)),
                }),
                _ => return Err("signing.tsa_url: cần địa chỉ http:// / an http:// address is needed".into()),
            },
            session_minutes: s.session_minutes.max(1),
            images_required: s.images_required,
            allow_untrusted: s.allow_untrusted,
            match_names: s.match_names,
        })
    }

    /// Refuses a certificate whose common name is none of `names`, the names of
    /// `whose` (when names are matched).
    fn belongs(&self, cert: &Certificate, whose: &str, names: &[String]) -> std::result::Result<(), KeyError> {
        if !self.match_names || signing::keys::names_holder(cert, names) {
            return Ok(());
        }
        Err(KeyError::NotTheHolder(
            signing::cms::common_name(&cert.tbs_certificate.subject),
            whose.to_owned(),
            names.join(" | "),
        ))
    }

    /// `h`'s key — the imported one in use (`stored`), else its file — valid at
    /// `now`, chaining to the trust store and, given `holder` (who, their names),
    /// naming its holder.
    pub fn load_key(
        &self,
        h: Holder,
        now: DateTime<Utc>,
        holder: Option<(&str, &[String])>,
        stored: Option<&signing_keys::Model>,
    ) -> std::result::Result<SigningKey, KeyError> {
        let key = match stored {
            Some(m) => {
                let who = h.describe();
                let kek = self.kek.as_ref().ok_or_else(|| KeyError::Sealed(who.clone()))?;
                let key = kek.open(&m.sealed, m.id.as_bytes()).ok_or_else(|| KeyError::Sealed(who.clone()))?;
                if let Some(cert) = key.chain.first() {
                    signing::keys::valid_at(cert, now, who)?;
                }
                key
            }
            None => self.keys.load(h, now)?,
        };
        if let Some((cert, extra)) = key.chain.split_first() {
            self.accept(cert, extra, holder)?;
        }
        Ok(key)
    }

    /// Refuses a certificate outside the trust store (unless untrusted ones are
    /// allowed) or, given `holder`, one that does not name its holder.
    pub fn accept(
        &self,
        cert: &Certificate,
        extra: &[Certificate],
        holder: Option<(&str, &[String])>,
    ) -> std::result::Result<(), KeyError> {
        match self.trust.require(cert, extra) {
            Err(e) if !self.allow_untrusted => return Err(e),
            _ => {}
        }
        match holder {
            Some((whose, names)) => self.belongs(cert, whose, names),
            None => Ok(()),
        }
    }
}

/// Where the blanks and the signature box are on the signed copy.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Place {
    label: String,
    page: usize,
    x: f64,
    y: f64,
}

fn layout_json(marks: &[Mark]) -> serde_json::Value {
    let places: Vec<Place> =
        marks.iter().map(|m| Place { label: m.label.to_owned(), page: m.page, x: m.x, y: m.y }).collect();
    serde_json::to_value(places).unwrap_or_default()
}

fn layout_of(v: Option<&serde_json::Value>) -> Vec<Place> {
    v.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

/// A key problem as a client error: code and bilingual message, never the passphrase.
pub(crate) fn key_error(e: KeyError) -> AppError {
    let code = match e {
        KeyError::Missing(..) => "signing_key_missing",
        KeyError::NoPassphrase(..) => "signing_key_passphrase_missing",
        KeyError::Unreadable(..) => "signing_key_unreadable",
        KeyError::Expired(..) => "certificate_expired",
        KeyError::NotYetValid(..) => "certificate_not_yet_valid",
        KeyError::Unsupported(..) => "signing_key_unsupported",
        KeyError::Untrusted(..) => "certificate_untrusted",
        KeyError::NotTheHolder(..) => "certificate_not_holders",
        KeyError::Sealed(..) => "signing_key_sealed",
    };
    AppError::conflict(code, e.to_string())
}

fn sign_error(e: SignError) -> AppError {
    match e {
        SignError::Key(k) => key_error(k),
        SignError::Mismatch(_) | SignError::Cms(_) => AppError::field("signature", e.to_string()),
        SignError::Timestamp(t) => AppError::conflict("timestamp_unavailable", t.to_string()),
        other => AppError::Internal(format!("signing: {other}")),
    }
}

pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(format!("signing task: {e}")))
}

async fn put_file(files: &Arc<dyn BlobStore>, key: &str, bytes: Vec<u8>) -> Result<()> {
    let (store, k) = (files.clone(), key.to_owned());
    blocking(move || store.put(&k, &bytes)).await?.map_err(|e| AppError::Internal(format!("storing {key}: {e}")))
}

pub(crate) async fn get_file(files: &Arc<dyn BlobStore>, key: &str) -> Result<Vec<u8>> {
    let (store, k) = (files.clone(), key.to_owned());
    blocking(move || store.get(&k)).await?.map_err(|e| AppError::Internal(format!("reading {key}: {e}")))
}

/// The acting user's login name and full name.
async fn user_names<C: ConnectionTrait>(c: &C, actor: &Actor) -> Result<(String, String)> {
    let id = actor.user_id.ok_or(AppError::Forbidden)?;
    let u = users::Entity::find_by_id(id).one(c).await?.ok_or(AppError::Unauthorized)?;
    Ok((u.username, u.name))
}

/// The names an issuing body's certificate may carry: its printed name lines, and
/// its full name with its place.
pub(crate) fn issuer_names(issuer: &issuers::Model) -> Vec<String> {
    let lines: Vec<String> = issuer.name_lines.as_ref().map(super::json_list).unwrap_or_default();
    vec![lines.join(" "), crate::domain::format::body_name(&issuer.full_name, &issuer.place_name)]
}

/// Who a signer is, in an error message.
pub(crate) fn signer_label(name: &str) -> String {
    format!("người ký {name} / signer {name}")
}

/// The copy the signer signs and the request for the signer's signature.
async fn signer_copy<C: ConnectionTrait>(
    c: &C,
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
async fn record_approval<C: ConnectionTrait>(
    txn: &C,
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
    let mut am: documents::ActiveModel = before.clone().into();
    am.state = Set(DocumentState::Approved.code().to_owned());
    am.approved_by = Set(actor.user_id);
    am.approved_at = Set(Some(now));
    am.review_comment = Set(None);
    am.signed_pdf_key = Set(Some(key.clone()));
    am.signed_pdf_sha256 = Set(Some(sha));
    am.signing_layout = Set(Some(layout));
    am.updated_at = Set(now);
    match am.update(txn).await {
        Ok(after) => {
            audited(txn, actor, now, "approve", ENTITY, before.id, Some(before), Some(&after)).await?;
            Ok(after)
        }
        Err(e) => {
            let _ = files.delete(&key);
            Err(e.into())
        }
    }
}

fn must_be_submitted(m: &documents::Model) -> Result<()> {
    if m.state == DocumentState::Submitted.code() {
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
pub async fn approve_and_sign(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> Result<Document> {
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
pub async fn prepare(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> Result<PreparedSignature> {
    require(actor, Action::SignDocument)?;
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    let txn = db.begin_write().await?;
    let (doc, issuer) = load(&*txn, actor, id).await?;
    must_be_submitted(&doc)?;
    super::images::ensure_images(&*txn, signing.images_required, &doc, &issuer, false).await?;
    let (pdf, marks, req) = signer_copy(&*txn, renderer, files, &doc, &issuer, now).await?;
    let prepared = blocking(move || signing::prepare(&pdf, &req)).await?.map_err(sign_error)?;
    let session = Uuid::now_v7();
    let fetch = super::auth::secret();
    let key = format!("signing/{session}.pdf");
    put_file(files, &key, prepared.pdf).await?;
    let expires_at = now + Duration::minutes(signing.session_minutes);
    let row = signing_sessions::ActiveModel {
        id: Set(session),
        document_id: Set(id),
        user_id: Set(user_id),
        pdf_key: Set(key.clone()),
        contents_start: Set(prepared.contents.start as i64),
        contents_end: Set(prepared.contents.end as i64),
        digest: Set(hex::encode(prepared.digest)),
        layout: Set(layout_json(&marks)),
        document_updated_at: Set(doc.updated_at),
        created_at: Set(now),
        expires_at: Set(expires_at),
        fetch_secret: Set(Some(super::auth::digest(&fetch))),
        return_secret: Set(None),
    };
    let done = async {
        signing_sessions::Entity::insert(row).exec(&*txn).await?;
        audited(&*txn, actor, now, "prepare_signature", ENTITY, id, None::<&()>, None::<&()>).await?;
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

/// The session whose hand-off secret in `column` is `secret`, and its signer.
async fn handoff_session<C: ConnectionTrait>(
    c: &C,
    column: signing_sessions::Column,
    secret: &str,
) -> Result<(signing_sessions::Model, users::Model)> {
    let session = signing_sessions::Entity::find()
        .filter(column.eq(super::auth::digest(secret)))
        .one(c)
        .await?
        .ok_or_else(handoff_gone)?;
    let user = users::Entity::find_by_id(session.user_id).one(c).await?.ok_or_else(handoff_gone)?;
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
    let (session, user) = handoff_session(&*txn, signing_sessions::Column::FetchSecret, secret).await?;
    if session.expires_at < now {
        return Err(handoff_gone());
    }
    let doc = documents::Entity::find_by_id(session.document_id).one(&*txn).await?.ok_or_else(handoff_gone)?;
    let back = super::auth::secret();
    let mut row: signing_sessions::ActiveModel = session.clone().into();
    row.fetch_secret = Set(None);
    row.return_secret = Set(Some(super::auth::digest(&back)));
    row.update(&*txn).await?;
    let actor = super::auth::actor_of(&user, None);
    audited(&*txn, &actor, now, "fetch_signature_handoff", ENTITY, doc.id, None::<&()>, None::<&()>).await?;
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
    let (session, user) = handoff_session(&*txn, signing_sessions::Column::ReturnSecret, secret).await?;
    let actor = super::auth::actor_of(&user, client_addr);
    require(&actor, Action::SignDocument)?;
    embed_external(txn, files, signing, &actor, now, session, cms).await
}

/// Step 3: embeds the external CMS signature and approves the document.
#[allow(clippy::too_many_arguments)]
pub async fn finalize(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    session_id: Uuid,
    signature_base64: &str,
) -> Result<Document> {
    require(actor, Action::SignDocument)?;
    let cms = decode_cms(signature_base64)?;
    let txn = db.begin_write().await?;
    let session = signing_sessions::Entity::find_by_id(session_id)
        .filter(signing_sessions::Column::DocumentId.eq(id))
        .one(&*txn)
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
    signing_sessions::Entity::delete_by_id(session.id).exec(&*txn).await?;
    if let Err(e) = txn.commit().await {
        if let Some(k) = &after.signed_pdf_key {
            let _ = files.delete(k);
        }
        return Err(e.into());
    }
    let _ = files.delete(&session.pdf_key);
    Ok(to_model(after, &issuer.abbreviation))
}

/// The key the server holds for the signer `actor` (imported, else a file), checked as
/// at use: the outer error is the database's, the inner one why the key cannot sign.
async fn signer_key<C: ConnectionTrait>(
    c: &C,
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
    /// The certificate's common name, its issuer and its end, when the key is usable.
    pub subject: Option<String>,
    pub issued_by: Option<String>,
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

/// The issuer's key, checked before anything is numbered or frozen.
pub(crate) async fn issuer_key<C: ConnectionTrait>(
    c: &C,
    signing: &Signing,
    issuer: &issuers::Model,
    now: DateTime<Utc>,
) -> Result<SigningKey> {
    let stored = key_in_use(c, issuer.id, None).await?;
    let (signing, code, names) = (signing.clone(), issuer.code.clone(), issuer_names(issuer));
    blocking(move || {
        let holder = Some((ISSUING_BODY, names.as_slice()));
        signing.load_key(Holder::Issuer(&code), now, holder, stored.as_ref())
    })
    .await?
    .map_err(key_error)
}

/// The agency's signature over `base`: blanks filled with `number` and `date`, the seal over the signature.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn agency_sign(
    base: Vec<u8>,
    layout: Option<&serde_json::Value>,
    seal: Option<Vec<u8>>,
    issuer: &issuers::Model,
    key: SigningKey,
    tsa: Option<Tsa>,
    number: i32,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let places = layout_of(layout);
    let mut stamps = Vec::new();
    for p in &places {
        let Some(text) = crate::domain::print::slot_text(&p.label, number, date) else { continue };
        let (width, size, face) = match p.label.as_str() {
            // The blanks' widths in templates/documents/frame.typ.
            "slot-number" => (22.0, 13.0, Face::Regular),
            "slot-day" | "slot-month" => (14.0, 13.0, Face::Italic),
            "slot-year" => (28.0, 13.0, Face::Italic),
            "slot-cnumber" => (22.0, 14.0, Face::Italic),
            _ => (66.0, 14.0, Face::Italic),
        };
        let flush_right = p.label.ends_with("number");
        stamps.push(Stamp { page: p.page, x: p.x, baseline: p.y, width, size, face, text, flush_right });
    }
    let widget = match (places.iter().find(|p| p.label == "signature-box"), seal) {
        (Some(b), Some(png)) => {
            let (w, h) = image_size(&png).unwrap_or((1, 1));
            let seal_h = SEAL_WIDTH * h as f64 / w.max(1) as f64;
            // The mark is the box's top-left corner; the seal is centred vertically.
            let top = b.y + (SIGNATURE_BOX.1 - seal_h) / 2.0;
            Widget { page: b.page, rect: Some([b.x, top, SEAL_WIDTH, seal_h]), image: Some(png) }
        }
        (Some(b), None) => Widget { page: b.page, rect: None, image: None },
        _ => Widget::default(),
    };
    let req = Request {
        field: "CoQuanBanHanh".into(),
        name: holder_name(&key),
        reason: ISSUER_REASON.into(),
        location: issuer.place_name.clone(),
        time: now,
        widget,
        stamps,
    };
    blocking(move || signing::sign(&base, &req, &key, tsa.as_ref())).await?.map_err(sign_error)
}

/// The name a signature shows: the certificate's common name.
fn holder_name(key: &SigningKey) -> String {
    key.chain.first().map(|c| signing::cms::common_name(&c.tbs_certificate.subject)).unwrap_or_default()
}

/// The agency's signature on a separately attached file: no image, the number and
/// symbol and the signing time (ISO 8601, +07:00) in 10 pt at the top right of page 1,
/// flush with the right margin (15 mm).
pub fn attachment_request(
    reference: &str,
    location: &str,
    key: &SigningKey,
    now: DateTime<Utc>,
    page_width: f64,
) -> Request {
    let box_width = 300.0;
    let stamp = Stamp {
        page: 0,
        x: page_width - 15.0 * MM - box_width,
        baseline: 12.0 * MM,
        width: box_width,
        flush_right: true,
        size: 10.0,
        face: Face::Regular,
        text: format!("{} {}", reference.trim(), signing::iso_vn(now)),
    };
    Request {
        field: "CoQuanBanHanh".into(),
        name: holder_name(key),
        reason: ISSUER_REASON.into(),
        location: location.to_owned(),
        time: now,
        widget: Widget::default(),
        stamps: vec![stamp],
    }
}

/// Signs a separately attached file with the issuer's key (`nhiemvu sign-attachment`):
/// the imported one in use (`stored`), else its file; given the body's `names`, its
/// certificate must carry one of them.
pub fn sign_attachment(
    signing: &Signing,
    stored: Option<&signing_keys::Model>,
    names: Option<&[String]>,
    issuer_code: &str,
    reference: &str,
    location: &str,
    pdf: &[u8],
    now: DateTime<Utc>,
) -> std::result::Result<Vec<u8>, SignError> {
    let holder = names.map(|n| (ISSUING_BODY, n));
    let key = signing.load_key(Holder::Issuer(issuer_code), now, holder, stored)?;
    let doc = signing::pdf::Document::parse(pdf)?;
    let width = doc
        .pages()?
        .first()
        .and_then(|(_, p)| match p.get("MediaBox") {
            Some(signing::pdf::Obj::Array(a)) if a.len() == 4 => Some(a[2].as_f64()? - a[0].as_f64()?),
            _ => None,
        })
        .unwrap_or(595.0);
    let req = attachment_request(reference, location, &key, now, width);
    signing::sign(pdf, &req, &key, signing.tsa.as_ref())
}

fn image_size(png: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png).into_dimensions().ok()
}

/// Every signature on a document's PDF (the issued file, or the signer-signed copy before issue).
pub async fn document_signatures(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<SignatureReport>> {
    require(actor, Action::Read)?;
    let (doc, _) = load(&db.conn, actor, id).await?;
    let Some(key) = doc.pdf_key.or(doc.signed_pdf_key) else { return Ok(Vec::new()) };
    let pdf = get_file(files, &key).await?;
    let trust = signing.trust.clone();
    blocking(move || signing::verify(&pdf, &trust)).await
}
