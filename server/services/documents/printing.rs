//! Printing: builds a document's view model from the database and renders it
//! to PDF off the async workers. Counts and wording are computed here, from data;
//! each kind's view is built in its own file (`print_report`, `print_plan`,
//! `print_letter`) from the plan's register (`print_register`).
//!
//! Rendering refuses documents over [`MAX_PRINTED_CHARS`] (1.2 million printed
//! characters) and runs at most two at a time with a 60 s budget.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::access::Action;
use crate::domain::print::{Frame, Registration, Signature, recipient_lines};
use crate::domain::{DocumentKind, DocumentState};
use crate::error::{AppError, Result};
use crate::model::Recipient;
use crate::render::Renderer;
use crate::services::access::require;
use crate::services::print_register::{load_register, md};
use crate::services::{json_list, not_found};
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;
use crate::storage::{Conn, Db, documents, issuers, plans, users};

pub use crate::services::print_letter::SOON_DUE_DAYS;
pub(crate) use crate::services::print_letter::late_units;

/// A document ready for the renderer.
#[derive(Debug, Clone)]
pub struct Printable {
    /// Images the template may place (signature, seal), by virtual path.
    pub assets: Vec<(String, Vec<u8>)>,
    /// Template file, e.g. "report.typ".
    pub template: &'static str,
    /// The view model.
    pub data: Value,
    /// The date printed and used as the PDF's creation date.
    pub date: NaiveDate,
    /// Stable PDF identifier.
    pub ident: String,
}

/// A document's PDF as the actor may see it: the frozen file of an issued document,
/// or a preview printed from the current data.
pub async fn document_pdf(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<u8>> {
    require(actor, Action::Read)?;
    let (doc, _) = crate::services::documents::load(&db.conn, actor, id).await?;
    // The frozen file once issued; the signer-signed copy once approved with signing on.
    if let Some(key) = doc.pdf_key.or(doc.signed_pdf_key) {
        let store = files.clone();
        return tokio::task::spawn_blocking(move || store.get(&key))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(format!("reading the issued PDF of {id}: {e}")));
    }
    let printable = printable(&db.conn, files.as_ref(), id).await?;
    render(renderer, printable).await
}

/// How many pages the document prints on, kept while nothing changes (the count
/// the signer sees before signing).
pub async fn document_page_count(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    id: Uuid,
) -> Result<usize> {
    require(actor, Action::Read)?;
    let key = crate::storage::cache::Key::new(
        "document_pages",
        actor,
        format!("{id}/{}", crate::services::local_date(crate::services::now())),
    );
    let n = db
        .cached(key, || async {
            let pdf = document_pdf(db, renderer, files, actor, id).await?;
            on_slot(move || crate::inspect::page_count(&pdf)).await?.map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(*n)
}

/// Page `page` (from 1) of the document as a PNG `width` pixels wide, for browsers
/// that cannot show a PDF inline.
pub async fn document_page_image(
    db: &Db,
    renderer: &Arc<Renderer>,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    id: Uuid,
    page: usize,
    width: u16,
) -> Result<Vec<u8>> {
    let pdf = document_pdf(db, renderer, files, actor, id).await?;
    let index = page.checked_sub(1).ok_or(AppError::NotFound { entity: "page" })?;
    on_slot(move || crate::inspect::page_png(&pdf, index, width)).await?.map_err(|e| match e {
        crate::inspect::InspectError::NoSuchPage => AppError::NotFound { entity: "page" },
        e => AppError::Internal(e.to_string()),
    })
}

/// Runs `f` on the blocking pool in one of the render slots.
async fn on_slot<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let work = async {
        let slot = render_slots().clone().acquire_owned().await.map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            f()
        })
        .await
        .map_err(|e| AppError::Internal(format!("render task failed: {e}")))
    };
    tokio::time::timeout(RENDER_BUDGET, work).await.map_err(|_| {
        AppError::Unavailable(
            "Máy chủ đang bận in văn bản khác, xin thử lại sau ít phút / the server is busy printing, try again in a few minutes"
                .into(),
        )
    })?
}

/// Renders on the blocking pool so a render never stalls other requests.
pub async fn render(renderer: &Arc<Renderer>, p: Printable) -> Result<Vec<u8>> {
    render_marked(renderer, p).await.map(|(pdf, _)| pdf)
}

/// Most characters of text one document may print (a year's report of a large
/// commune prints about 60,000; this is twenty times that).
pub const MAX_PRINTED_CHARS: usize = 1_200_000;

/// Renders running at once: each holds a document's layout in memory, so this
/// bounds memory; the rest wait their turn.
const RENDER_SLOTS: usize = 2;

/// How long a render may wait for a slot and then run before the request gives up.
const RENDER_BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

fn render_slots() -> &'static Arc<tokio::sync::Semaphore> {
    static SLOTS: std::sync::OnceLock<Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| Arc::new(tokio::sync::Semaphore::new(RENDER_SLOTS)))
}

/// Characters of text in a view model.
fn printed_chars(v: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => n += s.chars().count(),
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    n
}

/// Renders and says where the labelled places (blanks, signature box) are. A
/// document past [`MAX_PRINTED_CHARS`] is refused before typst sees it; renders
/// queue for one of [`RENDER_SLOTS`] and give up after [`RENDER_BUDGET`] (the slot
/// stays taken until typst finishes, so a slow document cannot pile up more).
pub async fn render_marked(renderer: &Arc<Renderer>, p: Printable) -> Result<(Vec<u8>, Vec<crate::render::Mark>)> {
    let chars = printed_chars(&p.data);
    if chars > MAX_PRINTED_CHARS {
        return Err(AppError::conflict(
            "document_too_large",
            format!(
                "Văn bản quá dài để in ({chars} ký tự, tối đa {MAX_PRINTED_CHARS}) / the document is too long to print \
                 ({chars} characters, at most {MAX_PRINTED_CHARS})"
            ),
        ));
    }
    let renderer = renderer.clone();
    let out = on_slot(move || renderer.render_marked(p.template, &p.data, &p.assets, p.date, &p.ident)).await?;
    out.map_err(|e| AppError::Internal(e.to_string()))
}

/// Builds the view model of a document (through `c`, so a transaction sees its own changes).
pub async fn printable(c: &impl Conn, files: &dyn BlobStore, id: Uuid) -> Result<Printable> {
    build(c, files, id, false).await
}

/// The view model of the copy the signer signs: number and date left as marked
/// blanks and no seal, both of which the agency's signature adds at issue.
pub async fn printable_for_signing(c: &impl Conn, files: &dyn BlobStore, id: Uuid) -> Result<Printable> {
    build(c, files, id, true).await
}

async fn build(c: &impl Conn, files: &dyn BlobStore, id: Uuid, for_signing: bool) -> Result<Printable> {
    let doc = documents::find(c, id).await?.ok_or_else(|| not_found("document"))?;
    let issuer = issuers::find(c, doc.issuer_id).await?.ok_or_else(|| not_found("issuer"))?;
    let kind = doc.kind;
    let issued = doc.state == DocumentState::Issued || doc.state == DocumentState::Replaced;
    let date = doc.dated_on.or(doc.issued_at.map(|t| t.date_naive())).unwrap_or(doc.created_at.date_naive());
    let symbol = crate::services::documents::symbol(doc.kind, &issuer.abbreviation, doc.drafting_unit.as_deref());
    let reg = Registration { number: doc.number, symbol: &symbol, date: Some(date), issued };
    let recipients: Vec<Recipient> = json_list(&doc.recipients);
    let sections: crate::model::DocumentSections = serde_json::from_value(doc.sections.clone()).unwrap_or_default();
    let section = |k: &str| md(sections.get(k));
    let frame = Frame {
        parent_lines: issuer.parent_lines.as_ref().map(json_list).unwrap_or_default(),
        issuer_lines: issuer.name_lines.as_ref().map(json_list).unwrap_or_default(),
        number_line: if for_signing { reg.slotted_number_line() } else { reg.number_line() },
        place_date: if for_signing {
            reg.slotted_place_date(&issuer.place_name)
        } else {
            reg.place_date(&issuer.place_name)
        },
        recipients: recipient_lines(&recipients.iter().map(|r| r.label.clone()).collect::<Vec<_>>()),
        signature: Signature {
            lines: crate::services::documents::stored_signer_block(&doc).lines(),
            name: doc.signer_name.clone(),
            image: None,
            seal: None,
        },
        reference: if for_signing { reg.slotted_reference(kind.label()) } else { reg.reference(kind.label()) },
    };
    let plan = match doc.plan_id {
        Some(p) => plans::find(c, p).await?,
        None => None,
    };
    let register = match &plan {
        Some(p) => Some(load_register(c, p.id).await?),
        None => None,
    };
    let legal_bases: Vec<String> = json_list(&doc.legal_bases);
    let closing = closing_text(&doc, &issuer, plan.as_ref());
    let (template, data) = match kind {
        DocumentKind::Report => {
            let src = crate::services::print_report::Sources {
                doc: &doc,
                issuer: &issuer,
                plan: plan.as_ref(),
                register: register.as_ref(),
                legal_bases,
                section: &section,
                closing: &closing,
            };
            let view = crate::services::print_report::report_view(src, frame, c).await?;
            ("report.typ", serde_json::to_value(view))
        }
        DocumentKind::Plan => {
            let view =
                crate::services::print_plan::plan_view(&doc, frame, legal_bases, register.as_ref(), &section, &closing);
            ("plan.typ", serde_json::to_value(view))
        }
        DocumentKind::Letter => {
            let src = crate::services::print_letter::LetterSources {
                reg: register.as_ref(),
                date,
                rules: crate::services::deadline_rules::of_row(&issuer),
                reference: frame.reference.clone(),
                issuer: crate::services::print_report::issuer_with_place(&issuer),
            };
            let view = crate::services::print_letter::letter_view(&doc, frame, src, &section, &closing);
            ("letter.typ", serde_json::to_value(view))
        }
    };
    let mut data = data.map_err(|e| AppError::Internal(e.to_string()))?;
    let mut assets = Vec::new();
    let signer_image = match doc.signer_user_id {
        Some(u) => users::find(c, u).await?.and_then(|u| u.signature_image),
        None => None,
    };
    // The signature appears once the signer has approved, the seal once the office
    // has issued (Nghị định 30: the seal is stamped at issue); a draft shows neither.
    let approved = doc.state == DocumentState::Approved || issued;
    let signer_image = if approved || for_signing { signer_image } else { None };
    let seal = if issued && !for_signing { issuer.seal_image.clone() } else { None };
    for (key, path, slot) in [(signer_image, "/assets/signature.png", "image"), (seal, "/assets/seal.png", "seal")] {
        if let Some(key) = key {
            match files.get(&key) {
                Ok(bytes) => {
                    assets.push((path.to_owned(), bytes));
                    data["frame"]["signature"][slot] = Value::String(path.to_owned());
                }
                Err(e) => tracing::warn!(error = %e, %key, "image missing; printing without it"),
            }
        }
    }
    Ok(Printable { template, data, assets, date, ident: doc.id.to_string() })
}

/// The closing as it prints: the one typed, or the kind's usual closing ending "./.".
pub(crate) fn closing_text(doc: &documents::Model, issuer: &issuers::Model, plan: Option<&plans::Model>) -> String {
    if let Some(c) = doc.closing.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return c.to_owned();
    }
    let who = issuer.full_name.trim();
    let year = plan.map(|p| format!(" năm {}", p.year)).unwrap_or_default();
    match doc.kind {
        DocumentKind::Plan => format!(
            "Trên đây là Kế hoạch thực hiện các nhiệm vụ trọng tâm{year} của {who}. Các cơ quan, đơn vị được giao \
             nhiệm vụ chủ động triển khai thực hiện, định kỳ báo cáo kết quả về {who} (qua Văn phòng) để tổng hợp./."
        ),
        DocumentKind::Letter => format!(
            "Đề nghị các đơn vị khẩn trương triển khai thực hiện, báo cáo kết quả về {who} (qua Văn phòng) để tổng hợp./."
        ),
        _ => format!("Trên đây là báo cáo tình hình, kết quả thực hiện các nhiệm vụ trọng tâm{year} của {who}./."),
    }
}
