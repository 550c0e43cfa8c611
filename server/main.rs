//! The `nhiemvu` command line: serve, migrate, load the reference year, check the
//! audit chain. The commands are in [`cli`], one function each.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::args::{AuditCommand, Cli, Command, UserCommand};
use nhiemvu::config::Settings;
use nhiemvu::services;
use nhiemvu::state::AppState;

fn init_tracing(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&settings.log.filter));
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    if settings.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Cấu hình không hợp lệ / invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&settings);
    match run(cli.command, settings).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi / error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Calls the command's function; those that need no database are called before
/// one is opened.
async fn run(command: Command, mut settings: Settings) -> cli::Outcome {
    match command {
        Command::Verify { file, json } => return cli::documents::verify(&file, json, &settings),
        Command::Check { file: Some(file), json, .. } => return cli::documents::check_file(&file, json),
        Command::Restore { file } => return cli::data::restore(&file, &settings).await,
        Command::Openapi => return cli::openapi(settings).await,
        Command::Serve { demo } => return cli::serve::serve(settings, demo).await,
        Command::Render { demo: true, .. } => settings.database.url = "sqlite::memory:".into(),
        _ => {}
    }
    let state = AppState::build(&settings).await?;
    match command {
        Command::Migrate => {
            println!("Cơ sở dữ liệu đã cập nhật / database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            cli::report(services::demo::load_reference_year(&state.db, &state.files).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Remind { at, dry_run } => cli::data::remind(&state, &settings, at, dry_run).await,
        Command::Backup { output } => cli::data::backup(&state, &settings, &output).await,
        Command::Import { file, plan, dry_run } => cli::data::import(&state, &file, plan, dry_run).await,
        Command::Audit { command: AuditCommand::Verify } => cli::data::audit_verify(&state).await,
        Command::Check { document, json, .. } => {
            cli::documents::check_document(&state, &settings, document.ok_or("--document or a file")?, json).await
        }
        Command::Render { document, demo, output } => cli::documents::render(&state, document, demo, &output).await,
        Command::SignAttachment { issuer, reference, location, file, output } => {
            cli::documents::sign_attachment(&state, &issuer, &reference, &location, &file, &output).await
        }
        Command::Keys { command } => cli::people::keys(&state, command).await,
        Command::User { command: UserCommand::Add { issuer, username, name, email, role, unit, server_admin } } => {
            let role = match (role, server_admin) {
                (Some(role), false) => role,
                _ => nhiemvu::domain::Role::ServerAdmin.code().to_owned(),
            };
            let password = cli::secret("NHIEMVU_PASSWORD", "Mật khẩu / password")?;
            let input = services::users::NewUser {
                issuer_code: issuer,
                username,
                name,
                email,
                role,
                unit_short_name: unit,
                password,
            };
            cli::people::user_add(&state, input).await
        }
        Command::Verify { .. } | Command::Restore { .. } | Command::Openapi | Command::Serve { .. } => {
            unreachable!("handled before the database is opened")
        }
    }
}
