//! Signing keys and trusted roots. A key is a PKCS#12 file per signer
//! (`<keys_dir>/signers/<username>.p12`) and per issuer
//! (`<keys_dir>/issuers/<issuer code>.p12`); its passphrase comes from the
//! environment (`NHIEMVU_P12_PASS_SIGNER_<USERNAME>`, `NHIEMVU_P12_PASS_ISSUER_<CODE>`)
//! or a secret file (`<passphrase_dir>/signers/<username>.pass`, …), never from the
//! database. Both AES (PBES2) and legacy (3DES/RC2) PKCS#12 files load.
//!
//! Keys imported through the API or the CLI are stored in the database sealed with
//! the key-encryption key ([`Kek`], AES-256-GCM, bound to the key record's id); the
//! passphrase of the imported file is not kept.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use der::{Decode, DecodePem};
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use x509_cert::Certificate;

use super::cms;

/// The key-encryption key: 32 bytes from `NHIEMVU_KEK` or `signing.kek_file`, written
/// as 64 hex digits or base64. Never stored, never logged.
#[derive(Clone)]
pub struct Kek([u8; 32]);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(…)")
    }
}

/// Sealed keys start with this, so a later format can be told apart.
const SEALED_V1: &[u8; 4] = b"NVK1";

impl Kek {
    /// The environment variable that holds the key-encryption key.
    pub const ENV: &'static str = "NHIEMVU_KEK";

    /// Reads 32 bytes written as 64 hex digits or as base64.
    pub fn parse(text: &str) -> Option<Kek> {
        use base64::Engine as _;
        let t = text.trim();
        let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(t).ok()?
        } else {
            base64::engine::general_purpose::STANDARD.decode(t).ok()?
        };
        Some(Kek(bytes.try_into().ok()?))
    }

    /// The key-encryption key from the environment, else from `file`; `None` when
    /// neither is set. A value that is set but unreadable is an error.
    pub fn load(file: Option<&Path>) -> Result<Option<Kek>, String> {
        let bad = |from: &str| {
            format!(
                "{from}: cần 32 byte viết bằng 64 chữ số hex hoặc base64 / need 32 bytes as 64 hex digits or base64"
            )
        };
        if let Ok(v) = std::env::var(Self::ENV) {
            return Kek::parse(&v).map(Some).ok_or_else(|| bad(Self::ENV));
        }
        let Some(file) = file else { return Ok(None) };
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        Kek::parse(&text).map(Some).ok_or_else(|| bad(&file.display().to_string()))
    }

    /// `key` (its private key and chain) encrypted, bound to `record` (its record's id).
    pub fn seal(&self, key: &SigningKey, record: &[u8]) -> Vec<u8> {
        use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
        use der::Encode;
        use rsa::pkcs8::EncodePrivateKey;
        let mut plain = Vec::new();
        let mut part = |bytes: &[u8]| {
            plain.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            plain.extend_from_slice(bytes);
        };
        part(key.key.to_pkcs8_der().expect("an RSA key encodes").as_bytes());
        for c in &key.chain {
            part(&c.to_der().expect("a parsed certificate encodes"));
        }
        let cipher = aes_gcm::Aes256Gcm::new((&self.0).into());
        let nonce = aes_gcm::Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, Payload { msg: &plain, aad: record }).expect("AES-GCM encrypts");
        plain.iter_mut().for_each(|b| *b = 0);
        [SEALED_V1.as_slice(), &nonce[..], &sealed].concat()
    }

    /// Opens what [`Kek::seal`] made for `record`; `None` for another key-encryption
    /// key, another record or altered bytes.
    pub fn open(&self, sealed: &[u8], record: &[u8]) -> Option<SigningKey> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        let rest = sealed.strip_prefix(SEALED_V1.as_slice())?;
        if rest.len() < 12 {
            return None;
        }
        let (nonce, body) = rest.split_at(12);
        let cipher = aes_gcm::Aes256Gcm::new((&self.0).into());
        let mut plain = cipher.decrypt(nonce.into(), Payload { msg: body, aad: record }).ok()?;
        let mut parts = Vec::new();
        let mut at = 0usize;
        while at + 4 <= plain.len() {
            let len = u32::from_be_bytes(plain[at..at + 4].try_into().ok()?) as usize;
            let end = at.checked_add(4)?.checked_add(len).filter(|e| *e <= plain.len())?;
            parts.push(&plain[at + 4..end]);
            at = end;
        }
        let (first, certs) = parts.split_first()?;
        let key = RsaPrivateKey::from_pkcs8_der(first).ok();
        let chain: Option<Vec<Certificate>> = certs.iter().map(|c| Certificate::from_der(c).ok()).collect();
        plain.iter_mut().for_each(|b| *b = 0);
        Some(SigningKey { key: key?, chain: chain? })
    }
}

/// Whose key: a signer (by user name) or an issuing body (by code).
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    /// A signer, by user name: `signers/<name>.p12`.
    Signer(&'a str),
    /// An issuing body, by code: `issuers/<code>.p12`.
    Issuer(&'a str),
}

impl Holder<'_> {
    fn folder(&self) -> &'static str {
        match self {
            Holder::Signer(_) => "signers",
            Holder::Issuer(_) => "issuers",
        }
    }

    fn name(&self) -> &str {
        match self {
            Holder::Signer(n) | Holder::Issuer(n) => n,
        }
    }

    /// The environment variable holding the passphrase.
    pub fn env_var(&self) -> String {
        let kind = match self {
            Holder::Signer(_) => "SIGNER",
            Holder::Issuer(_) => "ISSUER",
        };
        let name: String =
            self.name().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("NHIEMVU_P12_PASS_{kind}_{name}")
    }

    /// Who holds the key, in a message.
    pub fn describe(&self) -> String {
        match self {
            Holder::Signer(n) => format!("người ký {n} / signer {n}"),
            Holder::Issuer(n) => format!("cơ quan {n} / issuer {n}"),
        }
    }
}

/// Why a key could not be used. Messages never contain the passphrase.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key file: the holder, and the file looked for.
    #[error("Không có khóa ký cho {0} (cần tệp {1}) / no signing key for {0} (expected {1})")]
    Missing(String, String),
    /// No passphrase: the holder, the environment variable and the file looked for.
    #[error(
        "Không có mật khẩu khóa ký cho {0} (biến môi trường {1} hoặc tệp {2}) / no passphrase for {0} ({1} or {2})"
    )]
    NoPassphrase(String, String, String),
    /// The holder's key file does not open: wrong passphrase or damaged file.
    #[error(
        "Không mở được khóa ký của {0}: sai mật khẩu hoặc tệp hỏng / cannot open the key of {0}: wrong passphrase or damaged file"
    )]
    Unreadable(String),
    /// The holder's certificate expired at the time given (ISO 8601, +07:00).
    #[error("Chứng thư số của {0} hết hạn lúc {1} / the certificate of {0} expired at {1}")]
    Expired(String, String),
    /// The holder's certificate is not valid before the time given (ISO 8601, +07:00).
    #[error("Chứng thư số của {0} chưa có hiệu lực đến {1} / the certificate of {0} is not valid before {1}")]
    NotYetValid(String, String),
    /// The holder's imported key cannot be unsealed: the key-encryption key is missing or changed.
    #[error(
        "Không mở được khóa ký đã nhập của {0}: máy chủ thiếu hoặc đã đổi khóa mã hóa (NHIEMVU_KEK, signing.kek_file) / cannot open the imported key of {0}: the key-encryption key is missing or changed"
    )]
    Sealed(String),
    /// The holder's key is not an RSA key.
    #[error("Khóa của {0} không phải RSA / the key of {0} is not an RSA key")]
    Unsupported(String),
    /// A certificate that chains to no trusted root: its common name and its issuer's.
    #[error(
        "Chứng thư số \"{0}\" (do \"{1}\" cấp) không thuộc tổ chức chứng thực nào được tin cậy (signing.trust_dir) / the certificate \"{0}\" issued by \"{1}\" does not chain to a trusted root (signing.trust_dir)"
    )]
    Untrusted(String, String),
    /// A certificate not named after its holder: its common name, the holder
    /// ("tiếng Việt / English") and the names it may carry.
    #[error(
        "Chứng thư số \"{0}\" không phải của {vi} (tên trong chứng thư phải trùng tên {vi}: {2}) / the certificate \"{0}\" does not belong to {en} (its name must match: {2})",
        vi = half(.1, 0),
        en = half(.1, 1)
    )]
    NotTheHolder(String, String, String),
}

/// One language's half of a bilingual label "tiếng Việt / English" (the whole label
/// when it has no halves), so a message never runs the two into each other.
fn half(label: &str, n: usize) -> &str {
    label.split(" / ").nth(n).or_else(|| label.split(" / ").next()).unwrap_or(label).trim()
}

/// A name as it is compared with a certificate's: case, spacing, "UBND" for "Ủy ban
/// nhân dân" and the older tone placement "Uỷ" make no difference.
pub fn comparable(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let lower = name.nfc().collect::<String>().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match w {
            "ubnd" => out.push("ủy ban nhân dân".to_owned()),
            other => out.push(other.replace("uỷ", "ủy")),
        }
    }
    out.join(" ")
}

/// Whether `cert`'s subject common name is one of `expected` (a person's certificate
/// names the body in its organisation, so that is not enough for the body's key).
pub fn names_holder(cert: &Certificate, expected: &[String]) -> bool {
    let wanted: Vec<String> = expected.iter().map(|e| comparable(e)).collect();
    cms::name_values(&cert.tbs_certificate.subject, cms::CN).iter().any(|n| wanted.contains(&comparable(n)))
}

#[cfg(test)]
mod tests {
    use super::comparable;

    #[test]
    fn a_sealed_key_opens_only_with_its_key_encryption_key_and_for_its_record() {
        let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pki/issuer.p12")).unwrap();
        let key = super::open_pkcs12(&p12, "nhiemvu-test").unwrap();
        let kek = super::Kek::parse(&"ab".repeat(32)).unwrap();
        let sealed = kek.seal(&key, b"record-1");
        let opened = kek.open(&sealed, b"record-1").expect("opens for its record");
        assert_eq!(opened.key, key.key);
        assert_eq!(opened.chain, key.chain);
        assert!(kek.open(&sealed, b"record-2").is_none(), "bound to its record");
        let other = super::Kek::parse(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32]));
        assert!(other.unwrap().open(&sealed, b"record-1").is_none(), "another key-encryption key");
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(kek.open(&altered, b"record-1").is_none(), "altered bytes");
        // The private key is not in the clear.
        use rsa::pkcs8::EncodePrivateKey;
        let der = key.key.to_pkcs8_der().unwrap();
        assert!(!sealed.windows(32).any(|w| w == &der.as_bytes()[40..72]));
        assert!(super::Kek::parse("short").is_none());
    }

    #[test]
    fn names_compare_whatever_the_case_spacing_abbreviation_and_tone_placement() {
        let printed = comparable("ỦY BAN NHÂN DÂN  HUYỆN BẮC SƠN");
        assert_eq!(comparable("Ủy ban nhân dân huyện Bắc Sơn"), printed);
        assert_eq!(comparable("UBND huyện Bắc Sơn"), printed);
        assert_eq!(comparable("Uỷ ban nhân dân huyện Bắc Sơn"), printed);
        // Decomposed input (NFD) compares equal to composed.
        assert_eq!(comparable("Phu\u{300}ng Thi\u{323} Thanh Nga"), comparable("Phùng Thị Thanh Nga"));
        assert_ne!(comparable("Ủy ban nhân dân xã Bắc Sơn"), printed);
    }
}

/// A loaded key with its certificate chain (the signer's first).
pub struct SigningKey {
    /// The private key.
    pub key: RsaPrivateKey,
    /// The certificates, the one for `key` first.
    pub chain: Vec<Certificate>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("subject", &self.chain.first().map(|c| c.tbs_certificate.subject.to_string()))
            .finish()
    }
}

/// Where keys and passphrases live.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    /// The folder of key files: `signers/<name>.p12` and `issuers/<code>.p12`.
    pub keys_dir: PathBuf,
    /// The folder of passphrase files (`signers/<name>.pass`, `issuers/<code>.pass`),
    /// read when the environment variable is not set.
    pub passphrase_dir: Option<PathBuf>,
}

impl KeyStore {
    fn file(&self, h: Holder) -> PathBuf {
        self.keys_dir.join(h.folder()).join(format!("{}.p12", h.name()))
    }

    /// Whether a key file exists for `h`.
    pub fn has(&self, h: Holder) -> bool {
        self.file(h).is_file()
    }

    fn passphrase(&self, h: Holder) -> Result<String, KeyError> {
        if let Ok(p) = std::env::var(h.env_var()) {
            return Ok(p);
        }
        let secret = self.passphrase_dir.as_ref().map(|d| d.join(h.folder()).join(format!("{}.pass", h.name())));
        if let Some(path) = &secret
            && let Ok(text) = std::fs::read_to_string(path)
        {
            return Ok(text.trim_end_matches(['\r', '\n']).to_owned());
        }
        Err(KeyError::NoPassphrase(
            h.describe(),
            h.env_var(),
            secret.map(|p| p.display().to_string()).unwrap_or_else(|| "signing.passphrase_dir".into()),
        ))
    }

    /// Loads `h`'s key and checks that its certificate is valid at `at`.
    pub fn load(&self, h: Holder, at: DateTime<Utc>) -> Result<SigningKey, KeyError> {
        let path = self.file(h);
        let bytes = std::fs::read(&path).map_err(|_| KeyError::Missing(h.describe(), path.display().to_string()))?;
        let pass = self.passphrase(h)?;
        let key = open_pkcs12(&bytes, &pass).ok_or_else(|| KeyError::Unreadable(h.describe()))?;
        let cert = key.chain.first().ok_or_else(|| KeyError::Unreadable(h.describe()))?;
        valid_at(cert, at, h.describe())?;
        Ok(key)
    }
}

/// Refuses `cert` if it is not valid at `at`; `who` names its holder in the message.
pub fn valid_at(cert: &Certificate, at: DateTime<Utc>, who: String) -> Result<(), KeyError> {
    let (from, to) = cms::validity(cert);
    if at > to {
        return Err(KeyError::Expired(who, super::iso_vn(to)));
    }
    if at < from {
        return Err(KeyError::NotYetValid(who, super::iso_vn(from)));
    }
    Ok(())
}

/// Opens a PKCS#12 file: its private key and certificates (the key's own first).
pub fn open_pkcs12(bytes: &[u8], pass: &str) -> Option<SigningKey> {
    let ks = p12_keystore::KeyStore::from_pkcs12(bytes, pass).ok()?;
    let (_, chain) = ks.private_key_chain()?;
    let key = RsaPrivateKey::from_pkcs8_der(chain.key()).ok()?;
    let certs: Vec<Certificate> = chain.chain().iter().filter_map(|c| Certificate::from_der(c.as_der()).ok()).collect();
    // The certificate whose key this is goes first.
    let public = rsa::RsaPublicKey::from(&key);
    let mut ordered = certs.clone();
    ordered.sort_by_key(|c| {
        use der::Encode;
        use rsa::pkcs8::DecodePublicKey;
        let spki = c.tbs_certificate.subject_public_key_info.to_der().ok();
        let matches = spki.and_then(|d| rsa::RsaPublicKey::from_public_key_der(&d).ok()).is_some_and(|k| k == public);
        !matches
    });
    Some(SigningKey { key, chain: ordered })
}

/// Trusted root and intermediate certificates, loaded from a folder (PEM or DER files).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// The trusted certificates, roots and intermediates alike.
    pub anchors: Vec<Certificate>,
}

impl TrustStore {
    /// Reads every certificate file of `dir` (none without a folder); other files
    /// are logged and ignored.
    pub fn load(dir: Option<&Path>) -> std::io::Result<TrustStore> {
        let mut anchors = Vec::new();
        let Some(dir) = dir else { return Ok(TrustStore { anchors }) };
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            if let Ok(text) = std::str::from_utf8(&bytes)
                && text.contains("-----BEGIN CERTIFICATE-----")
            {
                for block in text.split_inclusive("-----END CERTIFICATE-----") {
                    if let Some(start) = block.find("-----BEGIN CERTIFICATE-----")
                        && let Ok(c) = Certificate::from_pem(&block[start..])
                    {
                        anchors.push(c);
                    }
                }
            } else if let Ok(c) = Certificate::from_der(&bytes) {
                anchors.push(c);
            } else {
                tracing::warn!(path = %path.display(), "not a certificate; ignored by the trust store");
            }
        }
        Ok(TrustStore { anchors })
    }

    /// `cert` if it chains to an anchor (through `extra` if needed), else why not,
    /// naming the certificate and its issuer.
    pub fn require(&self, cert: &Certificate, extra: &[Certificate]) -> Result<(), KeyError> {
        if self.trusts(cert, extra) {
            return Ok(());
        }
        Err(KeyError::Untrusted(
            cms::common_name(&cert.tbs_certificate.subject),
            cms::common_name(&cert.tbs_certificate.issuer),
        ))
    }

    /// Whether `cert` chains to an anchor, through `extra` certificates if needed.
    pub fn trusts(&self, cert: &Certificate, extra: &[Certificate]) -> bool {
        let mut current = cert.clone();
        for _ in 0..8 {
            if self.anchors.iter().any(|a| a == &current) {
                return true;
            }
            let issuer_name = &current.tbs_certificate.issuer;
            if self.anchors.iter().any(|a| &a.tbs_certificate.subject == issuer_name && cms::issued_by(&current, a)) {
                return true;
            }
            match extra
                .iter()
                .find(|c| &c.tbs_certificate.subject == issuer_name && *c != &current && cms::issued_by(&current, c))
            {
                Some(next) => current = next.clone(),
                None => return false,
            }
        }
        false
    }
}
