//! Signing keys as managed records: an administrator imports a PKCS#12 for a signer
//! or for the issuing body (API, page or `nhiemvu keys import`); the certificate must
//! be valid, chain to the trust store and name its holder; the private key is sealed
//! with the key-encryption key before it is stored. Importing replaces (retires) the
//! holder's previous key; every change is audited.
//!
//! The private key and chain are sealed with AES-256-GCM under the key-encryption key
//! (`NHIEMVU_KEK` or `signing.kek_file`), with the record's id as associated data, and
//! the passphrase is dropped. Certificates ending within 30 days show on the
//! administrators' dashboard and are mailed to them (30, 7, 1 days ahead and once ended).
//! Without an imported key, a holder's file in `keys_dir` is used, with its passphrase
//! from the environment or a secret file. Each use checks the key for validity, for a
//! chain to `trust_dir` and for a common name that is the holder's (the signer's name,
//! the body's name lines) before anything is numbered.

use crate::domain::AuditAction;
use std::collections::HashMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use der::Encode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::{check_scope, issuer_filter, require};
use super::signatures::{ISSUING_BODY, Signing, blocking, issuer_names, key_error, signer_label};
use super::{audited, not_found};
use crate::domain::Role;
use crate::domain::access::{Action, allows};
use crate::error::{AppError, Result};
use crate::model::{KeyImportInput, MAX_PKCS12_BYTES, SigningKeyInfo};
use crate::signing::keys::{self, SigningKey};
use crate::signing::{cms, iso_vn};
use crate::storage::audit::Actor;
use crate::storage::queries::key_in_use;
use crate::storage::{Conn, Db, issuers, signing_keys, users};

const ENTITY: &str = "signing_keys";
/// Days ahead a certificate's end is announced.
pub const WARN_DAYS: i64 = 30;

/// Whose key is imported.
#[derive(Debug, Clone, Copy)]
pub enum KeyHolder {
    /// The issuing body's own key (its seal).
    Issuer(Uuid),
    /// A signer's key, by user id.
    Signer(Uuid),
}

fn info(m: &signing_keys::Model, now: DateTime<Utc>, names: &HashMap<Uuid, String>) -> SigningKeyInfo {
    let holder = names.get(&m.user_id.unwrap_or(m.issuer_id)).map(String::as_str).unwrap_or("");
    SigningKeyInfo {
        id: m.id,
        issuer_id: m.issuer_id,
        user_id: m.user_id,
        holder: holder.to_owned(),
        subject: m.subject.clone(),
        issued_by: m.issued_by.clone(),
        serial: m.serial.clone(),
        fingerprint: m.fingerprint.clone(),
        not_before: m.not_before,
        not_after: m.not_after,
        installed_by: m.installed_by,
        installed_by_name: m.installed_by.and_then(|u| names.get(&u).cloned()),
        installed_at: m.installed_at,
        retired_at: m.retired_at,
        active: m.retired_at.is_none(),
        days_left: (m.not_after - now).num_days(),
    }
}

/// Reads the base64 file of an import, refusing what is too large or not base64.
fn decode_input(input: &KeyImportInput) -> Result<Vec<u8>> {
    let text: String = input.pkcs12_base64.split_ascii_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|_| AppError::field("pkcs12_base64", "Tệp phải mã hóa base64 / the file must be base64-encoded"))?;
    if bytes.len() > MAX_PKCS12_BYTES {
        return Err(AppError::TooLarge(format!("{} > {MAX_PKCS12_BYTES} bytes", bytes.len())));
    }
    Ok(bytes)
}

/// For `nhiemvu sign-attachment`: the issuing body's key in use and the names its
/// certificate may carry, when the body is in the database (a key file alone is
/// used as it is otherwise).
pub async fn attachment_key(db: &Db, code: &str) -> Result<(Option<signing_keys::Model>, Option<Vec<String>>)> {
    let Some(issuer) = issuers::by_code(&db.conn, code).await? else {
        return Ok((None, None));
    };
    Ok((key_in_use(&db.conn, issuer.id, None).await?, Some(issuer_names(&issuer))))
}

fn body_name(issuer: &issuers::Model) -> String {
    crate::domain::format::body_name(&issuer.full_name, &issuer.place_name)
}

/// The names of `rows`' holders and installers: one query for people, one for bodies.
async fn holder_names<C: Conn>(c: &C, rows: &[signing_keys::Model]) -> Result<HashMap<Uuid, String>> {
    let user_ids: Vec<Uuid> = rows.iter().flat_map(|m| [m.user_id, m.installed_by]).flatten().collect();
    let issuer_ids: Vec<Uuid> = rows.iter().filter(|m| m.user_id.is_none()).map(|m| m.issuer_id).collect();
    let mut names = HashMap::new();
    if !user_ids.is_empty() {
        names.extend(crate::storage::queries::user_names(c, user_ids).await?);
    }
    if !issuer_ids.is_empty() {
        for i in issuers::in_ids(c, issuer_ids).await? {
            names.insert(i.id, body_name(&i));
        }
    }
    Ok(names)
}

fn infos(rows: &[signing_keys::Model], names: &HashMap<Uuid, String>, now: DateTime<Utc>) -> Vec<SigningKeyInfo> {
    rows.iter().map(|m| info(m, now, names)).collect()
}

/// The holder named on the command line: an issuer by code or a signer by login name.
pub async fn holder_by_name(db: &Db, issuer_code: Option<&str>, signer: Option<&str>) -> Result<KeyHolder> {
    if let Some(code) = issuer_code {
        let issuer = issuers::by_code(&db.conn, code).await?;
        return Ok(KeyHolder::Issuer(issuer.ok_or_else(|| not_found("issuer"))?.id));
    }
    let login = signer.ok_or_else(|| AppError::field("signer", "--issuer hoặc --signer / --issuer or --signer"))?;
    let user = users::by_username(&db.conn, login).await?;
    Ok(KeyHolder::Signer(user.ok_or_else(|| not_found("user"))?.id))
}

/// [`import`] of a file sent as base64 (the API and the pages).
pub async fn import_input(
    db: &Db,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    holder: KeyHolder,
    input: KeyImportInput,
) -> Result<SigningKeyInfo> {
    require(actor, Action::ManageOrganisation)?;
    let bytes = decode_input(&input)?;
    import(db, signing, actor, now, holder, bytes, input.passphrase).await
}

/// Imports a PKCS#12 as `holder`'s key, replacing the one in use. Nothing is stored
/// unless the file opens, its certificate is valid now, chains to the trust store
/// (unless untrusted ones are allowed) and names its holder.
pub async fn import(
    db: &Db,
    signing: &Signing,
    actor: &Actor,
    now: DateTime<Utc>,
    holder: KeyHolder,
    p12: Vec<u8>,
    passphrase: String,
) -> Result<SigningKeyInfo> {
    require(actor, Action::ManageOrganisation)?;
    if p12.len() > MAX_PKCS12_BYTES {
        return Err(AppError::TooLarge(format!("{} > {MAX_PKCS12_BYTES} bytes", p12.len())));
    }
    let Some(kek) = signing.kek.clone() else {
        return Err(AppError::conflict(
            "signing_kek_missing",
            format!(
                "Máy chủ chưa có khóa mã hóa khóa ký ({} hoặc signing.kek_file) nên không thể lưu khóa / the server has no key-encryption key ({} or signing.kek_file), so keys cannot be stored",
                keys::Kek::ENV,
                keys::Kek::ENV
            ),
        ));
    };
    // A file that trips the PKCS#12 reader is one it cannot open, not a failed request.
    let open = move || std::panic::catch_unwind(|| keys::open_pkcs12(&p12, &passphrase)).ok().flatten();
    let key: SigningKey = blocking(open).await?.ok_or_else(|| {
        AppError::field(
            "pkcs12_base64",
            "Không mở được tệp PKCS#12: sai mật khẩu, tệp hỏng hoặc khóa không phải RSA / cannot open the PKCS#12 file: wrong passphrase, damaged file or not an RSA key",
        )
    })?;
    let Some((cert, extra)) = key.chain.split_first() else {
        return Err(AppError::field("pkcs12_base64", "Tệp không có chứng thư số / the file holds no certificate"));
    };
    let txn = db.begin_write().await?;
    let (issuer_id, user_id, whose, names) = match holder {
        KeyHolder::Issuer(id) => {
            let issuer = issuers::get(&*txn, id).await?;
            check_scope(actor, issuer.id, "issuer")?;
            let whose = ISSUING_BODY.to_owned();
            (issuer.id, None, whose, issuer_names(&issuer))
        }
        KeyHolder::Signer(id) => {
            let user = users::get(&*txn, id).await?;
            check_scope(actor, user.issuer_id, "user")?;
            if !allows(user.role, Action::SignDocument) {
                return Err(AppError::conflict(
                    "not_a_signer",
                    format!(
                        "{} không có vai trò người ký nên không giữ khóa ký / {} does not have the signer role, so holds no signing key",
                        user.name, user.name
                    ),
                ));
            }
            (user.issuer_id, Some(user.id), signer_label(&user.name), vec![user.name.clone()])
        }
    };
    keys::valid_at(cert, now, whose.clone()).map_err(key_error)?;
    signing.accept(cert, extra, Some((&whose, &names))).map_err(key_error)?;
    if let Some(old) = key_in_use(&*txn, issuer_id, user_id).await? {
        let old_names = holder_names(&*txn, std::slice::from_ref(&old)).await?;
        retire_model(&*txn, actor, now, old, &old_names).await?;
    }
    let id = Uuid::now_v7();
    let der = cert.to_der().map_err(|e| AppError::Internal(format!("certificate: {e}")))?;
    let (not_before, not_after) = cms::validity(cert);
    let sealed = kek.seal(&key, id.as_bytes());
    let row = signing_keys::Model {
        id,
        issuer_id,
        user_id,
        subject: cms::common_name(&cert.tbs_certificate.subject),
        issued_by: cms::common_name(&cert.tbs_certificate.issuer),
        serial: hex::encode(cert.tbs_certificate.serial_number.as_bytes()),
        fingerprint: hex::encode(Sha256::digest(&der)),
        not_before,
        not_after,
        sealed,
        installed_by: actor.user_id,
        installed_at: now,
        retired_at: None,
    };
    let row = signing_keys::insert(&*txn, row).await?;
    let after = info(&row, now, &holder_names(&*txn, std::slice::from_ref(&row)).await?);
    audited(&*txn, actor, now, super::Change::of(AuditAction::ImportSigningKey, ENTITY, id, None, Some(&after)))
        .await?;
    txn.commit().await?;
    tracing::info!(key = %id, subject = %after.subject, until = %iso_vn(after.not_after), "signing key imported");
    Ok(after)
}

async fn retire_model<C: Conn>(
    c: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    m: signing_keys::Model,
    names: &HashMap<Uuid, String>,
) -> Result<SigningKeyInfo> {
    let before = info(&m, now, names);
    let retired = signing_keys::save(c, signing_keys::Model { retired_at: Some(now), ..m }).await?;
    let after = info(&retired, now, names);
    audited(
        c,
        actor,
        now,
        super::Change::of(AuditAction::RetireSigningKey, ENTITY, after.id, Some(&before), Some(&after)),
    )
    .await?;
    Ok(after)
}

/// Retires a key: it signs nothing any more (administrators).
pub async fn retire(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<SigningKeyInfo> {
    require(actor, Action::ManageOrganisation)?;
    let txn = db.begin_write().await?;
    let m = signing_keys::find(&*txn, id).await?.ok_or_else(|| not_found("signing key"))?;
    check_scope(actor, m.issuer_id, "signing key")?;
    if m.retired_at.is_some() {
        return Err(AppError::conflict(
            "signing_key_retired",
            "Khóa này đã thôi sử dụng / this key is already retired",
        ));
    }
    let names = holder_names(&*txn, std::slice::from_ref(&m)).await?;
    let after = retire_model(&*txn, actor, now, m, &names).await?;
    txn.commit().await?;
    Ok(after)
}

/// Installed keys, newest first: those in use, or with `all` the retired ones too
/// (administrators).
pub async fn list(db: &Db, actor: &Actor, now: DateTime<Utc>, all: bool) -> Result<Vec<SigningKeyInfo>> {
    require(actor, Action::ManageOrganisation)?;
    let rows = signing_keys::newest_first(&db.conn, issuer_filter(actor), all).await?;
    Ok(infos(&rows, &holder_names(&db.conn, &rows).await?, now))
}

/// Keys in use whose certificate ends within [`WARN_DAYS`] (or has ended), soonest
/// first, for the administrators' dashboard and mail.
pub async fn expiring(db: &Db, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<SigningKeyInfo>> {
    if actor.role.is_some_and(|r| !allows(r, Action::ManageOrganisation)) {
        return Ok(Vec::new());
    }
    let before = now + chrono::Duration::days(WARN_DAYS);
    let rows = signing_keys::ending_before(&db.conn, issuer_filter(actor), before).await?;
    Ok(infos(&rows, &holder_names(&db.conn, &rows).await?, now))
}

/// Someone who may hold a key, for the administrators' page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidate {
    /// "issuer" or "signer".
    pub kind: &'static str,
    /// The issuer's or the signer's id.
    pub id: Uuid,
    /// The body's name, or the signer's name with their body's.
    pub label: String,
    /// The names its certificate may carry.
    pub names: Vec<String>,
    /// Whether it has a key in use: imported and not ended, or a file in the
    /// server's keys folder.
    pub has_key: bool,
    /// Whether its image is on file: the signer's signature, the body's seal.
    pub has_image: bool,
}

/// What the administrators' keys page shows: every key (in use and retired), who
/// may hold one, and whether keys can be imported at all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    /// Every key, in use and retired.
    pub keys: Vec<SigningKeyInfo>,
    /// Who may hold a key.
    pub candidates: Vec<Candidate>,
    /// Whether documents are signed digitally.
    pub signing_on: bool,
    /// Whether a key-encryption key is configured (without one nothing can be imported).
    pub can_import: bool,
    /// Whether certificates outside the trust store are accepted (demos only).
    pub allow_untrusted: bool,
}

/// The keys page's data (administrators).
pub async fn overview(db: &Db, signing: &Signing, actor: &Actor, now: DateTime<Utc>) -> Result<Overview> {
    let keys = list(db, actor, now, true).await?;
    let bodies = issuers::by_code_order(&db.conn, issuer_filter(actor)).await?;
    let people = users::by_name(&db.conn, issuer_filter(actor)).await?;
    let body_of: HashMap<Uuid, String> = bodies.iter().map(|b| (b.id, body_name(b))).collect();
    // A key in use: active and not ended (a key whose certificate ended signs nothing).
    let in_use = |issuer: Uuid, user: Option<Uuid>| {
        keys.iter().any(|k| k.active && k.days_left >= 0 && k.issuer_id == issuer && k.user_id == user)
    };
    let mut candidates: Vec<Candidate> = bodies
        .iter()
        .map(|b| Candidate {
            kind: "issuer",
            id: b.id,
            label: body_name(b),
            names: issuer_names(b),
            has_key: in_use(b.id, None) || signing.keys.has(keys::Holder::Issuer(&b.code)),
            has_image: b.seal_image.is_some(),
        })
        .collect();
    let signers = people.iter().filter(|u| u.deactivated_at.is_none());
    for u in signers.filter(|u| allows(u.role, Action::SignDocument)) {
        let body = body_of.get(&u.issuer_id).cloned().unwrap_or_default();
        candidates.push(Candidate {
            kind: "signer",
            id: u.id,
            label: format!("{} — {body}", u.name),
            names: vec![u.name.clone()],
            has_key: in_use(u.issuer_id, Some(u.id)) || signing.keys.has(keys::Holder::Signer(&u.username)),
            has_image: u.signature_image.is_some(),
        });
    }
    Ok(Overview {
        keys,
        candidates,
        signing_on: signing.enabled,
        can_import: signing.kek.is_some(),
        allow_untrusted: signing.allow_untrusted,
    })
}

/// The warning a key's remaining days fall under: 30, 7 and 1 day ahead, then once
/// it has ended (each is mailed once per key and administrator).
fn threshold(days_left: i64) -> &'static str {
    match days_left {
        d if d < 0 => "ended",
        d if d <= 1 => "1",
        d if d <= 7 => "7",
        _ => "30",
    }
}

/// Queues, once per key, warning and administrator, a mail to every administrator
/// of the key's office with an address about keys in use that end within [`WARN_DAYS`]; the number queued.
pub async fn warn_expiring(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    let system = Actor::system();
    let soon = expiring(db, &system, now).await?;
    if soon.is_empty() {
        return Ok(0);
    }
    let admins = users::with_role(&db.conn, Role::Admin.code()).await?;
    let txn = db.begin_write().await?;
    let mut queued = 0;
    for k in &soon {
        let until = k.not_after.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
        // The key's own office's administrators: no office hears of another's keys.
        for a in admins.iter().filter(|a| !a.email.is_empty() && a.issuer_id == k.issuer_id) {
            let ctx = serde_json::json!({"name": a.name, "holder": k.holder, "until": until.format("%d/%m/%Y").to_string(),
                "days_left": k.days_left, "subject": k.subject, "issued_by": k.issued_by, "serial": k.serial});
            let r = crate::mail::render("key_expiry.j2", ctx)
                .map_err(|e| AppError::Internal(format!("key_expiry.j2: {e}")))?;
            let m = super::outbox::NewMessage {
                key: format!("key-expiry:{}:{}:{}", k.id, threshold(k.days_left), a.id),
                kind: crate::domain::MailKind::KeyExpiry,
                to: a.email.clone(),
                recipient_label: Some(a.name.clone()),
                subject: r.subject,
                text: r.text,
                html: r.html,
                attachment: None,
                document_id: None,
                unit_id: None,
                issuer_id: Some(k.issuer_id),
            };
            if super::outbox::enqueue(&*txn, now, m).await? {
                queued += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(queued)
}
