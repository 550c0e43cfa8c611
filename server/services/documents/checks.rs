//! The Nghị định 30 check of a stored document: the rules about its data
//! (`domain::check::check_facts`) and about its printed pages (rendered now, or
//! the frozen file once issued, read back by `inspect`).
//!
//! Data rules over the stored document, layout rules over its printed pages as `inspect`
//! reads them back from the PDF with hayro. The same check serves the API (`GET
//! /documents/{id}/check`), the CLI (`nhiemvu check --document ID` or any PDF file), the
//! document page and the submit step, which refuses errors (409 with the findings).
//! Reading back the PDF, rather than trusting the template, means any PDF can be checked
//! the same way.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access::Action;
use crate::domain::check::{Facts, Finding, check_facts, check_pages};
use crate::domain::{DocumentKind, DocumentState};
use crate::error::{AppError, Result};
use crate::model::Recipient;
use crate::render::Renderer;
use crate::services::access::require;
use crate::services::json_list;
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, Db};
use crate::storage::{documents, issuers, plans, proposals, results, targets, task_groups, tasks, users};

/// Slots a stored document may have that no template of its kind prints.
fn unknown_slots(doc: &documents::Model, kind: DocumentKind) -> Vec<String> {
    let known = crate::domain::print::section_slots(kind);
    doc.sections
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| v.as_str().is_some_and(|s| !s.trim().is_empty()) && !known.iter().any(|(s, _)| s == k))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The plan's year-end reports other than `doc` (and than the report it corrects),
/// not replaced: each named as a reader knows it, and whether it is issued.
async fn other_reports(
    c: &impl Conn,
    doc: &documents::Model,
    issuer: &issuers::Model,
    plan: Uuid,
) -> Result<Vec<(String, bool)>> {
    let rows = documents::other_reports_of_plan(c, plan, doc.id).await?;
    Ok(rows
        .into_iter()
        .filter(|r| Some(r.id) != doc.replaces_id && r.replaces_id != Some(doc.id))
        .map(|r| {
            let issued = r.state == DocumentState::Issued;
            let name = match (issued, r.number) {
                (true, Some(n)) => crate::domain::format::cited(
                    n,
                    &crate::services::documents::symbol(r.kind, &issuer.abbreviation, r.drafting_unit.as_deref()),
                    None,
                ),
                _ => {
                    format!(
                        "“{}” (dự thảo tạo ngày {})",
                        r.subject,
                        crate::services::local_date(r.created_at).format("%d/%m/%Y")
                    )
                }
            };
            (name, issued)
        })
        .collect())
}

/// Text saved before characters were checked where they are typed, that the
/// document's fonts cannot draw: each named by its record and field (it prints as a
/// placeholder until mended, so it is an error of the check).
async fn unprintable(
    c: &impl Conn,
    doc: &documents::Model,
    plan: Option<&plans::Model>,
    list: &[tasks::Model],
) -> Result<Vec<Finding>> {
    use crate::domain::text::undrawable;
    let mut texts: Vec<(String, String)> = vec![("Trích yếu".into(), doc.subject.clone())];
    for (what, v) in [("Mở đầu", &doc.opening), ("Kết thúc", &doc.closing)] {
        texts.extend(v.clone().map(|t| (what.to_owned(), t)));
    }
    if let Some(o) = doc.sections.as_object() {
        texts.extend(o.values().filter_map(|v| v.as_str()).map(|t| ("Nội dung văn bản".to_owned(), t.to_owned())));
    }
    texts.extend(json_list::<String>(&doc.legal_bases).into_iter().map(|t| ("Căn cứ".to_owned(), t)));
    texts.extend(json_list::<Recipient>(&doc.recipients).into_iter().map(|r| ("Nơi nhận".to_owned(), r.label)));
    texts.push(("Người ký".into(), format!("{} {}", doc.signer_position, doc.signer_name)));
    if let Some(p) = plan {
        let groups = task_groups::of_plan(c, p.id).await?;
        texts.extend(groups.into_iter().map(|g| ("Tên nhóm nhiệm vụ".to_owned(), g.title)));
        let code: std::collections::HashMap<Uuid, String> = list.iter().map(|t| (t.id, t.code.clone())).collect();
        let ids: Vec<Uuid> = list.iter().map(|t| t.id).collect();
        for t in list {
            texts.push((format!("Nhiệm vụ {}, nội dung", t.code), t.text.clone()));
        }
        for x in targets::of_tasks(c, ids.clone()).await? {
            let of = code.get(&x.task_id).cloned().unwrap_or_default();
            texts.push((
                format!("Nhiệm vụ {of}, chỉ tiêu"),
                format!("{} {}", x.description, x.measure_unit.unwrap_or_default()),
            ));
        }
        for r in results::of_task_ids(c, ids).await? {
            let of = code.get(&r.task_id).cloned().unwrap_or_default();
            texts.push((format!("Nhiệm vụ {of}, kết quả thực hiện"), r.narrative));
        }
        for x in proposals::of_plan(c, p.id, None).await? {
            texts.push(("Đề xuất nhiệm vụ năm sau".to_owned(), x.text));
        }
    }
    Ok(texts
        .into_iter()
        .filter_map(|(what, text)| {
            let (at, ch) = undrawable(&text)?;
            Some(Finding {
                code: "character_not_printable",
                severity: crate::domain::check::Severity::Error,
                field: None,
                message: format!(
                    "{what}: ký tự “{ch}” (U+{:04X}) ở vị trí {at} không có trong phông chữ nên in thành ô trống; hãy sửa lại.",
                    ch as u32
                ),
            })
        })
        .collect())
}

/// The data rules' findings for a document (inside the caller's transaction or not).
pub(crate) async fn data_findings(
    c: &impl Conn,
    doc: &documents::Model,
    issuer: &issuers::Model,
    now: DateTime<Utc>,
    images_required: bool,
) -> Result<Vec<Finding>> {
    let kind = doc.kind;
    let plan = match doc.plan_id {
        Some(p) => plans::find(c, p).await?,
        None => None,
    };
    // The plan's tasks as they print (archived ones do not), read once for both rules.
    let plan_tasks = match &plan {
        Some(p) => tasks::live_in_plan(c, p.id).await?,
        None => Vec::new(),
    };
    let (mut without_unit, mut without_deadline) = (Vec::new(), Vec::new());
    if kind == DocumentKind::Plan {
        for t in &plan_tasks {
            if t.lead_unit_id.is_none() {
                without_unit.push(t.code.clone());
            }
            if t.deadline.is_none() {
                without_deadline.push(t.code.clone());
            }
        }
    }
    let signer_image = match doc.signer_user_id {
        Some(u) => users::find(c, u).await?.and_then(|u| u.signature_image),
        None => None,
    };
    let other_reports = match (kind, doc.plan_id) {
        (DocumentKind::Report, Some(p)) => other_reports(c, doc, issuer, p).await?,
        _ => Vec::new(),
    };
    let recipients: Vec<String> = json_list::<Recipient>(&doc.recipients).into_iter().map(|r| r.label).collect();
    let closing = crate::services::printing::closing_text(doc, issuer, plan.as_ref());
    let facts = Facts {
        kind,
        subject: &doc.subject,
        signer: crate::services::documents::stored_signer_block(doc),
        recipients: &recipients,
        closing: &closing,
        dated_on: doc.dated_on,
        plan_year: plan.as_ref().map(|p| p.year),
        is_correction: doc.replaces_id.is_some(),
        today: crate::services::local_date(now),
        tasks_without_unit: without_unit,
        tasks_without_deadline: without_deadline,
        unknown_slots: unknown_slots(doc, kind),
        has_signature_image: signer_image.is_some(),
        has_seal_image: issuer.seal_image.is_some(),
        images_required,
        other_reports,
    };
    let mut findings = check_facts(&facts);
    findings.extend(unprintable(c, doc, plan.as_ref(), &plan_tasks).await?);
    // A People's Committee decides collectively: its documents are usually signed "TM.".
    if issuer.collective_title.is_some() && doc.signer_collective.is_none() {
        findings.push(Finding {
            code: "signer_without_collective",
            severity: crate::domain::check::Severity::Warning,
            field: Some("signer_collective".into()),
            message: format!(
                "{} là cơ quan làm việc theo chế độ tập thể: văn bản thường ký \"TM. {}\".",
                issuer.full_name,
                issuer.collective_title.clone().unwrap_or_default().to_uppercase()
            ),
        });
    }
    Ok(findings)
}

/// The layout rules' findings for a PDF (read on the blocking pool).
pub async fn pdf_findings(pdf: Vec<u8>) -> Result<Vec<Finding>> {
    tokio::task::spawn_blocking(move || crate::inspect::pages(&pdf).map(|p| check_pages(&p)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::field("file", e.to_string()))
}

/// Every finding for a document: its data, then its printed pages.
pub async fn check_document(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    images_required: bool,
) -> Result<Vec<Finding>> {
    require(actor, Action::Read)?;
    let (doc, issuer) = crate::services::documents::load(&db.conn, actor, id).await?;
    let mut findings = data_findings(&db.conn, &doc, &issuer, now, images_required).await?;
    let pdf = crate::services::printing::document_pdf(db, renderer, files, actor, id).await?;
    findings.extend(pdf_findings(pdf).await?);
    Ok(findings)
}
