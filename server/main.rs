//! The `nhiemvu` command line: serve, migrate, load the reference year, check the audit chain.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nhiemvu::config::Settings;
use nhiemvu::{app, error, services, storage};

#[derive(Parser)]
#[command(name = "nhiemvu", version, about = "Nhiệm vụ trọng tâm: key tasks and official documents")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrations are applied first).
    Serve {
        /// Load the reference year (Bắc Sơn 2024) if it is not there yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a backup while the server runs: a consistent copy of the SQLite database,
    /// every stored file and a manifest of their SHA-256 sums, in one .tar file.
    Backup {
        /// The archive to write (it appears only when complete).
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Restore a backup into an empty data folder (storage.data_dir), checking every
    /// file's SHA-256 first, then the audit chain.
    Restore {
        /// The archive written by `nhiemvu backup`.
        file: std::path::PathBuf,
    },
    /// Load the reference year (Bắc Sơn 2024) into the database and exit.
    Demo,
    /// Import a register spreadsheet (.xlsx, the template's columns) into a plan: every
    /// problem is listed by cell and nothing is written while there is one.
    Import {
        /// The .xlsx file.
        file: std::path::PathBuf,
        /// The plan's id.
        #[arg(long)]
        plan: uuid::Uuid,
        /// Check and say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Queue (or with --dry-run, show) the deadline reminders due at a time.
    Remind {
        /// YYYY-MM-DD (08:00 in Vietnam) or an RFC 3339 time; default: now.
        #[arg(long)]
        at: Option<String>,
        /// Show what would be sent; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a document as PDF.
    Render {
        /// The document's id.
        #[arg(long, conflicts_with = "demo", required_unless_present = "demo")]
        document: Option<uuid::Uuid>,
        /// Print the reference report from the reference year (in memory; the database is not touched).
        #[arg(long)]
        demo: bool,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// List the digital signatures of a PDF and check each (exit 1 if any is broken or none is there).
    Verify {
        /// The PDF file.
        file: std::path::PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sign a separately attached file with an issuing body's key: the number and symbol
    /// and the signing time are printed at the top right of page 1 (Nghị định 30/2020).
    SignAttachment {
        /// The issuer's code (its key is `<signing.keys_dir>/issuers/<code>.p12`).
        #[arg(long)]
        issuer: String,
        /// Number and symbol of the document it belongs to, e.g. "280/BC-UBND".
        #[arg(long)]
        reference: String,
        /// Where it is signed (the issuer's place name), for the signature's location.
        #[arg(long, default_value = "")]
        location: String,
        /// The PDF to sign.
        file: std::path::PathBuf,
        /// Where to write the signed PDF.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Check a document against Nghị định 30/2020 (exit 1 when it has an error): a
    /// stored document (its data and its printed pages) or any PDF file (its pages).
    Check {
        /// A stored document's id.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        document: Option<uuid::Uuid>,
        /// A PDF file.
        file: Option<std::path::PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Signing keys: import a PKCS#12 as a signer's or an issuing body's key, list them.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage users from the command line (e.g. the first administrator).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user with a password read from NHIEMVU_PASSWORD or, if unset, from standard input.
    Add {
        /// The issuer's code (created with placeholder names if it does not exist yet).
        #[arg(long)]
        issuer: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// admin, office, unit_officer, signer or viewer.
        #[arg(long)]
        role: String,
        /// The unit's short name (unit officers).
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Import a PKCS#12 (.p12, .pfx), its passphrase read from NHIEMVU_P12_PASS or, if
    /// unset, from standard input; it replaces the holder's key in use. Needs the
    /// key-encryption key (NHIEMVU_KEK or signing.kek_file).
    Import {
        /// The issuing body's code: its own key (the seal's signature).
        #[arg(long, conflicts_with = "signer", required_unless_present = "signer")]
        issuer: Option<String>,
        /// A signer's login name: their key.
        #[arg(long)]
        signer: Option<String>,
        /// The PKCS#12 file.
        file: std::path::PathBuf,
    },
    /// List the keys in use (with --all, the retired ones too).
    List {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log; exits 1 if it is broken.
    Verify,
}

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

async fn run(command: Command, mut settings: Settings) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if let Command::Verify { file, json } = &command {
        return verify(file, *json, &settings);
    }
    if let Command::Check { file: Some(file), json, .. } = &command {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let pages = nhiemvu::inspect::pages(&bytes)?;
        return print_findings(&nhiemvu::domain::check::check_pages(&pages), *json);
    }
    if let Command::Restore { file } = &command {
        return restore(file, &settings).await;
    }
    if let Command::Openapi = command {
        return print_openapi(settings).await;
    }
    if let Command::Render { demo: true, .. } = command {
        settings.database.url = "sqlite::memory:".into();
    }
    if let Command::Serve { demo: true } = command
        && !settings.signing.enabled
        && settings.signing.keys_dir.is_empty()
    {
        // The reference year signs with the demo keys (config/demo/pki, no legal value).
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
    let _claim = match command {
        Command::Serve { .. } => storage::claim_sqlite(&settings.database_url())?,
        _ => None,
    };
    let state = nhiemvu::state::AppState::build(&settings).await?;
    let db = state.db.clone();
    match command {
        Command::Serve { demo } => {
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
            app::serve(&settings, state).await?;
        }
        Command::Remind { at, dry_run } => {
            let at = match at {
                Some(s) => services::reminders::parse_at(&s)?,
                None => services::now(),
            };
            let policy = settings.reminders.policy();
            let digests = if dry_run {
                services::reminders::plan_reminders(&db, &policy, at).await?
            } else {
                services::reminders::send_reminders(&db, &policy, at).await?
            };
            for d in &digests {
                println!("{} <{}>", d.unit, d.addresses.join(", "));
                for t in &d.tasks {
                    println!("  - {} ({}, hạn {}): {}", t.code, t.when, t.deadline, t.text);
                }
            }
            let verb = if dry_run { "sẽ gửi / would send" } else { "đã xếp hàng / queued" };
            println!("{verb}: {} thư nhắc / digests", digests.len());
            if !dry_run && settings.mail.enabled {
                let mailer = nhiemvu::mail::SmtpMailer::new(&settings.mail)?;
                let d =
                    services::outbox::dispatch(&db, &state.files, &mailer, "cli", services::now(), usize::MAX).await?;
                println!("{d:?}");
            }
        }
        Command::SignAttachment { issuer, reference, location, file, output } => {
            let pdf = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let (stored, names) = services::keys::attachment_key(&db, &issuer).await?;
            let signed = services::signatures::sign_attachment(
                &state.signing,
                stored.as_ref(),
                names.as_deref(),
                &issuer,
                &reference,
                &location,
                &pdf,
                services::now(),
            )?;
            std::fs::write(&output, &signed).map_err(|e| format!("{}: {e}", output.display()))?;
            println!("Đã ký / signed: {} ({} bytes)", output.display(), signed.len());
        }
        Command::Keys { command } => return keys(&db, &state.signing, command).await,
        Command::Verify { .. } | Command::Check { file: Some(_), .. } => {
            unreachable!("handled before the database is opened")
        }
        Command::Check { document, json, .. } => {
            let id = document.ok_or("--document or a file")?;
            let findings = services::checks::check_document(
                &db,
                &state.renderer,
                &state.files,
                &nhiemvu::storage::audit::Actor::system(),
                id,
                services::now(),
                settings.signing.images_required,
            )
            .await?;
            return print_findings(&findings, json);
        }
        Command::Migrate => println!("Cơ sở dữ liệu đã cập nhật / database is up to date"),
        Command::Backup { output } => {
            let files = settings.storage.data_dir.join("files");
            let m = storage::backup::backup(&db, &files, &output, services::now()).await?;
            println!(
                "Đã sao lưu vào {} / backup written: cơ sở dữ liệu và {} tệp / the database and {} files, sự kiện nhật ký cuối / last audit event {}",
                output.display(),
                m.files.len(),
                m.files.len(),
                m.audit_head
            );
        }
        Command::Restore { .. } => unreachable!("handled before the database is opened"),
        Command::Demo => report(services::demo::load_reference_year(&db, &state.files).await?),
        Command::Openapi => unreachable!("handled before the database is opened"),
        Command::Import { file, plan, dry_run } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let actor = storage::audit::Actor::system();
            match services::spreadsheets::import_register(&db, &actor, chrono::Utc::now(), plan, &bytes, dry_run).await
            {
                Ok(r) => {
                    for p in &r.problems {
                        println!("{} ({}): {}", p.cell, p.column, p.message);
                    }
                    println!(
                        "{}{} dòng, {} nhiệm vụ: {} thêm, {} sửa, {} giữ nguyên; {} nhóm mới / rows, tasks: created, updated, unchanged; new groups",
                        if r.dry_run { "Kiểm tra (chưa ghi gì): " } else { "" },
                        r.rows,
                        r.tasks,
                        r.tasks_created,
                        r.tasks_updated,
                        r.tasks_unchanged,
                        r.groups_created
                    );
                    if !r.problems.is_empty() {
                        return Ok(ExitCode::FAILURE);
                    }
                }
                Err(error::AppError::Invalid(fields)) => {
                    for (cell, message) in fields {
                        println!("{}: {message}", cell.trim_start_matches("file."));
                    }
                    println!("Không nhập gì / nothing was imported");
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Render { document, demo, output } => {
            let id = match (document, demo) {
                (_, true) => services::demo::load_reference_year(&db, &state.files).await?.document_id,
                (Some(id), false) => id,
                (None, false) => unreachable!("clap requires --document or --demo"),
            };
            let actor = storage::audit::Actor::system();
            let pdf = services::printing::document_pdf(&db, &state.renderer, &state.files, &actor, id).await?;
            std::fs::write(&output, &pdf).map_err(|e| format!("{}: {e}", output.display()))?;
            println!("{} ({} bytes)", output.display(), pdf.len());
        }
        Command::User { command: UserCommand::Add { issuer, username, name, email, role, unit } } => {
            let password = match std::env::var("NHIEMVU_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("Mật khẩu / password:");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let input = services::users::NewUser {
                issuer_code: issuer,
                username,
                name,
                email,
                role,
                unit_short_name: unit,
                password,
            };
            let user = services::users::add_user_with_password(&db, input).await?;
            println!("Đã tạo người dùng / user created: {} ({})", user.data.username, user.id);
        }
        Command::Audit { command: AuditCommand::Verify } => match storage::audit::verify(&db.conn).await? {
            None => println!("Chuỗi nhật ký toàn vẹn / audit chain intact"),
            Some(seq) => {
                println!("Chuỗi nhật ký bị hỏng tại sự kiện {seq} / audit chain broken at event {seq}");
                return Ok(ExitCode::FAILURE);
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu restore FILE`: into an empty data folder, then the audit chain is checked.
async fn restore(file: &std::path::Path, settings: &Settings) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let url = settings.database_url();
    let database = storage::sqlite_file(&url).ok_or(
        "Khôi phục chỉ dành cho SQLite; với PostgreSQL dùng pg_restore như README hướng dẫn / \
         restore is for SQLite; for PostgreSQL use pg_restore as the README says",
    )?;
    let files = settings.storage.data_dir.join("files");
    let m = storage::backup::restore(file, &database, &files)?;
    let db = storage::Db::connect(&url, 2, std::time::Duration::from_secs(10)).await?;
    if let Some(seq) = storage::audit::verify(&db.conn).await? {
        println!("Chuỗi nhật ký bị hỏng tại sự kiện {seq} / audit chain broken at event {seq}");
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "Đã khôi phục bản sao lưu lúc {} / restored the backup of {}: {} tệp / files, chuỗi nhật ký toàn vẹn đến sự kiện {} / audit chain intact to event {}",
        m.created_at.to_rfc3339(),
        m.created_at.to_rfc3339(),
        m.files.len(),
        m.audit_head,
        m.audit_head
    );
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu keys import|list`.
async fn keys(
    db: &storage::Db,
    signing: &services::signatures::Signing,
    command: KeysCommand,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let actor = storage::audit::Actor::system();
    let now = services::now();
    match command {
        KeysCommand::Import { issuer, signer, file } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let passphrase = match std::env::var("NHIEMVU_P12_PASS") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("Mật khẩu tệp khóa / passphrase:");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let holder = services::keys::holder_by_name(db, issuer.as_deref(), signer.as_deref()).await?;
            let k = services::keys::import(db, signing, &actor, now, holder, bytes, passphrase).await?;
            println!(
                "Đã nhập khóa / key imported: {} — {} (do {} cấp), hiệu lực đến {} — SHA-256 {}",
                k.id,
                k.subject,
                k.issued_by,
                nhiemvu::signing::iso_vn(k.not_after),
                k.fingerprint
            );
        }
        KeysCommand::List { all } => {
            for k in services::keys::list(db, &actor, now, all).await? {
                let state = if k.active { "đang dùng / in use" } else { "đã thôi / retired" };
                let holder = k.user_id.map(|u| u.to_string()).unwrap_or_else(|| format!("issuer {}", k.issuer_id));
                println!(
                    "{} {} — {} — {} (do {} cấp) — đến {} ({} ngày) — {}",
                    k.id,
                    state,
                    holder,
                    k.subject,
                    k.issued_by,
                    nhiemvu::signing::iso_vn(k.not_after),
                    k.days_left,
                    k.fingerprint
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu verify file.pdf`: one block per signature, oldest first.
/// Prints the check's findings; exit 1 when one is an error.
fn print_findings(
    findings: &[nhiemvu::domain::check::Finding],
    json: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use nhiemvu::domain::check::{Severity, has_errors};
    if json {
        println!("{}", serde_json::to_string_pretty(findings)?);
    } else if findings.is_empty() {
        println!("Đúng thể thức Nghị định 30/2020: không có lỗi, không có cảnh báo.");
    }
    for f in findings.iter().filter(|_| !json) {
        let level = if f.severity == Severity::Error { "LỖI" } else { "Cảnh báo" };
        let at = f.field.as_deref().map(|x| format!(" [{x}]")).unwrap_or_default();
        println!("{level}{at}: {} ({})", f.message, f.code);
    }
    Ok(if has_errors(findings) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn verify(file: &std::path::Path, json: bool, settings: &Settings) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = &settings.signing.trust_dir;
    let trust = nhiemvu::signing::keys::TrustStore::load((!dir.is_empty()).then(|| std::path::Path::new(dir)))
        .map_err(|e| format!("signing.trust_dir: {e}"))?;
    let reports = nhiemvu::signing::verify(&bytes, &trust);
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else if reports.is_empty() {
        println!("Không có chữ ký số / no digital signature: {}", file.display());
    }
    let yes_no = |b: bool| if b { "có / yes" } else { "KHÔNG / NO" };
    for (i, r) in reports.iter().enumerate().filter(|_| !json) {
        println!("Chữ ký {} / signature {}: {}", i + 1, i + 1, r.field);
        println!("  Người ký / signer:            {}", r.signer);
        println!("  Tổ chức cấp / issued by:      {}", r.issuer);
        println!("  Hiệu lực / valid:             {} → {}", r.valid_from, r.valid_to);
        println!("  Thời gian ký / signing time:  {}", r.signing_time.as_deref().unwrap_or("—"));
        println!("  Lý do / reason:               {}", r.reason.as_deref().unwrap_or("—"));
        println!("  Nơi ký / location:            {}", r.location.as_deref().unwrap_or("—"));
        println!("  Toàn vẹn / intact:            {}", yes_no(r.intact));
        println!("  Phủ toàn tệp / whole file:    {}", yes_no(r.covers_whole_file));
        println!("  Tin cậy / trusted:            {}", yes_no(r.trusted));
        if let Some(tsa) = &r.timestamp_authority {
            let at = r.timestamp.as_deref().unwrap_or("KHÔNG HỢP LỆ / INVALID");
            println!("  Dấu thời gian / timestamp:    {at} ({tsa})");
        }
        if let Some(p) = &r.problem {
            println!("  Vấn đề / problem:             {p}");
        }
    }
    let ok = !reports.is_empty() && reports.iter().all(|r| r.intact);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn report(loaded: services::demo::Loaded) {
    let what = if loaded.created { "Đã nạp / loaded" } else { "Đã có sẵn / already present" };
    println!("{what}: Bắc Sơn 2024 — plan {} — report {}", loaded.plan_id, loaded.document_id);
    if let Some(pw) = &loaded.password {
        println!("Người dùng mẫu / demo users: {} — mật khẩu / password: {pw}", loaded.usernames.join(", "));
    }
}

/// Prints the OpenAPI document and touches nothing: an in-memory database and a
/// scratch folder, removed on the way out, stand in for the configured ones.
async fn print_openapi(mut settings: Settings) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let scratch = std::env::temp_dir().join(format!("nhiemvu-openapi-{}", std::process::id()));
    settings.database.url = "sqlite::memory:".into();
    settings.storage.data_dir = scratch.clone();
    let state = nhiemvu::state::AppState::build(&settings).await;
    let _ = std::fs::remove_dir_all(&scratch);
    println!("{}", app::openapi_json(state?));
    Ok(ExitCode::SUCCESS)
}
