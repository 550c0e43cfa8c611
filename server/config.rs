//! Typed settings: built-in defaults ← `config/{APP_ENV}.toml` ← `APP__SECTION__KEY`.
//!
//! Every key must exist in `config/default.toml`; anything else is refused at
//! start with the key named, so a typo never silently falls back to a default.
//!
//! The defaults are compiled in.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Table, Value};

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// All settings of the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP listener.
    pub server: ServerSettings,
    /// Database connection.
    pub database: DatabaseSettings,
    /// Files on disk.
    pub storage: StorageSettings,
    /// Evidence uploads.
    pub evidence: EvidenceSettings,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// Deadline reminders.
    pub reminders: ReminderSettings,
    /// Document rendering.
    pub render: RenderSettings,
    /// Digital signatures.
    pub signing: SigningSettings,
    /// Logging.
    pub log: LogSettings,
    /// Scheduled backups.
    pub backup: BackupSettings,
}

/// `[backup]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// Folder for scheduled backups; empty: none are taken.
    pub dir: String,
    /// Hours between two scheduled backups (at least 1).
    pub every_hours: u64,
    /// How many scheduled backups are kept (at least 1); older ones are removed.
    pub keep: usize,
}

/// `[signing]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningSettings {
    /// Sign documents digitally (signer at approval, agency at issue).
    pub enabled: bool,
    /// Folder with `signers/<username>.p12` and `issuers/<issuer code>.p12`.
    pub keys_dir: String,
    /// Folder with passphrase files `signers/<username>.pass`, `issuers/<code>.pass`.
    pub passphrase_dir: String,
    /// Folder of trusted CA certificates.
    pub trust_dir: String,
    /// Minutes a prepared signature waits for an external signer.
    pub session_minutes: i64,
    /// Whether signature and seal images must be on file to approve and issue.
    pub images_required: bool,
    /// Demos and tests only: sign with and accept certificates outside `trust_dir`.
    pub allow_untrusted: bool,
    /// A certificate's common name must be its holder's (the signer's, the issuing body's).
    pub match_names: bool,
    /// File holding the key-encryption key that seals imported keys (`NHIEMVU_KEK` wins).
    pub kek_file: String,
    /// RFC 3161 timestamp authority (`http://…`); empty: signatures carry no timestamp.
    pub tsa_url: String,
    /// Seconds to wait for the timestamp authority.
    pub tsa_timeout_secs: u64,
}

/// `[render]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderSettings {
    /// Replacement templates folder; empty for the built-in ones.
    pub templates_dir: String,
    /// Extra fonts folder; empty for the bundled fonts only.
    pub fonts_dir: String,
}

impl RenderSettings {
    /// The templates folder, if one is configured.
    pub fn templates(&self) -> Option<&Path> {
        (!self.templates_dir.is_empty()).then(|| Path::new(&self.templates_dir))
    }

    /// The extra fonts folder, if one is configured.
    pub fn fonts(&self) -> Option<&Path> {
        (!self.fonts_dir.is_empty()).then(|| Path::new(&self.fonts_dir))
    }
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    pub host: String,
    /// Listen port.
    pub port: u16,
    /// Where people reach the server; links in mails start with it (empty: `http://host:port`).
    pub public_url: String,
    /// Whether the session cookie carries the Secure attribute.
    pub secure_cookies: bool,
    /// Most connections open at once (past it the longest idle one is closed).
    pub max_connections: usize,
    /// Most connections open at once from one client address.
    pub max_connections_per_client: usize,
    /// Seconds of silence after which a connection is closed.
    pub idle_timeout_secs: u64,
    /// Seconds a request may take to arrive before its pace is checked.
    pub request_grace_secs: u64,
    /// Slowest average pace of an arriving request, after the grace time.
    pub min_request_bytes_per_sec: u64,
}

impl ServerSettings {
    /// The start of every link the server mails, without a trailing slash.
    pub fn public_url(&self) -> String {
        match self.public_url.trim().trim_end_matches('/') {
            "" => format!("http://{}:{}", self.host, self.port),
            url => url.to_owned(),
        }
    }
}

/// `[mail]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Whether the dispatcher and the scheduler run in this instance.
    pub enabled: bool,
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// "none", "starttls" or "tls".
    pub security: String,
    /// SMTP login; empty for none.
    pub username: String,
    /// Environment variable holding the SMTP password.
    pub password_env: String,
    /// Sender.
    pub from: String,
    /// Reply-To; empty for none.
    pub reply_to: String,
    /// Pooled connections.
    pub pool_size: u32,
    /// Seconds per SMTP exchange.
    pub timeout_secs: u64,
    /// Seconds between dispatcher passes.
    pub dispatch_every_secs: u64,
    /// Seconds a dispatcher's claim on a message lasts; after that (its instance
    /// died) another instance sends it.
    pub claim_secs: u64,
}

/// `[reminders]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// Days before the deadline.
    pub offsets_days: Vec<i64>,
    /// Repeat period while overdue.
    pub overdue_every_days: i64,
    /// Working days instead of calendar days.
    pub working_days: bool,
    /// Days off added to the Vietnamese calendar.
    pub holidays: Vec<chrono::NaiveDate>,
    /// Days worked although the calendar has them off.
    #[serde(default)]
    pub workdays: Vec<chrono::NaiveDate>,
    /// Seconds between scans.
    pub scan_every_secs: u64,
}

/// `[evidence]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSettings {
    /// Largest upload in bytes.
    pub max_upload_bytes: u64,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Empty for the default SQLite file, else a sqlite:// or postgres:// URL.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// Seconds to wait for a pooled connection.
    pub acquire_timeout_secs: u64,
}

/// `[storage]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// Folder for the SQLite file and evidence.
    pub data_dir: PathBuf,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// tracing-subscriber filter.
    pub filter: String,
    /// "text" or "json".
    pub format: String,
}

/// A setting that cannot be used, with the key that holds it.
#[derive(Debug, thiserror::Error)]
#[error("config key `{key}`: {message}")]
pub struct ConfigError {
    /// Dotted key, e.g. `server.port`.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

fn err(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.into(), message: message.into() }
}

impl Settings {
    /// Loads the layers from the process environment and `APP_CONFIG_DIR` (default `config`).
    pub fn load() -> Result<Settings, ConfigError> {
        let dir = std::env::var("APP_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        let app_env = std::env::var("APP_ENV").ok().filter(|s| !s.is_empty());
        Settings::load_from(Path::new(&dir), app_env.as_deref(), std::env::vars())
    }

    /// Loads the layers from explicit inputs (the testable core of [`Settings::load`]).
    pub fn load_from(
        dir: &Path,
        app_env: Option<&str>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut merged: Table = DEFAULT_TOML.parse().map_err(|e| err("default.toml", format!("{e}")))?;
        let schema = merged.clone();
        if let Some(env) = app_env {
            let path = dir.join(format!("{env}.toml"));
            let text = std::fs::read_to_string(&path)
                .map_err(|e| err("APP_ENV", format!("cannot read {}: {e}", path.display())))?;
            let overlay: Table = text.parse().map_err(|e| err(path.display().to_string(), format!("{e}")))?;
            merge(&mut merged, overlay, &schema, "")?;
        }
        let mut env_overlay = Table::new();
        for (name, value) in vars {
            let Some(rest) = name.strip_prefix("APP__") else {
                continue;
            };
            let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
            if parts.len() != 2 {
                return Err(err(name, "expected APP__<SECTION>__<KEY>"));
            }
            let section = env_overlay.entry(parts[0].clone()).or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(t) = section {
                t.insert(parts[1].clone(), scalar(&value));
            }
        }
        merge(&mut merged, env_overlay, &schema, "")?;
        let settings: Settings = serde_path_to_error::deserialize(Value::Table(merged))
            .map_err(|e| err(e.path().to_string(), e.inner().to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.is_empty()
            || url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(err("database.url", "must be empty, sqlite:… or postgres://…"));
        }
        let public = self.server.public_url.trim();
        if !(public.is_empty() || public.starts_with("https://") || public.starts_with("http://"))
            || public.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(err("server.public_url", "must be empty or an http:// or https:// address"));
        }
        if !matches!(self.mail.security.as_str(), "none" | "starttls" | "tls") {
            return Err(err("mail.security", "must be \"none\", \"starttls\" or \"tls\""));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(err("mail.from", "must be an address, e.g. \"Văn phòng <vp@example.vn>\""));
        }
        if self.reminders.offsets_days.iter().any(|d| *d < 0) {
            return Err(err("reminders.offsets_days", "days must be 0 or more"));
        }
        if self.evidence.max_upload_bytes == 0 {
            return Err(err("evidence.max_upload_bytes", "must be at least 1"));
        }
        if self.database.max_connections == 0 {
            return Err(err("database.max_connections", "must be at least 1"));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(err("log.format", "must be \"text\" or \"json\""));
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.storage.data_dir.join("nhiemvu.sqlite").display())
        } else {
            self.database.url.clone()
        }
    }
}

/// An environment value typed as TOML would read it: numbers and booleans stay typed.
fn scalar(raw: &str) -> Value {
    if let Ok(i) = raw.parse::<i64>() {
        return Value::Integer(i);
    }
    match raw {
        "true" => Value::Boolean(true),
        "false" => Value::Boolean(false),
        _ => Value::String(raw.to_owned()),
    }
}

/// Lays `overlay` over `base`, refusing keys the defaults do not have.
fn merge(base: &mut Table, overlay: Table, schema: &Table, prefix: &str) -> Result<(), ConfigError> {
    for (key, value) in overlay {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        let Some(known) = schema.get(&key) else {
            return Err(err(path, "unknown key (see config/default.toml for every key)"));
        };
        match (known, value) {
            (Value::Table(known), Value::Table(sub)) => {
                let Some(Value::Table(target)) = base.get_mut(&key) else { unreachable!("schema and base share keys") };
                merge(target, sub, known, &path)?;
            }
            (Value::Table(_), _) => return Err(err(path, "must be a section")),
            (Value::String(_), Value::Integer(i)) => {
                base.insert(key, Value::String(i.to_string()));
            }
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn defaults_load_and_environment_overrides_win() {
        let s = Settings::load_from(Path::new("config"), None, vars(&[("APP__SERVER__PORT", "9000")])).unwrap();
        assert_eq!(s.server.port, 9000);
        assert!(s.database_url().starts_with("sqlite://"));
        let s = Settings::load_from(Path::new("config"), None, vars(&[("APP__DATABASE__URL", "postgres://u@h/db")]))
            .unwrap();
        assert_eq!(s.database_url(), "postgres://u@h/db");
    }

    #[test]
    fn an_unknown_or_ill_typed_key_is_named() {
        let e = Settings::load_from(Path::new("config"), None, vars(&[("APP__SERVER__PROT", "1")])).unwrap_err();
        assert_eq!(e.key, "server.prot");
        let e = Settings::load_from(Path::new("config"), None, vars(&[("APP__SERVER__PORT", "eighty")])).unwrap_err();
        assert_eq!(e.key, "server.port");
        let e =
            Settings::load_from(Path::new("config"), None, vars(&[("APP__DATABASE__URL", "mysql://x")])).unwrap_err();
        assert_eq!(e.key, "database.url");
    }
}
