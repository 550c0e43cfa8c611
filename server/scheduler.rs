//! Background work beside the HTTP server: the outbox dispatcher, the daily
//! reminder scan and scheduled backups. Each tick calls the same service functions the CLI does, with
//! the current time.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::mail::Mailer;
use crate::services::{auth, drafts, escalation, keys, now, outbox, reminders};
use crate::state::AppState;

/// Takes a backup every `backup.every_hours` into `backup.dir` (when set) and keeps
/// the newest `backup.keep`. The first is taken at start when the newest one there
/// is older than the interval.
pub fn start_backups(settings: &Settings, state: &AppState) {
    if settings.backup.dir.is_empty() {
        return;
    }
    let dir = std::path::PathBuf::from(&settings.backup.dir);
    let files = settings.storage.data_dir.join("files");
    let every = chrono::Duration::hours(settings.backup.every_hours.clamp(1, 24 * 366) as i64);
    let keep = settings.backup.keep.max(1);
    let db = state.db.clone();
    tokio::spawn(async move {
        loop {
            let last = crate::storage::backup::scheduled_backups(&dir).first().and_then(|p| {
                let name = p.file_name()?.to_str()?;
                let stamp = name.strip_prefix("nhiemvu-")?.strip_suffix(".tar")?;
                chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").ok().map(|t| t.and_utc())
            });
            let wait = last.map(|t| t + every - now()).unwrap_or_default();
            if wait > chrono::Duration::zero() {
                tokio::time::sleep(wait.to_std().unwrap_or(Duration::from_secs(3600))).await;
                continue;
            }
            let at = now();
            let out = dir.join(crate::storage::backup::scheduled_name(at));
            match crate::storage::backup::backup(&db, &files, &out, at).await {
                Ok(m) => {
                    tracing::info!(file = %out.display(), files = m.files.len(), "backup written");
                    for old in crate::storage::backup::scheduled_backups(&dir).into_iter().skip(keep) {
                        if let Err(e) = std::fs::remove_file(&old) {
                            tracing::error!(file = %old.display(), error = %e, "removing an old backup failed");
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "scheduled backup failed");
                    tokio::time::sleep(Duration::from_secs(600)).await;
                }
            }
        }
    });
}

/// Starts the dispatcher and the reminder scan on the runtime; they run until the
/// process ends. Several instances may run them: claims and reminder keys are atomic.
pub fn start(settings: &Settings, state: &AppState, mailer: Arc<dyn Mailer>) {
    let instance = format!("{}-{}", hostname(), std::process::id());
    let (db, files) = (state.db.clone(), state.files.clone());
    let every = Duration::from_secs(settings.mail.dispatch_every_secs.max(1));
    let pace = outbox::Pace {
        claim_secs: settings.mail.claim_secs.clamp(1, 86_400) as i64,
        at_once: settings.mail.pool_size.max(1) as usize,
    };
    let m = mailer.clone();
    tokio::spawn(async move {
        loop {
            match outbox::dispatch_with(&db, &files, m.as_ref(), &instance, now(), 1000, pace).await {
                Ok(d) if d.sent + d.retried + d.failed > 0 => tracing::info!(?d, "outbox pass"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
    let db = state.db.clone();
    let policy = crate::services::reminders::policy(&settings.reminders);
    let every = Duration::from_secs(settings.reminders.scan_every_secs.max(1));
    tokio::spawn(async move {
        loop {
            match reminders::send_reminders(&db, &policy, now()).await {
                Ok(q) if !q.is_empty() => tracing::info!(units = q.len(), "reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "reminder scan failed"),
            }
            match escalation::escalate(&db, &policy, now()).await {
                Ok(e) if e != escalation::Escalated::default() => tracing::info!(?e, "overdue tasks escalated"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "escalation failed"),
            }
            // Housekeeping on the same beat: old login throttles and forgotten drafts.
            if let Err(e) = auth::prune_throttles(&db, now()).await {
                tracing::error!(error = %e, "pruning login throttles failed");
            }
            if let Err(e) = drafts::prune(&db, now()).await {
                tracing::error!(error = %e, "pruning drafts failed");
            }
            match keys::warn_expiring(&db, now()).await {
                Ok(n) if n > 0 => tracing::warn!(messages = n, "signing certificates end soon: administrators told"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "checking signing certificates failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_owned()).unwrap_or_else(|_| "nhiemvu".into())
}
