//! The signing settings and the keys they lead to: whose key signs, checked as at
//! use (validity, trust, the holder's name); and what every signing step shares:
//! the signed copy's layout, errors, files and the blocking pool.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::SigningSettings;
use crate::error::{AppError, Result};
use crate::render::Mark;
use crate::signing::keys::{Holder, Kek, KeyError, KeyStore, SigningKey, TrustStore};
use crate::signing::tsa::Tsa;
use crate::signing::{self, SignError};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, issuers, signing_keys, users};
use x509_cert::Certificate;

pub(crate) const MM: f64 = 72.0 / 25.4;
/// The signature box of the template (frame.typ): 70 × 28 mm, marked at its
/// top-left corner; the seal is 34 mm wide, over the box's left part.
pub(crate) const SIGNATURE_BOX: (f64, f64) = (70.0 * MM, 28.0 * MM);
pub(crate) const SEAL_WIDTH: f64 = 34.0 * MM;

/// The issuing body, as errors about its certificate name it.
pub(crate) const ISSUING_BODY: &str = "cơ quan ban hành / the issuing body";

/// What the signer's signature says about itself.
pub const SIGNER_REASON: &str = "Ký duyệt ban hành văn bản";
/// What the agency's signature says about itself.
pub const ISSUER_REASON: &str = "Đóng dấu, phát hành văn bản";

/// Signing settings, loaded once.
#[derive(Debug, Clone, Default)]
pub struct Signing {
    /// Whether documents are signed digitally.
    pub enabled: bool,
    /// The signers' and the issuers' keys the server holds.
    pub keys: KeyStore,
    /// The roots a certificate must chain to.
    pub trust: TrustStore,
    /// How long a signature prepared for a signer's own device stays open.
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
pub(crate) struct Place {
    pub(crate) label: String,
    pub(crate) page: usize,
    pub(crate) x: f64,
    pub(crate) y: f64,
}

pub(crate) fn layout_json(marks: &[Mark]) -> serde_json::Value {
    let places: Vec<Place> =
        marks.iter().map(|m| Place { label: m.label.to_owned(), page: m.page, x: m.x, y: m.y }).collect();
    serde_json::to_value(places).unwrap_or_default()
}

pub(crate) fn layout_of(v: Option<&serde_json::Value>) -> Vec<Place> {
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

pub(crate) fn sign_error(e: SignError) -> AppError {
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

pub(crate) async fn put_file(files: &Arc<dyn BlobStore>, key: &str, bytes: Vec<u8>) -> Result<()> {
    let (store, k) = (files.clone(), key.to_owned());
    blocking(move || store.put(&k, &bytes)).await?.map_err(|e| AppError::Internal(format!("storing {key}: {e}")))
}

pub(crate) async fn get_file(files: &Arc<dyn BlobStore>, key: &str) -> Result<Vec<u8>> {
    let (store, k) = (files.clone(), key.to_owned());
    blocking(move || store.get(&k)).await?.map_err(|e| AppError::Internal(format!("reading {key}: {e}")))
}

/// The acting user's login name and full name.
pub(crate) async fn user_names(c: &impl Conn, actor: &Actor) -> Result<(String, String)> {
    let id = actor.user_id.ok_or(AppError::Forbidden)?;
    let u = users::find(c, id).await?.ok_or(AppError::Unauthorized)?;
    Ok((u.username, u.name))
}

/// The names an issuing body's certificate may carry: its printed name lines, and
/// its full name with its place.
pub(crate) fn issuer_names(issuer: &issuers::Model) -> Vec<String> {
    let lines: Vec<String> = issuer.name_lines.as_ref().map(crate::services::json_list).unwrap_or_default();
    vec![lines.join(" "), crate::domain::format::body_name(&issuer.full_name, &issuer.place_name)]
}

/// Who a signer is, in an error message.
pub(crate) fn signer_label(name: &str) -> String {
    format!("người ký {name} / signer {name}")
}

/// The name a signature shows: the certificate's common name.
pub(crate) fn holder_name(key: &SigningKey) -> String {
    key.chain.first().map(|c| signing::cms::common_name(&c.tbs_certificate.subject)).unwrap_or_default()
}
