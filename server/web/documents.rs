//! Documents: the office edits, previews, submits and issues; the signer reads,
//! approves (signing digitally) or sends back; everyone sees signatures and delivery.
//! The lists and the actions are here; what a document's own page shows is in [`page`].

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::Serialize;
use uuid::Uuid;

use self::page::{After, Prepared, document_page};
use super::view::{vn_date, vn_time};
use super::{Ctx, Page, Posted, field_errors};
use crate::domain::signer::Authority;
use crate::domain::{DocumentKind, Role};
use crate::error::AppError;
use crate::model::{Document, Paging, Plan, Recipient};
use crate::services::documents::DocumentFilter;
use crate::services::{documents, drafting, issuing, plans, signatures};

mod page;

/// A document in a list, and at the head of its own page.
#[derive(Serialize)]
struct Row<'a> {
    id: Uuid,
    kind: &'static str,
    subject: &'a str,
    state: &'static str,
    state_label: &'static str,
    number: Option<String>,
    updated: String,
}

impl<'a> Row<'a> {
    /// The row of `d`.
    fn of(d: &'a Document) -> Row<'a> {
        Row {
            id: d.id,
            kind: d.data.kind.value().map_or("Văn bản", |k| k.label()),
            subject: &d.data.subject,
            state: d.state.code(),
            state_label: d.state.label(),
            number: d.number.map(|n| format!("{n:02}/{}", d.symbol)),
            updated: vn_time(d.updated_at),
        }
    }
}

/// How a document is named in a list of a plan's documents: "số 01/BC-UBND ngày
/// 20/12/2025" once issued, else "dự thảo ngày 01/12/2026 (Chờ lãnh đạo ký)".
pub(crate) fn label_of(d: &Document) -> String {
    match d.number {
        Some(n) => crate::domain::format::cited(n, &d.symbol, d.data.dated_on.map(Into::into)),
        None => format!("dự thảo ngày {} ({})", vn_date(d.created_at), d.state.label()),
    }
}

/// The documents page (or the signer's "waiting to sign" list), and for the office
/// the form that starts a new document about a plan.
#[derive(Serialize)]
struct ListView<'a> {
    items: Vec<Row<'a>>,
    sign_off: bool,
    plans: Vec<PlanItem<'a>>,
    /// After a refusal: each field's error …
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<String, String>>,
    /// … and what was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<BTreeMap<String, String>>,
}

/// A plan a new document may be about.
#[derive(Serialize)]
struct PlanItem<'a> {
    id: Uuid,
    title: &'a str,
    year: i32,
}

/// The list (`state`: only the documents in that state, without the form), with the
/// errors and values of a refused start.
async fn listing(
    c: &Ctx,
    state: Option<&str>,
    status: StatusCode,
    errors: Option<BTreeMap<String, String>>,
    values: Option<BTreeMap<String, String>>,
) -> Page {
    let f = DocumentFilter { state: state.map(str::to_owned), ..Default::default() };
    let page = documents::list_documents(&c.state.db, &c.actor, f, Paging { page: 1, per_page: 200 }).await?;
    let plans: Vec<Plan> = match state.is_none() && c.is(&[Role::Admin, Role::Office]) {
        true => plans::list_plans(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 100 }).await?.items,
        false => Vec::new(),
    };
    let view = ListView {
        items: page.items.iter().map(Row::of).collect(),
        sign_off: state.is_some(),
        plans: plans.iter().map(|p| PlanItem { id: p.id, title: &p.data.title, year: p.data.year }).collect(),
        errors,
        values,
    };
    Ok(c.page("documents.html", status, view))
}

/// `GET /documents`.
#[handler]
pub(crate) async fn list(c: Ctx) -> Page {
    listing(&c, None, StatusCode::OK, None, None).await
}

/// `POST /documents`: "Soạn văn bản mới" — a report, plan or letter about a plan,
/// prefilled, opened at once; a refusal comes back on the list with what was chosen.
#[handler]
pub(crate) async fn start(Posted(c, f): Posted) -> Page {
    let mut errors = BTreeMap::new();
    let kind = f.get("kind").parse::<DocumentKind>().ok();
    let plan = f.get("plan_id").parse::<Uuid>().ok();
    if kind.is_none() {
        errors.insert("kind".to_owned(), "Hãy chọn loại văn bản".to_owned());
    }
    if plan.is_none() {
        errors.insert("plan_id".to_owned(), "Hãy chọn kế hoạch".to_owned());
    }
    let started = match (kind, plan) {
        (Some(kind), Some(plan_id)) => {
            let start = drafting::Start { plan_id, kind, subject: f.opt("subject") };
            drafting::start_document(&c.state.db, &c.actor, c.now(), start).await
        }
        _ => Err(AppError::Invalid(Default::default())),
    };
    match started {
        Ok(d) => Ok(super::redirect(&format!("/documents/{}", d.id))),
        Err(e) => match field_errors(&e) {
            Some(more) => {
                errors.extend(more);
                listing(&c, None, StatusCode::UNPROCESSABLE_ENTITY, Some(errors), Some(f.values())).await
            }
            None => Err(e.into()),
        },
    }
}

/// `GET /sign-off`: the documents waiting for the signer.
#[handler]
pub(crate) async fn sign_off(c: Ctx) -> Page {
    listing(&c, Some("submitted"), StatusCode::OK, None, None).await
}

fn recipients_text(rs: &[Recipient]) -> String {
    rs.iter()
        .map(|r| if r.emails.is_empty() { r.label.clone() } else { format!("{} | {}", r.label, r.emails.join(", ")) })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_recipients(text: &str) -> Vec<Recipient> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (label, emails) = l.split_once('|').unwrap_or((l, ""));
            Recipient {
                label: label.trim().to_owned(),
                emails: emails
                    .split([',', ';', ' '])
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub(crate) struct ImageQuery {
    /// Width in pixels.
    w: Option<u16>,
}

/// One page of the document as a PNG, for phones and browsers that cannot show a
/// PDF inline.
#[handler]
pub(crate) async fn page_image(c: Ctx, Path((id, page)): Path<(Uuid, usize)>, Query(q): Query<ImageQuery>) -> Page {
    let s = &c.state;
    let width = q.w.unwrap_or(1240);
    let png =
        crate::services::printing::document_page_image(&s.db, &s.renderer, &s.files, &c.actor, id, page, width).await?;
    Ok(Response::builder().content_type("image/png").header("cache-control", "private, max-age=300").body(png))
}

/// `GET /documents/{id}`.
#[handler]
pub(crate) async fn show(c: Ctx, Path(id): Path<Uuid>) -> Page {
    document_page(&c, id, StatusCode::OK, After::default()).await
}

/// `POST /documents/{id}`: saves the text, and with "Lưu và trình lãnh đạo ký"
/// submits it; a refusal comes back with what was typed.
#[handler]
pub(crate) async fn save(Posted(c, f): Posted, Path(id): Path<Uuid>) -> Page {
    let d = documents::get_document(&c.state.db, &c.actor, id).await?;
    let mut input = d.data.clone();
    input.subject = f.get("subject").trim().to_owned();
    input.legal_bases = super::lines(&f.get("legal_bases"));
    input.opening = f.opt("opening");
    input.closing = f.opt("closing");
    let kind: DocumentKind = input.kind.parse().unwrap_or(DocumentKind::Report);
    let mut sections = serde_json::to_value(&input.sections).unwrap_or_default();
    for (slot, _) in crate::domain::print::section_slots(kind) {
        sections[*slot] = f.opt(&format!("section:{slot}")).map(serde_json::Value::String).unwrap_or_default();
    }
    input.sections = serde_json::from_value(sections).unwrap_or_default();
    input.recipients = parse_recipients(&f.get("recipients"));
    input.signer_authority = f.get("signer_authority").parse::<Authority>().map(Into::into).unwrap_or_default();
    input.signer_collective = f.opt("signer_collective");
    input.signer_head_title = f.opt("signer_head_title");
    input.signer_position = f.opt("signer_position");
    input.signer_name = f.get("signer_name").trim().to_owned();
    input.signer_user_id = f.opt("signer_user_id").and_then(|s| s.parse().ok());
    input.drafting_unit = f.opt("drafting_unit");
    let s = &c.state;
    // "Trình lãnh đạo ký" sits in this form: what is typed is saved on the way.
    let saved = if f.get("action") == "submit" {
        issuing::save_and_submit(s.tools(), &c.actor, c.now(), id, input)
            .await
            .map(|r| if r.findings.is_empty() { "submit" } else { "saved_not_submitted" })
    } else {
        documents::update_document(&s.db, &c.actor, c.now(), id, input).await.map(|_| "saved")
    };
    match saved {
        Ok(done) => Ok(super::done(&format!("/documents/{id}"), done)),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let after = After { errors: Some(errors), values: Some(f.values()), ..After::default() };
                document_page(&c, id, StatusCode::UNPROCESSABLE_ENTITY, after).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /documents/{id}/step`: submit, approve (signing on the server, or with a
/// USB token or a remote service in two steps), send back, issue, or correct.
#[handler]
pub(crate) async fn step(Posted(c, f): Posted, req: &Request, Path(id): Path<Uuid>) -> Page {
    let (s, now) = (&c.state, c.now());
    let result = match f.get("action").as_str() {
        "submit" => issuing::submit_document(s.tools(), &c.actor, now, id).await,
        "approve" => issuing::approve_document(s.tools(), &c.actor, now, id).await,
        "send_back" => issuing::send_back_document(&s.db, &c.actor, now, id, f.opt("comment")).await,
        "issue" => issuing::issue_document(s.tools(), &c.actor, now, id).await,
        "correction" => issuing::correct_document(&s.db, &c.actor, now, id, &f.get("reason")).await,
        // Signing with a USB token or a remote service: show the digest to sign …
        "prepare" => match signatures::prepare(s.tools(), &c.actor, now, id).await {
            Ok(p) => {
                // The hand-off link as the browser reached this server.
                let host = req.header("host").unwrap_or("localhost");
                let scheme = if s.secure_cookies { "https" } else { "http" };
                let prepared = Prepared {
                    session_id: p.session_id.to_string(),
                    digest_hex: p.digest_hex,
                    digest_base64: p.digest_base64,
                    expires_at: vn_time(p.expires_at),
                    handoff: Some(format!("{scheme}://{host}{}", p.handoff_url)),
                };
                let after = After { prepared: Some(prepared), ..After::default() };
                return document_page(&c, id, StatusCode::OK, after).await;
            }
            Err(e) => Err(e),
        },
        // … and embed the signature the token or service made.
        "finalize" => {
            let session = f
                .get("session_id")
                .parse()
                .map_err(|_| AppError::field("session_id", "Phiên ký không hợp lệ / invalid signing session"))?;
            signatures::finalize(s.tools(), &c.actor, now, id, session, &f.get("signature")).await
        }
        _ => Err(AppError::field("action", "Thao tác không hợp lệ / unknown action")),
    };
    match result {
        Ok(d) => Ok(super::done(&format!("/documents/{}", d.id), &f.get("action"))),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                // The hand-off link stays on the page (a refused paste does not use it up).
                let prepared = (f.get("action") == "finalize").then(|| Prepared {
                    session_id: f.get("session_id"),
                    digest_hex: f.get("digest_hex"),
                    digest_base64: f.get("digest_base64"),
                    expires_at: f.get("expires_at"),
                    handoff: f.opt("handoff").filter(|h| h.contains("/api/v1/signing/handoff/")),
                });
                let after =
                    After { step_errors: Some(errors), step_values: Some(f.values()), prepared, ..After::default() };
                document_page(&c, id, StatusCode::UNPROCESSABLE_ENTITY, after).await
            }
            None => Err(e.into()),
        },
    }
}
