//! The commands of `nhiemvu`, one function each, grouped by what they touch:
//! [`serve`] the server, [`documents`] PDFs and their checks, [`data`] the database
//! as a whole (backup, restore, import, reminders, the audit chain), [`people`]
//! accounts and signing keys. `main.rs` reads the arguments and calls one of them.

pub mod args;
pub mod data;
pub mod documents;
pub mod people;
pub mod serve;

use std::process::ExitCode;

use nhiemvu::config::Settings;
use nhiemvu::services;

/// What a command ends with: its exit code, or the error to print.
pub type Outcome = Result<ExitCode, Box<dyn std::error::Error>>;

/// A secret from the environment variable `var`, or else a line typed after `prompt`.
pub fn secret(var: &str, prompt: &str) -> std::io::Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    eprintln!("{prompt}:");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Reads a file named on the command line, saying which one failed.
pub fn read(file: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))
}

/// Says what loading the reference year did.
pub fn report(loaded: services::demo::Loaded) {
    let what = if loaded.created { "Đã nạp / loaded" } else { "Đã có sẵn / already present" };
    println!("{what}: Bắc Sơn 2024 — plan {} — report {}", loaded.plan_id, loaded.document_id);
    if let Some(pw) = &loaded.password {
        println!("Người dùng mẫu / demo users: {} — mật khẩu / password: {pw}", loaded.usernames.join(", "));
    }
}

/// Prints the OpenAPI document and touches nothing: an in-memory database and a
/// scratch folder, removed on the way out, stand in for the configured ones.
pub async fn openapi(mut settings: Settings) -> Outcome {
    let scratch = std::env::temp_dir().join(format!("nhiemvu-openapi-{}", std::process::id()));
    settings.database.url = "sqlite::memory:".into();
    settings.storage.data_dir = scratch.clone();
    let state = nhiemvu::state::AppState::build(&settings).await;
    let _ = std::fs::remove_dir_all(&scratch);
    println!("{}", nhiemvu::app::openapi_json(state?));
    Ok(ExitCode::SUCCESS)
}
