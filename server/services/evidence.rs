//! Evidence (minh chứng): uploads on a task or a target. The type is detected from
//! the bytes, the file is stored under its record id (never the client's name),
//! and the record is written only once the file is safely stored; a failed or
//! aborted upload leaves neither.

use crate::domain::AuditAction;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::{check_task_visible, require};
use super::{audited, not_found, unknown_ref};
use crate::domain::access::Action;
use crate::domain::filetype::{Sniffed, sniff};
use crate::error::{AppError, Result};
use crate::model::Evidence;
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{evidence, targets, tasks};

const ENTITY: &str = "evidence";

fn to_model(m: evidence::Model) -> Evidence {
    Evidence {
        id: m.id,
        task_id: m.task_id,
        target_id: m.target_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        uploaded_by: m.uploaded_by,
        uploaded_at: m.uploaded_at,
        signatures: m.signatures.and_then(|v| serde_json::from_value(v).ok()),
    }
}

/// An upload as received: the spooled file and what the client said about it.
pub struct Upload {
    /// The task.
    pub task_id: Uuid,
    /// The target, if any.
    pub target_id: Option<Uuid>,
    /// The client's file name (kept for display and download).
    pub file_name: String,
    /// The received bytes, spooled to a temporary file.
    pub file: std::fs::File,
    /// Their length.
    pub size: u64,
}

/// Reads the head and the SHA-256 of a file in one pass, then rewinds it.
fn inspect(file: &mut std::fs::File) -> std::io::Result<(Vec<u8>, String)> {
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < 8192 {
            head.extend_from_slice(&buf[..n.min(8192 - head.len())]);
        }
        hasher.update(&buf[..n]);
    }
    file.seek(SeekFrom::Start(0))?;
    Ok((head, hex::encode(hasher.finalize())))
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
    if cleaned.is_empty() { "tep-dinh-kem".into() } else { cleaned.chars().take(255).collect() }
}

/// Stores an uploaded file as evidence of a task (or of one of its targets).
pub async fn upload_evidence(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    now: DateTime<Utc>,
    upload: Upload,
    max_bytes: u64,
    trust: &crate::signing::keys::TrustStore,
) -> Result<Evidence> {
    require(actor, Action::ManageEvidence)?;
    let task = tasks::find(&db.conn, upload.task_id).await?;
    match &task {
        Some(t) if check_task_visible(&db.conn, actor, t).await.is_ok() => {}
        _ => return Err(not_found("task")),
    }
    if let Some(target) = upload.target_id {
        let ok = targets::find(&db.conn, target).await?.is_some_and(|t| t.task_id == upload.task_id);
        if !ok {
            return Err(AppError::field("target_id", unknown_ref("chỉ tiêu của nhiệm vụ này / target of this task")));
        }
    }
    super::integrity::ensure_task_open(&db.conn, upload.task_id).await?;
    if upload.size > max_bytes {
        return Err(AppError::TooLarge(format!("{} > {max_bytes} bytes", upload.size)));
    }
    if upload.size == 0 {
        return Err(AppError::field("file", "Tệp rỗng / the file is empty"));
    }
    let mut file = upload.file;
    let (head, sha256, file) = tokio::task::spawn_blocking(move || inspect(&mut file).map(|(h, s)| (h, s, file)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("reading the upload: {e}")))?;
    let file_name = clean_name(&upload.file_name);
    let content_type = match sniff(&head, &file_name) {
        Sniffed::Accepted(t) => t,
        Sniffed::Executable => return Err(AppError::UnsupportedType("chương trình chạy được / executable".into())),
        Sniffed::Unknown => {
            return Err(AppError::UnsupportedType(
                "chỉ nhận PDF, ảnh, văn bản Office/OpenDocument, tệp nén / only PDF, images, office documents and archives".into(),
            ));
        }
    };
    let id = Uuid::now_v7();
    let key = format!("evidence/{id}");
    // In the database the file is written in the record's transaction (below); as
    // files it is streamed into place now.
    let mut src = file;
    let held: Option<Vec<u8>> = if files.in_database() {
        let bytes = tokio::task::spawn_blocking(move || {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut src, &mut b).map(|_| b)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("reading the upload: {e}")))?;
        Some(bytes)
    } else {
        let (store, k) = (files.clone(), key.clone());
        tokio::task::spawn_blocking(move || store.put_reader(&k, &mut src))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(format!("storing evidence: {e}")))?;
        None
    };
    // A signed PDF shows its signatures' summary in the evidence list.
    let signatures = if content_type == "application/pdf" {
        let (store, k, trust, bytes) = (files.clone(), key.clone(), trust.clone(), held.clone());
        tokio::task::spawn_blocking(move || {
            let bytes = match bytes {
                Some(b) => b,
                None => store.get(&k)?,
            };
            Ok::<_, std::io::Error>(crate::signing::verify(&bytes, &trust))
        })
        .await
        .ok()
        .and_then(|r| r.ok())
        .map(|reports| serde_json::to_value(reports).unwrap_or_default())
    } else {
        None
    };
    let stored = async {
        let txn = db.begin_write().await?;
        super::integrity::ensure_task_open(&*txn, upload.task_id).await?;
        if let Some(bytes) = held {
            crate::storage::files::put_in(&*txn, files, &key, bytes)
                .await
                .map_err(|e| AppError::Internal(format!("storing evidence: {e}")))?;
        }
        let m = evidence::Model {
            id,
            task_id: upload.task_id,
            target_id: upload.target_id,
            file_name,
            content_type: content_type.to_owned(),
            size_bytes: upload.size as i64,
            sha256,
            uploaded_by: actor.user_id,
            uploaded_at: now,
            storage_key: key.clone(),
            signatures,
        };
        let m = evidence::insert(&*txn, m).await?;
        audited(&*txn, actor, now, super::Change::of(AuditAction::Upload, ENTITY, id, None, Some(&m))).await?;
        txn.commit().await?;
        Ok::<_, AppError>(m)
    }
    .await;
    match stored {
        Ok(m) => Ok(to_model(m)),
        Err(e) => {
            let _ = files.delete(&key);
            Err(e)
        }
    }
}

async fn load_visible(db: &Db, actor: &Actor, id: Uuid) -> Result<evidence::Model> {
    let m = evidence::get(&db.conn, id).await?;
    let task = crate::storage::tasks::get(&db.conn, m.task_id).await?;
    check_task_visible(&db.conn, actor, &task).await.map_err(|_| not_found("evidence"))?;
    Ok(m)
}

/// One evidence record.
pub async fn get_evidence(db: &Db, actor: &Actor, id: Uuid) -> Result<Evidence> {
    require(actor, Action::Read)?;
    Ok(to_model(load_visible(db, actor, id).await?))
}

/// The record and the file's bytes.
pub async fn download_evidence(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    id: Uuid,
) -> Result<(Evidence, Vec<u8>)> {
    require(actor, Action::Read)?;
    let m = load_visible(db, actor, id).await?;
    let (store, key) = (files.clone(), m.storage_key.clone());
    let bytes = tokio::task::spawn_blocking(move || store.get(&key))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("reading evidence {id}: {e}")))?;
    Ok((to_model(m), bytes))
}

/// The evidence of a task, oldest first.
pub async fn list_evidence(db: &Db, actor: &Actor, task_id: Uuid) -> Result<Vec<Evidence>> {
    require(actor, Action::Read)?;
    let task = crate::storage::tasks::get(&db.conn, task_id).await?;
    check_task_visible(&db.conn, actor, &task).await?;
    let rows = evidence::of_task(&db.conn, task_id).await?;
    Ok(rows.into_iter().map(to_model).collect())
}

/// Removes evidence while the task's result can still change; the file goes after the record.
pub async fn delete_evidence(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> Result<()> {
    require(actor, Action::ManageEvidence)?;
    let m = load_visible(db, actor, id).await?;
    let txn = db.begin_write().await?;
    super::integrity::ensure_editable(&*txn, m.task_id).await?;
    evidence::remove(&*txn, id).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&m), None)).await?;
    txn.commit().await?;
    if let Err(e) = files.delete(&m.storage_key) {
        tracing::warn!(error = %e, key = %m.storage_key, "evidence file left behind");
    }
    Ok(())
}
