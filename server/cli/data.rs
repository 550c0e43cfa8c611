//! Commands on the database as a whole: backup, restore, import, reminders and
//! the audit chain.

use std::path::Path;
use std::process::ExitCode;

use nhiemvu::config::Settings;
use nhiemvu::state::AppState;
use nhiemvu::{error, services, storage};

use super::{Outcome, read};

/// `nhiemvu backup -o FILE`: a consistent copy while the server runs.
pub async fn backup(state: &AppState, settings: &Settings, output: &Path) -> Outcome {
    let files = settings.storage.data_dir.join("files");
    let m = storage::backup::backup(&state.db, &files, output, services::now()).await?;
    println!(
        "Đã sao lưu vào {} / backup written: cơ sở dữ liệu và {} tệp / the database and {} files, sự kiện nhật ký cuối / last audit event {}",
        output.display(),
        m.files.len(),
        m.files.len(),
        m.audit_head
    );
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu restore FILE`: into an empty data folder, then the audit chain is checked.
pub async fn restore(file: &Path, settings: &Settings) -> Outcome {
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

/// `nhiemvu import FILE --plan ID`: the register from a spreadsheet, all or nothing.
pub async fn import(state: &AppState, file: &Path, plan: uuid::Uuid, dry_run: bool) -> Outcome {
    let bytes = read(file)?;
    let actor = storage::audit::Actor::system();
    match services::spreadsheets::import_register(&state.db, &actor, chrono::Utc::now(), plan, &bytes, dry_run).await {
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
            Ok(if r.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Err(error::AppError::Invalid(fields)) => {
            for (cell, message) in fields {
                println!("{}: {message}", cell.trim_start_matches("file."));
            }
            println!("Không nhập gì / nothing was imported");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// `nhiemvu remind [--at TIME] [--dry-run]`: the reminders due at that time.
pub async fn remind(state: &AppState, settings: &Settings, at: Option<String>, dry_run: bool) -> Outcome {
    let db = &state.db;
    let at = match at {
        Some(s) => services::reminders::parse_at(&s)?,
        None => services::now(),
    };
    let policy = nhiemvu::services::reminders::policy(&settings.reminders);
    let digests = if dry_run {
        services::reminders::plan_reminders(db, &policy, at).await?
    } else {
        services::reminders::send_reminders(db, &policy, at).await?
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
        let d = services::outbox::dispatch(db, &state.files, &mailer, "cli", services::now(), usize::MAX).await?;
        println!("{d:?}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu audit verify`: the audit chain, event by event.
pub async fn audit_verify(state: &AppState) -> Outcome {
    match storage::audit::verify(&state.db.conn).await? {
        None => {
            println!("Chuỗi nhật ký toàn vẹn / audit chain intact");
            Ok(ExitCode::SUCCESS)
        }
        Some(seq) => {
            println!("Chuỗi nhật ký bị hỏng tại sự kiện {seq} / audit chain broken at event {seq}");
            Ok(ExitCode::FAILURE)
        }
    }
}
