//! Background work beside the HTTP server: the outbox dispatcher and the daily
//! reminder scan. Each tick calls the same service functions the CLI does, with
//! the current time.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::mail::Mailer;
use crate::services::{auth, drafts, keys, now, outbox, reminders};
use crate::state::AppState;

/// Starts the dispatcher and the reminder scan on the runtime; they run until the
/// process ends. Several instances may run them: claims and reminder keys are atomic.
pub fn start(settings: &Settings, state: &AppState, mailer: Arc<dyn Mailer>) {
    let instance = format!("{}-{}", hostname(), std::process::id());
    let (db, files) = (state.db.clone(), state.files.clone());
    let every = Duration::from_secs(settings.mail.dispatch_every_secs.max(1));
    let m = mailer.clone();
    tokio::spawn(async move {
        loop {
            match outbox::dispatch(&db, &files, m.as_ref(), &instance, now(), 1000).await {
                Ok(d) if d.sent + d.retried + d.failed > 0 => tracing::info!(?d, "outbox pass"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
    let db = state.db.clone();
    let policy = settings.reminders.policy();
    let every = Duration::from_secs(settings.reminders.scan_every_secs.max(1));
    tokio::spawn(async move {
        loop {
            match reminders::send_reminders(&db, &policy, now()).await {
                Ok(q) if !q.is_empty() => tracing::info!(units = q.len(), "reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "reminder scan failed"),
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
