//! The outbox: messages are written in the transaction of the event that causes
//! them (an idempotency key makes a second write a no-op), then a dispatcher claims
//! them atomically, sends them, retries transient failures with exponential
//! back-off and marks permanent failures. A claim that outlives its holder (a
//! crash) returns the message to the pool; the Message-ID stays the same.
//!
//! Mail is never sent from a request: the event's transaction writes outbox rows (one per
//! address, unique idempotency key). Across instances, dispatchers claim rows atomically
//! (`UPDATE … RETURNING`; `FOR UPDATE SKIP LOCKED` on PostgreSQL) for `mail.claim_secs`,
//! send at most `mail.pool_size` at once through a pooled lettre transport and mark each
//! as soon as the relay answers: sent, deferred with exponential back-off (4xx,
//! connection errors) or failed (5xx). A killed instance leaves only its unfinished
//! messages, which another sends once their claims run out, with the same Message-ID.

use crate::domain::AuditAction;
use crate::domain::OutboxState;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::access::require;
use super::{audited, not_found};
use crate::domain::access::Action;
use crate::error::{AppError, Result};
use crate::mail::{Mailer, Outgoing};
use crate::model::{OutboxMessage, Page, Paging};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, Db, outbox};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Unique per logical message and address.
    pub key: String,
    /// What the message is about.
    pub kind: crate::domain::MailKind,
    /// One address.
    pub to: String,
    /// The "Nơi nhận" line, for documents.
    pub recipient_label: Option<String>,
    /// Rendered subject and bodies.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
    /// Blob key and file name of an attachment.
    pub attachment: Option<(String, String)>,
    /// The document delivered.
    pub document_id: Option<Uuid>,
    /// The unit reminded.
    pub unit_id: Option<Uuid>,
    /// Whose mail it is (who may see it in the outbox).
    pub issuer_id: Option<Uuid>,
}

/// How long a claim lasts before another dispatcher may take the message over
/// (`mail.claim_secs`; this is its default).
pub const CLAIM_SECS: i64 = 120;

/// Back-off before attempt `n + 1`: 30 s, 1 min, 2 min … at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    Duration::seconds((30i64 << attempts.clamp(0, 7)).min(3600))
}

/// Queues a message inside the caller's transaction; `false` if its key was already queued.
pub async fn enqueue<C: Conn>(c: &C, now: DateTime<Utc>, m: NewMessage) -> Result<bool> {
    let (attachment_key, attachment_name) = m.attachment.map_or((None, None), |(k, n)| (Some(k), Some(n)));
    let row = outbox::Model {
        id: Uuid::now_v7(),
        idempotency_key: m.key,
        kind: m.kind,
        to_addr: m.to,
        recipient_label: m.recipient_label,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        attachment_key,
        attachment_name,
        document_id: m.document_id,
        unit_id: m.unit_id,
        issuer_id: m.issuer_id,
        state: OutboxState::Pending,
        attempts: 0,
        next_attempt_at: now,
        claimed_by: None,
        claimed_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
    };
    Ok(outbox::insert_new(c, row).await?)
}

/// Claims up to `limit` due messages for `instance`, atomically: two dispatchers never
/// hold the same message (SKIP LOCKED on PostgreSQL, the single writer on SQLite).
pub async fn claim(
    db: &Db,
    instance: &str,
    now: DateTime<Utc>,
    limit: u64,
    claim_secs: i64,
) -> Result<Vec<outbox::Model>> {
    let until = now + Duration::seconds(claim_secs.max(1));
    let txn = db.begin_write().await?;
    let rows = outbox::claim_due(&*txn, instance, now, until, limit).await?;
    txn.commit().await?;
    Ok(rows)
}

/// What one dispatcher pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dispatched {
    /// Delivered to the SMTP server.
    pub sent: usize,
    /// Failed for now; retried later.
    pub retried: usize,
    /// Refused for good.
    pub failed: usize,
}

/// Claims and sends due messages until none is left (or `max` were handled).
pub async fn dispatch(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    mailer: &dyn Mailer,
    instance: &str,
    now: DateTime<Utc>,
    max: usize,
) -> Result<Dispatched> {
    dispatch_with(db, files, mailer, instance, now, max, Pace::default()).await
}

/// How a dispatcher works: how long its claims last and how many messages it has
/// in flight at once (the SMTP pool's size).
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Seconds a claim lasts (`mail.claim_secs`).
    pub claim_secs: i64,
    /// Messages in flight at once (`mail.pool_size`).
    pub at_once: usize,
}

impl Default for Pace {
    fn default() -> Pace {
        Pace { claim_secs: CLAIM_SECS, at_once: 4 }
    }
}

/// [`dispatch`] at the given [`Pace`]. Each message is marked in its own
/// short transaction as soon as the server has answered for it, so a dispatcher
/// killed half-way through a batch leaves only the messages it had not finished to
/// the next one (after their claims run out), not the whole batch.
pub async fn dispatch_with(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    mailer: &dyn Mailer,
    instance: &str,
    now: DateTime<Utc>,
    max: usize,
    pace: Pace,
) -> Result<Dispatched> {
    use futures_util::StreamExt;
    let mut done = Dispatched::default();
    while done.sent + done.retried + done.failed < max {
        let batch = claim(db, instance, now, 32, pace.claim_secs).await?;
        if batch.is_empty() {
            break;
        }
        let mut sends = futures_util::stream::iter(batch)
            .map(|m| async move {
                let outcome = send_one(files, mailer, &m).await;
                (m, outcome)
            })
            .buffer_unordered(pace.at_once.max(1));
        while let Some((m, outcome)) = sends.next().await {
            let txn = db.begin_write().await?;
            let (state, error, sent_at, next) = match outcome {
                Ok(()) => {
                    done.sent += 1;
                    (OutboxState::Sent, None, Some(Utc::now()), None)
                }
                Err(e) if e.permanent => {
                    tracing::warn!(id = %m.id, to = %m.to_addr, error = %e, "message refused");
                    done.failed += 1;
                    (OutboxState::Failed, Some(e.message), None, None)
                }
                Err(e) => {
                    tracing::info!(id = %m.id, to = %m.to_addr, error = %e, "message deferred");
                    done.retried += 1;
                    let next = now + backoff(m.attempts);
                    (OutboxState::Pending, Some(e.message), None, Some(next))
                }
            };
            outbox::settle(&*txn, m, state, error, sent_at, next).await?;
            txn.commit().await?;
        }
        if done.retried > 0 {
            break; // the server is struggling: try again on the next pass
        }
    }
    Ok(done)
}

async fn send_one(
    files: &Arc<dyn BlobStore>,
    mailer: &dyn Mailer,
    m: &outbox::Model,
) -> std::result::Result<(), crate::mail::SendError> {
    let attachment = match (&m.attachment_key, &m.attachment_name) {
        (Some(key), Some(name)) => {
            let bytes = files
                .get(key)
                .map_err(|e| crate::mail::SendError { permanent: false, message: format!("attachment {key}: {e}") })?;
            Some((name.clone(), "application/pdf".to_owned(), bytes))
        }
        _ => None,
    };
    let msg = Outgoing {
        id: m.id,
        to: m.to_addr.clone(),
        subject: m.subject.clone(),
        text: m.text_body.clone(),
        html: m.html_body.clone(),
        attachment,
    };
    mailer.send(&msg).await
}

fn to_model(m: outbox::Model) -> OutboxMessage {
    OutboxMessage {
        id: m.id,
        kind: m.kind,
        to_addr: m.to_addr,
        recipient_label: m.recipient_label,
        subject: m.subject,
        document_id: m.document_id,
        unit_id: m.unit_id,
        state: m.state,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_error: m.last_error,
        sent_at: m.sent_at,
        created_at: m.created_at,
    }
}

/// Queued and sent messages, newest first; by state or document. The office and
/// administrators of an issuer see their issuer's mail; the server's own
/// administrators (no issuer) see all.
pub async fn list_outbox(
    db: &Db,
    actor: &Actor,
    state: Option<String>,
    document_id: Option<Uuid>,
    paging: Paging,
) -> Result<Page<OutboxMessage>> {
    require(actor, Action::ManageDocument)?;
    if let Some(d) = document_id {
        super::documents::load(&db.conn, actor, d).await?;
    }
    let issuer = super::access::issuer_filter(actor);
    let (rows, total) = outbox::page(&db.conn, issuer, state, document_id, paging.offset(), paging.per_page).await?;
    Ok(Page { items: rows.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}

/// Sends a document's message to one recipient again: a new outbox row, the old kept.
pub async fn resend(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<OutboxMessage> {
    require(actor, Action::ManageDocument)?;
    let old = outbox::get(&db.conn, id).await?;
    match old.document_id {
        Some(d) => super::documents::load(&db.conn, actor, d).await.map_err(|_| not_found("message"))?,
        None => {
            return Err(AppError::conflict(
                "not_a_document",
                "Chỉ gửi lại được thư gửi văn bản / only document deliveries can be resent",
            ));
        }
    };
    let txn = db.begin_write().await?;
    let n = outbox::count_with_key_prefix(&*txn, &format!("{}#", old.idempotency_key)).await?;
    let msg = NewMessage {
        key: format!("{}#resend{}", old.idempotency_key, n + 1),
        kind: crate::domain::MailKind::Document,
        to: old.to_addr.clone(),
        recipient_label: old.recipient_label.clone(),
        subject: old.subject.clone(),
        text: old.text_body.clone(),
        html: old.html_body.clone(),
        attachment: old.attachment_key.clone().zip(old.attachment_name.clone()),
        document_id: old.document_id,
        unit_id: old.unit_id,
        issuer_id: old.issuer_id,
    };
    enqueue(&*txn, now, msg).await?;
    let new = outbox::by_key(&*txn, &format!("{}#resend{}", old.idempotency_key, n + 1))
        .await?
        .ok_or_else(|| AppError::Internal("resent message vanished".into()))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Resend, "outbox", new.id, Some(&old), Some(&new)))
        .await?;
    txn.commit().await?;
    Ok(to_model(new))
}

/// What a test message found out, in plain words.
#[derive(Debug, Clone)]
pub struct MailTest {
    /// Whether the SMTP server accepted the message.
    pub accepted: bool,
    /// What that means, in Vietnamese, for the person who pressed the button.
    pub words: String,
    /// The transport's own report, for whoever configures the server.
    pub detail: String,
}

/// What an SMTP failure means, in the words of someone who is not a mail administrator.
pub fn plain_words(e: &crate::mail::SendError) -> &'static str {
    let m = e.message.to_lowercase();
    if m.contains("connection refused") {
        "Không kết nối được tới máy chủ thư: không có máy chủ nào nhận kết nối ở địa chỉ và cổng đã cấu hình (sai địa chỉ, sai cổng, hoặc máy chủ thư đang tắt)."
    } else if m.contains("timed out") || m.contains("timeout") {
        "Máy chủ thư không trả lời trong thời hạn: có thể tường lửa chặn cổng, hoặc máy chủ thư quá tải."
    } else if m.contains("lookup") || m.contains("resolve") || m.contains("name or service") || m.contains("dns") {
        "Không tìm thấy máy chủ thư theo tên đã cấu hình (mail.host)."
    } else if m.contains("535") || m.contains("authentication") || m.contains("credentials") {
        "Máy chủ thư từ chối tên đăng nhập hoặc mật khẩu (mail.username và biến môi trường chứa mật khẩu)."
    } else if m.contains("certificate") || m.contains("tls") || m.contains("handshake") {
        "Không lập được kết nối mã hóa với máy chủ thư: kiểm tra mail.security (none, starttls hoặc tls) và cổng."
    } else if e.permanent {
        "Máy chủ thư từ chối thư này (thường do địa chỉ người nhận hoặc người gửi không được chấp nhận)."
    } else {
        "Gửi thư không thành công; xem chi tiết bên dưới."
    }
}

/// Sends a test message straight to `to` (not through the queue), so whoever sets
/// the server up sees at once whether the SMTP server takes mail, and why not.
pub async fn send_test(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    mailer: Option<&dyn Mailer>,
    to: &str,
) -> Result<MailTest> {
    require(actor, Action::ManageOrganisation)?;
    let to = to.trim();
    if to.chars().count() > 254 || !super::is_email(to) {
        return Err(AppError::field("to", "Địa chỉ e-mail không hợp lệ / not an e-mail address"));
    }
    let Some(mailer) = mailer else {
        return Err(AppError::conflict(
            "mail_disabled",
            "Máy chủ chưa bật gửi thư (mail.enabled = false): thư chỉ nằm chờ trong hàng gửi / mail is disabled on this server (mail.enabled = false): messages wait in the outbox",
        ));
    };
    let local = now.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
    let text = format!(
        "Thư thử của hệ thống theo dõi nhiệm vụ trọng tâm, gửi lúc {}. Nhận được thư này là máy chủ đã gửi thư được.\n",
        local.format("%H:%M ngày %d/%m/%Y")
    );
    let msg = Outgoing {
        id: Uuid::now_v7(),
        to: to.to_owned(),
        subject: "Thư thử của hệ thống theo dõi nhiệm vụ trọng tâm".into(),
        html: format!("<p>{}</p>", text.trim()),
        text,
        attachment: None,
    };
    let outcome = match mailer.send(&msg).await {
        Ok(()) => MailTest {
            accepted: true,
            words: format!(
                "Máy chủ thư đã nhận thư thử gửi tới {to}. Nếu người nhận không thấy thư, hãy xem cả thư mục thư rác."
            ),
            detail: String::new(),
        },
        Err(e) => MailTest { accepted: false, words: plain_words(&e).to_owned(), detail: e.message.clone() },
    };
    let txn = db.begin_write().await?;
    let after = serde_json::json!({"to": to, "accepted": outcome.accepted, "detail": outcome.detail});
    crate::storage::audit::record(
        &*txn,
        actor,
        now,
        crate::storage::audit::Change {
            action: AuditAction::MailTest,
            entity: "outbox",
            entity_id: Some(msg.id),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}
