//! The signer's signature image and the issuer's seal image: transparent PNGs
//! placed on printed documents (a picture, not a digital signature).

use crate::domain::AuditAction;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{check_scope, require};
use super::{audited, not_found};
use crate::domain::Role;
use crate::domain::access::Action;
use crate::error::{AppError, Result};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, Db};
use crate::storage::{documents, issuers, users};

/// Largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

fn check_png(bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::TooLarge(format!("{} > {MAX_IMAGE_BYTES} bytes", bytes.len())));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(AppError::UnsupportedType("chỉ nhận ảnh PNG / PNG images only".into()));
    }
    Ok(())
}

/// Sets a user's signature image: the user themself or an administrator.
pub async fn set_signature_image(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: Uuid,
    png: Vec<u8>,
) -> Result<()> {
    if actor.user_id != Some(user_id) && !matches!(actor.role, None | Some(Role::Admin)) {
        return Err(AppError::Forbidden);
    }
    check_png(&png)?;
    let txn = db.begin_write().await?;
    let before = users::find(&*txn, user_id).await?.ok_or_else(|| not_found("user"))?;
    check_scope(actor, before.issuer_id, "user")?;
    let key = format!("images/signature-{user_id}-{}.png", Uuid::now_v7());
    files.put(&key, &png).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut after = before.clone();
    after.signature_image = Some(key.clone());
    after.updated_at = now;
    let after = users::save(&*txn, after).await?;
    audited(
        &*txn,
        actor,
        now,
        super::Change::of(AuditAction::SetSignatureImage, "users", user_id, Some(&before), Some(&after)),
    )
    .await?;
    if let Err(e) = txn.commit().await {
        let _ = files.delete(&key);
        return Err(e.into());
    }
    Ok(())
}

/// Sets an issuer's seal image (administrators).
pub async fn set_seal_image(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    now: DateTime<Utc>,
    issuer_id: Uuid,
    png: Vec<u8>,
) -> Result<()> {
    require(actor, Action::ManageOrganisation)?;
    check_png(&png)?;
    let txn = db.begin_write().await?;
    let before = issuers::find(&*txn, issuer_id).await?.ok_or_else(|| not_found("issuer"))?;
    check_scope(actor, issuer_id, "issuer")?;
    let key = format!("images/seal-{issuer_id}-{}.png", Uuid::now_v7());
    files.put(&key, &png).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut after = before.clone();
    after.seal_image = Some(key.clone());
    after.updated_at = now;
    let after = issuers::save(&*txn, after).await?;
    audited(
        &*txn,
        actor,
        now,
        super::Change::of(AuditAction::SetSealImage, "issuers", issuer_id, Some(&before), Some(&after)),
    )
    .await?;
    if let Err(e) = txn.commit().await {
        let _ = files.delete(&key);
        return Err(e.into());
    }
    Ok(())
}

/// With `[signing] images_required`, the signer's signature image must be on file
/// to approve, and the issuer's seal image too to issue: an issued document shows
/// both where Nghị định 30 puts them. Without it, the check only warns.
pub(crate) async fn ensure_images(
    c: &impl Conn,
    images_required: bool,
    doc: &documents::Model,
    issuer: &issuers::Model,
    issuing: bool,
) -> Result<()> {
    if !images_required {
        return Ok(());
    }
    let signature = match doc.signer_user_id {
        Some(u) => users::find(c, u).await?.and_then(|u| u.signature_image),
        None => None,
    };
    if signature.is_none() {
        return Err(AppError::conflict(
            "signature_image_missing",
            "Người ký chưa có ảnh chữ ký (hoặc văn bản chưa chọn tài khoản người ký): tải ảnh chữ ký lên trước khi duyệt \
             / the signer has no signature image (or no signer account is chosen): upload it before approving",
        ));
    }
    if issuing && issuer.seal_image.is_none() {
        return Err(AppError::conflict(
            "seal_image_missing",
            "Cơ quan chưa có ảnh con dấu: tải ảnh con dấu lên trước khi ban hành / the issuer has no seal image: upload it \
             before issuing",
        ));
    }
    Ok(())
}
