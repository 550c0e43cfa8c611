//! What every request handler may use, built once at start-up: the database,
//! the renderer, the file store and the signing keys. Handlers import this, not
//! the wiring in `app`.

use std::sync::Arc;

use crate::config::Settings;
use crate::render::Renderer;
use crate::storage::Db;
use crate::storage::files::BlobStore;

/// What every request may need, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Templates and fonts, kept warm.
    pub renderer: Arc<Renderer>,
    /// Evidence, images and issued PDFs.
    pub files: Arc<dyn BlobStore>,
    /// Largest evidence upload, in bytes.
    pub max_upload_bytes: u64,
    /// Whether the session cookie is Secure.
    pub secure_cookies: bool,
    /// Where people reach the server: mailed links start with it (never with a
    /// request's Host header, which a stranger chooses).
    pub public_url: String,
    /// Digital signature keys and trusted roots.
    pub signing: Arc<crate::services::signatures::Signing>,
    /// The first-run setup link, open while the database has no user.
    pub setup: crate::services::setup::SetupGate,
    /// The SMTP transport, when `mail.enabled` (the dispatcher and the mail test share it).
    pub mailer: Option<Arc<dyn crate::mail::Mailer>>,
    /// The server's reminder days (calendar feeds show them as alarms).
    pub reminders: crate::domain::reminder::Policy,
    /// Where pages and the API read the time of a request.
    pub clock: crate::services::Clock,
}

impl AppState {
    /// What the document services work with, as one bundle.
    pub fn tools(&self) -> crate::services::Tools<'_> {
        crate::services::Tools { db: &self.db, renderer: &self.renderer, files: &self.files, signing: &self.signing }
    }

    /// Connects the database, opens the file store and loads the renderer.
    pub async fn build(settings: &Settings) -> Result<AppState, Box<dyn std::error::Error>> {
        let db = connect(settings).await?;
        let renderer = Renderer::new(settings.render.templates(), settings.render.fonts())
            .map_err(|e| format!("render.templates_dir / render.fonts_dir: {e}"))?;
        let files =
            crate::storage::files::for_database(&settings.database_url(), &settings.storage.data_dir.join("files"))
                .map_err(|e| format!("storage.data_dir {}: {e}", settings.storage.data_dir.display()))?;
        Ok(AppState {
            db,
            renderer: Arc::new(renderer),
            files,
            max_upload_bytes: settings.evidence.max_upload_bytes,
            secure_cookies: settings.server.secure_cookies,
            public_url: settings.server.public_url(),
            signing: Arc::new(crate::services::signatures::Signing::from_settings(&settings.signing)?),
            setup: Default::default(),
            mailer: match settings.mail.enabled {
                true => Some(Arc::new(crate::mail::SmtpMailer::new(&settings.mail).map_err(|e| format!("mail: {e}"))?)),
                false => None,
            },
            reminders: crate::services::reminders::policy(&settings.reminders),
            clock: crate::services::Clock::system(),
        })
    }
}

/// Opens the configured database and applies migrations.
pub async fn connect(settings: &Settings) -> Result<Db, Box<dyn std::error::Error>> {
    Db::connect(
        &settings.database_url(),
        settings.database.max_connections,
        std::time::Duration::from_secs(settings.database.acquire_timeout_secs),
    )
    .await
    .map_err(Into::into)
}
