//! Printing: builds a document's view model from the database and renders it
//! to PDF off the async workers. Counts and wording are computed here, from data.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

use super::access::require;
use super::{json_list, not_found};
use crate::domain::access::Action;
use crate::domain::format::short_date;
use crate::domain::markdown::{self, Block, Inline};
use crate::domain::print::{
    Appendix, Cell, Frame, GroupView, LateUnit, LetterView, PlanGroup, PlanView, Registration, ReportView, Section,
    Signature, TITLE_LINE, TaskView, addressee_lines, cell, recipient_lines, results_summary,
};
use crate::domain::typeset::balance;
use crate::domain::{DocumentKind, DocumentState, ProposalSection, ResultState};
use crate::error::{AppError, Result};
use crate::model::Recipient;
use crate::render::Renderer;
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{
    documents, evidence, issuers, plans, proposals, results, targets, task_cooperators, task_groups, tasks, units,
    users,
};
use crate::storage::files::BlobStore;

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
    let (doc, _) = super::documents::load(&db.conn, actor, id).await?;
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
    let key =
        crate::storage::cache::Key::new("document_pages", actor, format!("{id}/{}", super::local_date(super::now())));
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

fn md(text: Option<&str>) -> Vec<Block> {
    text.map(markdown::parse).unwrap_or_default()
}

/// All blocks of a text as one paragraph's inlines (a proposal is one numbered item).
fn one_paragraph(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, b) in markdown::parse(text).into_iter().enumerate() {
        if i > 0 {
            out.push(Inline::Text(" ".into()));
        }
        if let Some(m) = b.marker {
            out.push(Inline::Text(format!("{m} ")));
        }
        out.extend(b.inlines);
    }
    out
}

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// Builds the view model of a document (through `c`, so a transaction sees its own changes).
pub async fn printable<C: ConnectionTrait>(c: &C, files: &dyn BlobStore, id: Uuid) -> Result<Printable> {
    build(c, files, id, false).await
}

/// The view model of the copy the signer signs: number and date left as marked
/// blanks and no seal, both of which the agency's signature adds at issue.
pub async fn printable_for_signing<C: ConnectionTrait>(c: &C, files: &dyn BlobStore, id: Uuid) -> Result<Printable> {
    build(c, files, id, true).await
}

async fn build<C: ConnectionTrait>(c: &C, files: &dyn BlobStore, id: Uuid, for_signing: bool) -> Result<Printable> {
    let doc = documents::Entity::find_by_id(id).one(c).await?.ok_or_else(|| not_found("document"))?;
    let issuer = issuers::Entity::find_by_id(doc.issuer_id).one(c).await?.ok_or_else(|| not_found("issuer"))?;
    let kind: DocumentKind = doc.kind.parse().map_err(|e: String| AppError::Internal(e))?;
    let issued = doc.state == DocumentState::Issued.code() || doc.state == DocumentState::Replaced.code();
    let date = doc.dated_on.or(doc.issued_at.map(|t| t.date_naive())).unwrap_or(doc.created_at.date_naive());
    let symbol = super::documents::symbol(&doc.kind, &issuer.abbreviation, doc.drafting_unit.as_deref());
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
            lines: super::documents::stored_signer_block(&doc).lines(),
            name: doc.signer_name.clone(),
            image: None,
            seal: None,
        },
        reference: if for_signing { reg.slotted_reference(kind.label()) } else { reg.reference(kind.label()) },
    };
    let plan = match doc.plan_id {
        Some(p) => plans::Entity::find_by_id(p).one(c).await?,
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
            let view =
                report_view(&doc, &issuer, plan.as_ref(), register.as_ref(), frame, legal_bases, &section, &closing, c)
                    .await?;
            ("report.typ", serde_json::to_value(view))
        }
        DocumentKind::Plan => {
            let view = plan_view(&doc, frame, legal_bases, register.as_ref(), &section, &closing);
            ("plan.typ", serde_json::to_value(view))
        }
        DocumentKind::Letter => {
            let view = letter_view(&doc, frame, register.as_ref(), date, &section, &closing);
            ("letter.typ", serde_json::to_value(view))
        }
    };
    let mut data = data.map_err(|e| AppError::Internal(e.to_string()))?;
    let mut assets = Vec::new();
    let signer_image = match doc.signer_user_id {
        Some(u) => users::Entity::find_by_id(u).one(c).await?.and_then(|u| u.signature_image),
        None => None,
    };
    // The signature appears once the signer has approved, the seal once the office
    // has issued (Nghị định 30: the seal is stamped at issue); a draft shows neither.
    let approved = matches!(doc.state.parse::<DocumentState>(), Ok(DocumentState::Approved)) || issued;
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

/// A plan's groups, tasks, results, units and co-operators, loaded once.
struct Register {
    groups: Vec<task_groups::Model>,
    tasks: Vec<tasks::Model>,
    results: HashMap<Uuid, results::Model>,
    units: HashMap<Uuid, units::Model>,
    cooperators: HashMap<Uuid, Vec<Uuid>>,
    proposals: Vec<proposals::Model>,
    targets: HashMap<Uuid, Vec<targets::Model>>,
}

async fn load_register<C: ConnectionTrait>(c: &C, plan_id: Uuid) -> Result<Register> {
    let groups = task_groups::Entity::find()
        .filter(task_groups::Column::PlanId.eq(plan_id))
        .order_by_asc(task_groups::Column::Position)
        .order_by_asc(task_groups::Column::Id)
        .all(c)
        .await?;
    let tasks = tasks::Entity::find()
        .filter(tasks::Column::PlanId.eq(plan_id))
        .filter(tasks::Column::ArchivedAt.is_null())
        .order_by_asc(tasks::Column::Position)
        .order_by_asc(tasks::Column::Id)
        .all(c)
        .await?;
    let ids: Vec<Uuid> = tasks.iter().map(|t| t.id).collect();
    let results = results::Entity::find()
        .filter(results::Column::TaskId.is_in(ids.clone()))
        .all(c)
        .await?
        .into_iter()
        .map(|r| (r.task_id, r))
        .collect();
    let mut cooperators: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in
        task_cooperators::Entity::find().filter(task_cooperators::Column::TaskId.is_in(ids.clone())).all(c).await?
    {
        cooperators.entry(row.task_id).or_default().push(row.unit_id);
    }
    let mut targets: HashMap<Uuid, Vec<targets::Model>> = HashMap::new();
    for t in targets::Entity::find()
        .filter(targets::Column::TaskId.is_in(ids))
        .order_by_asc(targets::Column::Position)
        .order_by_asc(targets::Column::Id)
        .all(c)
        .await?
    {
        targets.entry(t.task_id).or_default().push(t);
    }
    let plan = plans::Entity::find_by_id(plan_id).one(c).await?.ok_or_else(|| not_found("plan"))?;
    let units = units::Entity::find()
        .filter(units::Column::IssuerId.eq(plan.issuer_id))
        .all(c)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let proposals = proposals::Entity::find()
        .filter(proposals::Column::PlanId.eq(plan_id))
        .order_by_asc(proposals::Column::Position)
        .order_by_asc(proposals::Column::Id)
        .all(c)
        .await?;
    Ok(Register { groups, tasks, results, units, cooperators, proposals, targets })
}

impl Register {
    fn tasks_of(&self, group: Uuid) -> impl Iterator<Item = &tasks::Model> {
        self.tasks.iter().filter(move |t| t.group_id == group)
    }

    fn unit_name(&self, id: Option<Uuid>) -> String {
        id.and_then(|u| self.units.get(&u)).map(|u| u.name.clone()).unwrap_or_default()
    }
}

async fn report_view<C: ConnectionTrait>(
    doc: &documents::Model,
    issuer: &issuers::Model,
    plan: Option<&plans::Model>,
    reg: Option<&Register>,
    frame: Frame,
    legal_bases: Vec<String>,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
    c: &C,
) -> Result<ReportView> {
    let mut sections = Vec::new();
    let direction = section("direction");
    if !direction.is_empty() {
        sections.push(Section {
            heading: "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH".into(),
            intro: direction,
            groups: vec![],
            outro: vec![],
        });
    }
    let mut appendices = Vec::new();
    if let (Some(plan), Some(reg)) = (plan, reg) {
        let counts: Vec<(String, usize)> = reg
            .groups
            .iter()
            .map(|g| (g.summary_title.clone().unwrap_or_else(|| g.title.clone()), reg.tasks_of(g.id).count()))
            .collect();
        let summary = results_summary(plan.year, &issuer.full_name, &counts);
        let mut intro = vec![Block { marker: None, inlines: vec![Inline::Text(summary)] }];
        intro.extend(section("results_intro"));
        let groups = reg
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupView {
                heading: format!("{}. {}", i + 1, g.title),
                note: None,
                tasks: reg.tasks_of(g.id).map(|t| task_view(t, reg.results.get(&t.id))).collect(),
                items: vec![],
            })
            .collect();
        // The evidence list is an appendix: say so where the results end, unless the office did.
        let evidence = evidence_appendix(c, issuer, reg, &frame.reference).await?;
        let mut outro = section("results_outro");
        if outro.is_empty() && evidence.is_some() {
            outro
                .push(Block {
                    marker: None, inlines: vec![Inline::Text("(Có danh mục minh chứng kèm theo).".into())]
                });
        }
        sections.push(Section { heading: number(&sections, "KẾT QUẢ THỰC HIỆN"), intro, groups, outro });

        let next = plan.year + 1;
        let mut groups = Vec::new();
        let typed_note = doc_section(doc, "commune_specific_note");
        for s in ProposalSection::ALL {
            let mine: Vec<&proposals::Model> = reg.proposals.iter().filter(|p| p.section == s.code()).collect();
            let is_specific = *s == ProposalSection::CommuneSpecific;
            // The detailed table is said to follow only when it does (or when the office wrote so).
            let specific_note =
                typed_note.clone().or_else(|| (!mine.is_empty()).then(|| "(Có biểu chi tiết kèm theo).".to_owned()));
            if mine.is_empty() && !(is_specific && specific_note.is_some()) {
                continue;
            }
            let heading = format!(
                "{}. {}",
                groups.len() + 1,
                s.heading(&issuer.short_name, issuer.subordinates_name.as_deref(), next)
            );
            if is_specific {
                // Commune-specific tasks go to the detailed table in the appendix.
                groups.push(GroupView { heading, note: specific_note.clone(), tasks: vec![], items: vec![] });
                if !mine.is_empty() {
                    appendices.push(specific_appendix(issuer, reg, &mine, next, &frame.reference));
                }
                continue;
            }
            let items = mine
                .iter()
                .enumerate()
                .map(|(n, p)| Block { marker: Some(format!("{}.", n + 1)), inlines: one_paragraph(&p.text) })
                .collect();
            groups.push(GroupView { heading, note: None, tasks: vec![], items });
        }
        let intro = section("proposals_intro");
        if !groups.is_empty() || !intro.is_empty() {
            sections.push(Section {
                heading: number(&sections, &format!("ĐỀ XUẤT NHIỆM VỤ NĂM {next}")),
                intro,
                groups,
                outro: vec![],
            });
        }
        if let Some(a) = evidence {
            appendices.push(a);
        }
    }
    let several = appendices.len() > 1;
    for (i, a) in appendices.iter_mut().enumerate() {
        a.label = if several { format!("Phụ lục {}", ROMAN.get(i).unwrap_or(&"")) } else { "Phụ lục".into() };
    }
    let opening = match (doc.opening.as_deref().filter(|o| !o.trim().is_empty()), plan) {
        (Some(o), _) => md(Some(o)),
        (None, Some(p)) => md(Some(&default_opening(issuer, p))),
        (None, None) => Vec::new(),
    };
    Ok(ReportView {
        frame,
        type_name: "BÁO CÁO".into(),
        subject_lines: balance(&doc.subject, TITLE_LINE),
        subject: doc.subject.clone(),
        legal_bases,
        opening,
        sections,
        closing: md(Some(closing)),
        appendices,
    })
}

fn doc_section(doc: &documents::Model, key: &str) -> Option<String> {
    doc.sections.get(key).and_then(|v| v.as_str()).map(str::to_owned).filter(|s| !s.trim().is_empty())
}

/// "II. KẾT QUẢ THỰC HIỆN": the next Roman numeral after the sections so far.
fn number(sections: &[Section], title: &str) -> String {
    format!("{}. {title}", ROMAN.get(sections.len()).unwrap_or(&""))
}

fn task_view(t: &tasks::Model, result: Option<&results::Model>) -> TaskView {
    let narrative = result.map(|r| markdown::parse(&r.narrative)).unwrap_or_default();
    let score_line = result.and_then(|r| r.self_score).map(|s| format!("+ Điểm tự chấm: {s} điểm."));
    let rating = result.and_then(|r| r.rating_override.clone().or_else(|| r.proposed_rating.clone()));
    let mut heading = vec![Inline::Text(format!("{}. ", t.code))];
    heading.extend(one_paragraph(&t.text));
    TaskView {
        heading,
        narrative,
        score_line,
        rating_line: rating.map(|r| format!("+ Xếp loại mức độ hoàn thành: {r}.")),
    }
}

fn specific_appendix(
    issuer: &issuers::Model,
    reg: &Register,
    items: &[&proposals::Model],
    year: i32,
    reference: &str,
) -> Appendix {
    let subs = issuer.subordinates_name.clone().unwrap_or_else(|| "các xã".into());
    Appendix {
        label: String::new(),
        title: format!("Biểu chi tiết các nhiệm vụ riêng của {subs} năm {year}"),
        caption: format!("(Kèm theo {reference} của {})", issuer_with_place(issuer)),
        landscape: false,
        columns: vec!["STT".into(), "Đơn vị, địa bàn".into(), "Nhiệm vụ".into()],
        widths: vec![1, 4, 12],
        rows: items
            .iter()
            .enumerate()
            .map(|(i, p)| {
                // A village or a school is named as text; the unit it belongs to, if any, after it.
                let unit = reg.unit_name(p.unit_id);
                let place = match (p.place.as_deref().map(str::trim).filter(|s| !s.is_empty()), unit.is_empty()) {
                    (Some(place), true) => place.to_owned(),
                    (Some(place), false) => format!("{place} ({unit})"),
                    (None, _) => unit,
                };
                vec![cell((i + 1).to_string()), cell(place), one_paragraph(&p.text)]
            })
            .collect(),
    }
}

/// "Ủy ban nhân dân xã Tân Hương": the name used in sentences with the place after it.
fn issuer_with_place(issuer: &issuers::Model) -> String {
    // The level and the place stay on one line ("huyện Bắc Sơn", "xã Tân Hương"),
    // whether the name already ends with its place or not.
    let name = crate::domain::format::body_name(&issuer.full_name, &issuer.place_name);
    let place = issuer.place_name.trim();
    let words = place.split_whitespace().count();
    if place.is_empty() {
        return name;
    }
    let mut parts: Vec<&str> = name.split(' ').collect();
    // The place's words and the level word before them are joined by no-break spaces.
    let keep = (words + 1).min(parts.len());
    let tail = parts.split_off(parts.len() - keep).join("\u{a0}");
    if parts.is_empty() { tail } else { format!("{} {tail}", parts.join(" ")) }
}

async fn evidence_appendix<C: ConnectionTrait>(
    c: &C,
    issuer: &issuers::Model,
    reg: &Register,
    reference: &str,
) -> Result<Option<Appendix>> {
    let ids: Vec<Uuid> = reg.tasks.iter().map(|t| t.id).collect();
    let files = evidence::Entity::find()
        .filter(evidence::Column::TaskId.is_in(ids))
        .order_by_asc(evidence::Column::UploadedAt)
        .order_by_asc(evidence::Column::Id)
        .all(c)
        .await?;
    if files.is_empty() {
        return Ok(None);
    }
    let code: HashMap<Uuid, &str> = reg.tasks.iter().map(|t| (t.id, t.code.as_str())).collect();
    let mut files = files;
    files.sort_by_key(|f| reg.tasks.iter().position(|t| t.id == f.task_id));
    Ok(Some(Appendix {
        label: String::new(),
        title: "Danh mục minh chứng".into(),
        caption: format!("(Kèm theo {reference} của {})", issuer_with_place(issuer)),
        landscape: false,
        columns: vec!["STT".into(), "Nhiệm vụ".into(), "Tệp".into(), "SHA-256".into()],
        widths: vec![1, 2, 5, 8],
        rows: files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    cell((i + 1).to_string()),
                    cell(code.get(&f.task_id).unwrap_or(&"").to_string()),
                    cell(f.file_name.clone()),
                    // In groups of 16, so the 64 hex digits can wrap inside their cell.
                    cell(
                        f.sha256
                            .as_bytes()
                            .chunks(16)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ]
            })
            .collect(),
    }))
}

/// "Thu ngân sách: 41.020 triệu đồng" — a target as the plan's table lists it.
fn target_cell(t: &targets::Model) -> Cell {
    let mut out = one_paragraph(&t.description);
    if let Some(goal) = t.goal_value {
        let unit = t.measure_unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let amount = crate::domain::format::number_trim(goal, 2);
        let text = match unit {
            Some("%") => format!(": {amount}%"),
            Some(u) => format!(": {amount} {u}"),
            None => format!(": {amount}"),
        };
        out.push(Inline::Text(text));
    }
    out
}

fn plan_view(
    doc: &documents::Model,
    frame: Frame,
    legal_bases: Vec<String>,
    reg: Option<&Register>,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
) -> PlanView {
    let mut opening = md(doc.opening.as_deref());
    opening.extend(section("intro"));
    let groups = reg
        .map(|reg| {
            reg.groups
                .iter()
                .enumerate()
                .map(|(i, g)| PlanGroup {
                    heading: format!("{}. {}", i + 1, g.title),
                    rows: reg
                        .tasks_of(g.id)
                        .map(|t| {
                            let coops = reg.cooperators.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                            let mut names: Vec<String> = coops.iter().map(|u| reg.unit_name(Some(*u))).collect();
                            names.sort();
                            let mut goals: Cell = Vec::new();
                            for (n, target) in reg.targets.get(&t.id).into_iter().flatten().enumerate() {
                                if n > 0 {
                                    goals.push(Inline::Text("; ".into()));
                                }
                                goals.extend(target_cell(target));
                            }
                            vec![
                                cell(t.code.clone()),
                                one_paragraph(&t.text),
                                goals,
                                cell(reg.unit_name(t.lead_unit_id)),
                                cell(names.join("; ")),
                                cell(t.deadline.map(short_date).unwrap_or_default()),
                            ]
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    PlanView {
        frame,
        type_name: "KẾ HOẠCH".into(),
        subject_lines: balance(&doc.subject, TITLE_LINE),
        subject: doc.subject.clone(),
        legal_bases,
        opening,
        columns: ["TT", "Nhiệm vụ", "Chỉ tiêu", "Chủ trì", "Phối hợp", "Thời hạn"].map(String::from).to_vec(),
        groups,
        closing: md(Some(closing)),
    }
}

/// The closing as it prints: the one typed, or the kind's usual closing ending "./.".
pub(crate) fn closing_text(doc: &documents::Model, issuer: &issuers::Model, plan: Option<&plans::Model>) -> String {
    if let Some(c) = doc.closing.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return c.to_owned();
    }
    let who = issuer.full_name.trim();
    let year = plan.map(|p| format!(" năm {}", p.year)).unwrap_or_default();
    match doc.kind.parse::<DocumentKind>() {
        Ok(DocumentKind::Plan) => format!(
            "Trên đây là Kế hoạch thực hiện các nhiệm vụ trọng tâm{year} của {who}. Các cơ quan, đơn vị được giao \
             nhiệm vụ chủ động triển khai thực hiện, định kỳ báo cáo kết quả về {who} (qua Văn phòng) để tổng hợp./."
        ),
        Ok(DocumentKind::Letter) => format!(
            "Đề nghị các đơn vị khẩn trương triển khai thực hiện, báo cáo kết quả về {who} (qua Văn phòng) để tổng hợp./."
        ),
        _ => format!("Trên đây là báo cáo tình hình, kết quả thực hiện các nhiệm vụ trọng tâm{year} của {who}./."),
    }
}

/// The opening of a report when none is typed: from the plan's basis.
fn default_opening(issuer: &issuers::Model, plan: &plans::Model) -> String {
    let bases: Vec<String> = json_list::<String>(&plan.based_on)
        .into_iter()
        .map(|b| b.trim().trim_end_matches([';', '.']).to_owned())
        .filter(|b| !b.is_empty())
        .collect();
    let who = issuer.full_name.trim();
    let what =
        format!("báo cáo tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm {}, cụ thể như sau:", plan.year);
    if bases.is_empty() {
        let mut chars = who.chars();
        let capital: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        format!("{capital} {what}")
    } else {
        format!("Thực hiện {}, {who} {what}", bases.join("; "))
    }
}

/// Characters of 12 pt text the "V/v …" line holds in its column (62 mm).
const LETTER_SUBJECT_LINE: usize = 34;

/// How many days before a deadline a task counts as soon due in an urging letter.
pub const SOON_DUE_DAYS: i64 = 7;

/// Tasks overdue or due within a week of `date` whose result is not in yet.
fn late_tasks(reg: &Register, date: NaiveDate) -> impl Iterator<Item = &tasks::Model> {
    let done = [ResultState::Submitted.code(), ResultState::Accepted.code()];
    reg.tasks.iter().filter(move |t| {
        t.deadline.is_some_and(|d| d <= date + Duration::days(SOON_DUE_DAYS))
            && !reg.results.get(&t.id).is_some_and(|r| done.contains(&r.state.as_str()))
    })
}

/// The units an urging letter of `plan_id` dated `date` is addressed to: (name, contact addresses).
pub(crate) async fn late_units<C: ConnectionTrait>(
    c: &C,
    plan_id: Uuid,
    date: NaiveDate,
) -> Result<Vec<(String, Vec<String>)>> {
    let reg = load_register(c, plan_id).await?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for t in late_tasks(&reg, date) {
        if let Some(unit) = t.lead_unit_id.and_then(|u| reg.units.get(&u))
            && seen.insert(unit.id)
        {
            out.push((unit.name.clone(), json_list(&unit.emails)));
        }
    }
    Ok(out)
}

fn letter_view(
    doc: &documents::Model,
    frame: Frame,
    reg: Option<&Register>,
    date: NaiveDate,
    section: &(dyn Fn(&str) -> Vec<Block> + Sync),
    closing: &str,
) -> LetterView {
    let subject =
        if doc.subject.trim_start().starts_with("V/v") { doc.subject.clone() } else { format!("V/v {}", doc.subject) };
    let mut units: Vec<LateUnit> = Vec::new();
    if let Some(reg) = reg {
        let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in late_tasks(reg, date) {
            let Some(deadline) = t.deadline else { continue };
            let days = (date - deadline).num_days();
            let when = match days {
                d if d > 0 => format!("hạn {}, đã quá hạn {d} ngày", short_date(deadline)),
                0 => format!("hạn {}, đến hạn hôm nay", short_date(deadline)),
                d => format!("hạn {}, còn {} ngày", short_date(deadline), -d),
            };
            by_unit
                .entry(reg.unit_name(t.lead_unit_id))
                .or_default()
                .push(format!("- Nhiệm vụ {}: {} ({when}).", t.code, t.text));
        }
        units = by_unit.into_iter().map(|(unit, lines)| LateUnit { unit, lines }).collect();
    }
    let names: Vec<String> = units.iter().map(|u| u.unit.clone()).filter(|u| !u.is_empty()).collect();
    let mut opening = md(doc.opening.as_deref());
    opening.extend(section("body"));
    LetterView {
        frame,
        subject_lines: balance(&subject, LETTER_SUBJECT_LINE),
        subject,
        addressees: addressee_lines(&names),
        opening,
        units,
        closing: md(Some(closing)),
    }
}
