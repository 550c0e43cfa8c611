//! `nhiemvu serve`: the server, with the reference year when asked.

use nhiemvu::config::Settings;
use nhiemvu::state::AppState;
use nhiemvu::{services, storage};

use super::{Outcome, report};

/// Runs the HTTP server (migrations first); `demo` loads the reference year and,
/// unless signing is configured, signs with the demo keys (no legal value).
pub async fn serve(mut settings: Settings, demo: bool) -> Outcome {
    if demo && !settings.signing.enabled && settings.signing.keys_dir.is_empty() {
        let pki = std::path::Path::new("config/demo/pki");
        if pki.is_dir() {
            settings.signing.enabled = true;
            settings.signing.keys_dir = pki.join("keys").display().to_string();
            settings.signing.passphrase_dir = pki.join("secrets").display().to_string();
            settings.signing.trust_dir = pki.join("trust").display().to_string();
            tracing::info!("signing with the demo keys in config/demo/pki (no legal value)");
        }
    }
    // One server per SQLite file, claimed before anything (migrations included) writes.
    let _claim = storage::claim_sqlite(&settings.database_url())?;
    let state = AppState::build(&settings).await?;
    let db = state.db.clone();
    if demo {
        report(services::demo::load_reference_year(&db, &state.files).await?);
    }
    if services::setup::needs_setup(&db).await? {
        let link = format!("{}/setup/{}", settings.server.public_url(), state.setup.open());
        tracing::warn!(%link, "the database has no user yet: open the setup link to create the issuer and the first administrator");
        println!("Thiết lập lần đầu / first-run setup: {link}");
    }
    nhiemvu::scheduler::start_backups(&settings, &state);
    if let Some(mailer) = state.mailer.clone() {
        nhiemvu::scheduler::start(&settings, &state, mailer);
    } else {
        tracing::info!("mail.enabled = false: messages wait in the outbox");
    }
    nhiemvu::app::serve(&settings, state).await?;
    Ok(std::process::ExitCode::SUCCESS)
}
