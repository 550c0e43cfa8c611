//! Commands on documents: print one, check one (stored or a PDF file), sign an
//! attachment, verify a PDF's signatures.

use std::path::Path;
use std::process::ExitCode;

use nhiemvu::config::Settings;
use nhiemvu::services;
use nhiemvu::state::AppState;
use nhiemvu::storage::audit::Actor;

use super::{Outcome, read};

/// `nhiemvu check FILE.pdf`: the Nghị định 30 check of a PDF from anywhere.
pub fn check_file(file: &Path, json: bool) -> Outcome {
    let pages = nhiemvu::inspect::pages(&read(file)?)?;
    print_findings(&nhiemvu::domain::check::check_pages(&pages), json)
}

/// `nhiemvu check --document ID`: the check of a stored document.
pub async fn check_document(state: &AppState, settings: &Settings, id: uuid::Uuid, json: bool) -> Outcome {
    let findings = services::checks::check_document(
        &state.db,
        &state.renderer,
        &state.files,
        &Actor::system(),
        id,
        services::now(),
        settings.signing.images_required,
    )
    .await?;
    print_findings(&findings, json)
}

/// `nhiemvu render`: a document's PDF (the reference year's report with `--demo`).
pub async fn render(state: &AppState, document: Option<uuid::Uuid>, demo: bool, output: &Path) -> Outcome {
    let id = match (document, demo) {
        (_, true) => services::demo::load_reference_year(&state.db, &state.files).await?.document_id,
        (Some(id), false) => id,
        (None, false) => return Err("--document or --demo".into()),
    };
    let pdf = services::printing::document_pdf(&state.db, &state.renderer, &state.files, &Actor::system(), id).await?;
    std::fs::write(output, &pdf).map_err(|e| format!("{}: {e}", output.display()))?;
    println!("{} ({} bytes)", output.display(), pdf.len());
    Ok(ExitCode::SUCCESS)
}

/// `nhiemvu sign-attachment`: signs a PDF with the issuer's key, for an attachment
/// that travels with an issued document.
pub async fn sign_attachment(
    state: &AppState,
    issuer: &str,
    reference: &str,
    location: &str,
    file: &Path,
    output: &Path,
) -> Outcome {
    let pdf = read(file)?;
    let (stored, names) = services::keys::attachment_key(&state.db, issuer).await?;
    let signed = services::signatures::sign_attachment(
        &state.signing,
        stored.as_ref(),
        names.as_deref(),
        services::signatures::Attachment { issuer_code: issuer, reference, location, pdf: &pdf },
        services::now(),
    )?;
    std::fs::write(output, &signed).map_err(|e| format!("{}: {e}", output.display()))?;
    println!("Đã ký / signed: {} ({} bytes)", output.display(), signed.len());
    Ok(ExitCode::SUCCESS)
}

/// Prints the check's findings; exit 1 when one is an error.
pub fn print_findings(findings: &[nhiemvu::domain::check::Finding], json: bool) -> Outcome {
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

/// `nhiemvu verify file.pdf`: one block per signature, oldest first.
pub fn verify(file: &Path, json: bool, settings: &Settings) -> Outcome {
    let bytes = read(file)?;
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
