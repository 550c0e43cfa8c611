//! Documents: the office edits, previews, submits and issues; the signer reads,
//! approves (signing digitally) or sends back; everyone sees signatures and delivery.

use chrono::{DateTime, FixedOffset, Utc};
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, field_errors, js, respond, session, session_form, with_extra};
use crate::domain::{DocumentKind, Role};
use crate::error::{AppError, Result};
use crate::model::{Document, Paging, Recipient};
use crate::services::documents::DocumentFilter;
use crate::services::{documents, drafting, issuing, now, outbox, plans, signatures, users};
use crate::state::AppState;

/// "27/11/2026 09:15" in Vietnam time.
pub(crate) fn vn_time(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%d/%m/%Y %H:%M").to_string()
}

/// "27/11/2026", the day in Vietnam.
pub(crate) fn vn_date(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%d/%m/%Y").to_string()
}

fn state_label(s: &str) -> &'static str {
    match s {
        "draft" => "Dự thảo",
        "submitted" => "Chờ lãnh đạo ký",
        "approved" => "Đã ký duyệt, chờ ban hành",
        "issued" => "Đã ban hành",
        "replaced" => "Đã được thay thế",
        _ => "",
    }
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "report" => "Báo cáo",
        "plan" => "Kế hoạch",
        "letter" => "Công văn",
        _ => "Văn bản",
    }
}

fn doc_row(d: &Document) -> Value {
    json!({"id": d.id, "kind": kind_label(&d.data.kind), "subject": d.data.subject, "state": d.state,
        "state_label": state_label(&d.state), "number": d.number.map(|n| format!("{n:02}/{}", d.symbol)),
        "updated": vn_time(d.updated_at)})
}

/// How a document is named in a list of a plan's documents: "số 01/BC-UBND ngày
/// 20/12/2025" once issued, else "dự thảo ngày 01/12/2026 (Chờ lãnh đạo ký)".
pub(crate) fn label_of(d: &Document) -> String {
    match d.number {
        Some(n) => crate::domain::format::cited(n, &d.symbol, d.data.dated_on.map(Into::into)),
        None => format!("dự thảo ngày {} ({})", vn_date(d.created_at), state_label(&d.state)),
    }
}

async fn listing(c: &Ctx, state: Option<&str>, template: &str) -> Result<Response> {
    listing_with(c, state, template, StatusCode::OK, json!({})).await
}

/// The list, and for the office the form that starts a new document about a plan
/// (`extra`: its errors and typed values after a refusal).
async fn listing_with(
    c: &Ctx,
    state: Option<&str>,
    template: &str,
    status: StatusCode,
    extra: Value,
) -> Result<Response> {
    let f = DocumentFilter { state: state.map(str::to_owned), ..Default::default() };
    let page = documents::list_documents(&c.state.db, &c.actor, f, Paging { page: 1, per_page: 200 }).await?;
    let items: Vec<Value> = page.items.iter().map(doc_row).collect();
    let plans = match state.is_none() && c.is(&[Role::Admin, Role::Office]) {
        true => plans::list_plans(&c.state.db, &c.actor, None, None, Paging { page: 1, per_page: 100 }).await?.items,
        false => Vec::new(),
    };
    let plans: Vec<Value> =
        plans.iter().map(|p| json!({"id": p.id, "title": p.data.title, "year": p.data.year})).collect();
    let v = json!({"items": items, "sign_off": state.is_some(), "plans": plans});
    Ok(c.page(template, status, with_extra(v, extra)))
}

#[handler]
pub(crate) async fn list(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = listing(&c, None, "documents.html").await;
    respond(&c, r)
}

/// `POST /documents`: "Soạn văn bản mới" — a report, plan or letter about a plan,
/// prefilled, opened at once; a refusal comes back on the list with what was chosen.
#[handler]
pub(crate) async fn start(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let mut errors = std::collections::BTreeMap::new();
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
                drafting::start_document(&c.state.db, &c.actor, now(), start).await
            }
            _ => Err(AppError::Invalid(Default::default())),
        };
        match started {
            Ok(d) => Ok(super::redirect(&format!("/documents/{}", d.id))),
            Err(e) => {
                errors.extend(field_errors(&e).ok_or(e)?);
                let extra = json!({"errors": errors, "values": f.values()});
                listing_with(&c, None, "documents.html", StatusCode::UNPROCESSABLE_ENTITY, extra).await
            }
        }
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn sign_off(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = listing(&c, Some("submitted"), "documents.html").await;
    respond(&c, r)
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

async fn view(c: &Ctx, id: Uuid, extra: Value) -> Result<Value> {
    let db = &c.state.db;
    let d = documents::get_document(db, &c.actor, id).await?;
    let signers = users::list_users(
        db,
        &c.actor,
        Some(d.data.issuer_id),
        None,
        Some("signer".into()),
        Paging { page: 1, per_page: 100 },
    )
    .await
    .map(|p| p.items.into_iter().map(|u| json!({"id": u.id, "name": u.data.name})).collect::<Vec<_>>())
    .unwrap_or_default();
    // The units and their addresses, offered as recipients.
    let all = Paging { page: 1, per_page: Paging::MAX_PER_PAGE };
    let filter = crate::services::units::UnitFilter { issuer_id: Some(d.data.issuer_id), kind: None };
    let recipient_units: Vec<Value> = crate::services::units::list_units(db, &c.actor, filter, all)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.deactivated_at.is_none())
        .map(|u| json!({"name": u.data.name, "emails": u.data.emails}))
        .collect();
    // Choosing a signer's account fills the name, and the head's title as position.
    let head_title = crate::services::issuers::get_issuer(db, &c.actor, d.data.issuer_id)
        .await
        .map(|i| i.data.head_title.to_uppercase())
        .unwrap_or_default();
    let sigs = signatures::document_signatures(db, &c.state.files, &c.state.signing, &c.actor, id).await?;
    let deliveries = if d.state == "issued" && c.is(&[Role::Admin, Role::Office]) {
        outbox::list_outbox(db, &c.actor, None, Some(id), Paging { page: 1, per_page: Paging::MAX_PER_PAGE })
            .await?
            .items
            .iter()
            .map(|m| {
                json!({"id": m.id, "to": m.to_addr, "label": m.recipient_label, "state": m.state,
                    "attempts": m.attempts, "error": m.last_error, "sent_at": m.sent_at.map(vn_time)})
            })
            .collect()
    } else {
        Vec::new()
    };
    let editable = d.state == "draft" && c.is(&[Role::Admin, Role::Office]);
    // The Nghị định 30 check while the document can still change (and for the signer to see).
    let check = if matches!(d.state.as_str(), "draft" | "submitted") {
        let s = &c.state;
        let found = crate::services::checks::check_document(
            &s.db,
            &s.renderer,
            &s.files,
            &c.actor,
            id,
            now(),
            s.signing.images_required,
        )
        .await?;
        Some(crate::model::CheckReport::of(found))
    } else {
        None
    };
    let values = json!({
        "subject": d.data.subject, "legal_bases": d.data.legal_bases.join("\n"),
        "opening": d.data.opening, "closing": d.data.closing,
        "recipients": recipients_text(&d.data.recipients),
        "signer_authority": js(&d.data.signer_authority), "signer_collective": d.data.signer_collective,
        "signer_head_title": d.data.signer_head_title, "signer_position": d.data.signer_position,
        "signer_name": d.data.signer_name, "signer_user_id": d.data.signer_user_id,
        "drafting_unit": d.data.drafting_unit,
    });
    let kind: crate::domain::DocumentKind = d.data.kind.parse().unwrap_or(crate::domain::DocumentKind::Report);
    let sections: Vec<Value> = crate::domain::print::section_slots(kind)
        .iter()
        .map(|(k, label)| json!({"key": k, "label": label, "text": d.data.sections.get(k).unwrap_or("")}))
        .collect();
    // Typing not yet saved (autosaved, or caught when the session ran out) comes back.
    let mut restored = None;
    let mut values = values;
    let mut typed = false;
    if editable && extra.get("values").is_none() {
        let mut stored: std::collections::BTreeMap<String, String> = values
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map(str::to_owned).unwrap_or_else(|| match v {
                                Value::Null => String::new(),
                                other => other.to_string(),
                            }),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (k, _) in crate::domain::print::section_slots(kind) {
            stored.insert(format!("section:{k}"), d.data.sections.get(k).unwrap_or("").to_owned());
        }
        let key = format!("/documents/{id}");
        if let Some(draft) = super::keep::restorable(c, &key, Some(d.updated_at), &stored).await {
            values = json!(super::keep::values_of(&draft));
            typed = true;
            restored = Some(json!({"text": super::keep::restored_notice(&draft), "key": key}));
        }
    }
    let authorities: Vec<Value> =
        crate::domain::signer::Authority::ALL.iter().map(|a| json!({"code": a.code(), "label": a.label()})).collect();
    let can_sign = d.state == "submitted" && c.is(&[Role::Signer]);
    let summary = if can_sign {
        let s = documents::sign_off(db, &c.actor, id).await?;
        let at = |t: Option<DateTime<Utc>>| t.map(vn_time);
        Some(json!({"drafted_by": s.drafted_by, "drafted_at": at(s.drafted_at), "submitted_by": s.submitted_by,
            "submitted_at": at(s.submitted_at), "returned_at": at(s.returned_at), "return_comment": s.return_comment,
            "changed": s.changed,
            "recipients": d.data.recipients.iter().map(|r| r.label.clone()).collect::<Vec<_>>()}))
    } else {
        None
    };
    let signer_key = if can_sign && c.state.signing.enabled {
        let k = signatures::signer_key_view(db, &c.state.signing, &c.actor, now()).await?;
        Some(
            json!({"subject": k.subject, "issued_by": k.issued_by, "until": k.until.map(vn_date), "problem": k.problem}),
        )
    } else {
        None
    };
    let s = &c.state;
    // A document that cannot print yet (the check says why) just has no page images.
    let pages = crate::services::printing::document_page_count(db, &s.renderer, &s.files, &c.actor, id).await.ok();
    let version = d.updated_at.timestamp_millis();
    let v = with_extra(
        json!({
            "doc": doc_row(&d), "data": js(&d.data),
            "correction": d.replaces_id.map(|r| json!({"replaces": r, "reason": d.correction_reason,
                "reopens_plan": d.data.kind.as_str() == "report" && d.data.plan_id.is_some()
                    && !matches!(d.state.as_str(), "issued" | "replaced")})), "sha256": d.pdf_sha256, "comment": d.review_comment,
            "pdf_url": format!("/api/v1/documents/{id}/pdf?v={version}"),
            "pages": pages,
            "page_urls": (1..=pages.unwrap_or(0)).map(|n| format!("/documents/{id}/pages/{n}?v={version}")).collect::<Vec<_>>(),
            "editable": editable, "values": values, "sections": sections, "signers": signers, "head_title": head_title,
            "recipient_units": serde_json::to_string(&recipient_units).unwrap_or_default(),
            "typed": typed, "restored": restored,
            "authorities": authorities,
            "check": check.as_ref().map(js),
            "signatures": sigs, "deliveries": deliveries,
            "can_submit": editable,
            "can_sign": can_sign, "signer_key": signer_key, "sign_off": summary,
            "can_issue": d.state == "approved" && c.is(&[Role::Admin, Role::Office]),
            "can_correct": d.state == "issued" && c.is(&[Role::Admin, Role::Office]),
            "signing": c.state.signing.enabled,
        }),
        extra,
    );
    Ok(v)
}

#[derive(serde::Deserialize)]
pub(crate) struct ImageQuery {
    /// Width in pixels.
    w: Option<u16>,
}

/// One page of the document as a PNG, for phones and browsers that cannot show a
/// PDF inline.
#[handler]
pub(crate) async fn page_image(
    state: Data<&AppState>,
    req: &Request,
    Path((id, page)): Path<(Uuid, usize)>,
    poem::web::Query(q): poem::web::Query<ImageQuery>,
) -> Response {
    let c = session!(state, req);
    let s = &c.state;
    let width = q.w.unwrap_or(1240);
    let r = crate::services::printing::document_page_image(&s.db, &s.renderer, &s.files, &c.actor, id, page, width)
        .await
        .map(|png| {
            Response::builder().content_type("image/png").header("cache-control", "private, max-age=300").body(png)
        });
    respond(&c, r)
}

#[handler]
pub(crate) async fn show(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = async { Ok(c.page("document.html", StatusCode::OK, view(&c, id, json!({})).await?)) }.await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn save(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let d = documents::get_document(&c.state.db, &c.actor, id).await?;
        let mut input = d.data.clone();
        input.subject = f.get("subject").trim().to_owned();
        input.legal_bases = super::lines(&f.get("legal_bases"));
        input.opening = f.opt("opening");
        input.closing = f.opt("closing");
        let kind: crate::domain::DocumentKind = input.kind.parse().unwrap_or(crate::domain::DocumentKind::Report);
        let mut sections = serde_json::to_value(&input.sections).unwrap_or_default();
        for (slot, _) in crate::domain::print::section_slots(kind) {
            sections[*slot] = f.opt(&format!("section:{slot}")).map(Value::String).unwrap_or(Value::Null);
        }
        input.sections = serde_json::from_value(sections).unwrap_or_default();
        input.recipients = parse_recipients(&f.get("recipients"));
        input.signer_authority =
            f.get("signer_authority").parse::<crate::domain::signer::Authority>().map(Into::into).unwrap_or_default();
        input.signer_collective = f.opt("signer_collective");
        input.signer_head_title = f.opt("signer_head_title");
        input.signer_position = f.opt("signer_position");
        input.signer_name = f.get("signer_name").trim().to_owned();
        input.signer_user_id = f.opt("signer_user_id").and_then(|s| s.parse().ok());
        input.drafting_unit = f.opt("drafting_unit");
        let s = &c.state;
        // "Trình lãnh đạo ký" sits in this form: what is typed is saved on the way.
        let saved = if f.get("action") == "submit" {
            issuing::save_and_submit(&s.db, &s.renderer, &s.files, &s.signing, &c.actor, now(), id, input)
                .await
                .map(|r| if r.findings.is_empty() { "submit" } else { "saved_not_submitted" })
        } else {
            documents::update_document(&s.db, &c.actor, now(), id, input).await.map(|_| "saved")
        };
        match saved {
            Ok(done) => Ok(super::done(&format!("/documents/{id}"), done)),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                let v = view(&c, id, json!({"errors": errors, "values": f.values(), "typed": true})).await?;
                Ok(c.page("document.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
        }
    }
    .await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn step(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = async {
        f.check_csrf(&c)?;
        let s = &c.state;
        let result = match f.get("action").as_str() {
            "submit" => issuing::submit_document(&s.db, &s.renderer, &s.files, &s.signing, &c.actor, now(), id).await,
            "approve" => issuing::approve_document(&s.db, &s.renderer, &s.files, &s.signing, &c.actor, now(), id).await,
            "send_back" => issuing::send_back_document(&s.db, &c.actor, now(), id, f.opt("comment")).await,
            "issue" => issuing::issue_document(&s.db, &s.renderer, &s.files, &s.signing, &c.actor, now(), id).await,
            "correction" => issuing::correct_document(&s.db, &c.actor, now(), id, &f.get("reason")).await,
            // Signing with a USB token or a remote service: show the digest to sign …
            "prepare" => {
                match signatures::prepare(&s.db, &s.renderer, &s.files, &s.signing, &c.actor, now(), id).await {
                    Ok(p) => {
                        // The hand-off link as the browser reached this server.
                        let host = req.header("host").unwrap_or("localhost");
                        let scheme = if s.secure_cookies { "https" } else { "http" };
                        let handoff = format!("{scheme}://{host}{}", p.handoff_url);
                        let prepared = json!({"session_id": p.session_id, "digest_hex": p.digest_hex,
                            "digest_base64": p.digest_base64, "expires_at": vn_time(p.expires_at),
                            "handoff": handoff});
                        let v = view(&c, id, json!({"prepared": prepared})).await?;
                        return Ok(c.page("document.html", StatusCode::OK, v));
                    }
                    Err(e) => Err(e),
                }
            }
            // … and embed the signature the token or service made.
            "finalize" => {
                let session = f
                    .get("session_id")
                    .parse()
                    .map_err(|_| AppError::field("session_id", "Phiên ký không hợp lệ / invalid signing session"))?;
                signatures::finalize(&s.db, &s.files, &s.signing, &c.actor, now(), id, session, &f.get("signature"))
                    .await
            }
            _ => Err(AppError::field("action", "Thao tác không hợp lệ / unknown action")),
        };
        match result {
            Ok(d) => Ok(super::done(&format!("/documents/{}", d.id), &f.get("action"))),
            Err(e) => {
                let errors = field_errors(&e).ok_or(e)?;
                let prepared = (f.get("action") == "finalize").then(|| {
                    // The hand-off link stays on the page (a refused paste does not use it up).
                    let handoff = f.opt("handoff").filter(|h| h.contains("/api/v1/signing/handoff/"));
                    json!({"session_id": f.get("session_id"), "digest_hex": f.get("digest_hex"),
                        "digest_base64": f.get("digest_base64"), "expires_at": f.get("expires_at"),
                        "handoff": handoff})
                });
                let v = view(&c, id, json!({"step_errors": errors, "step_values": f.values(), "prepared": prepared}))
                    .await?;
                Ok(c.page("document.html", StatusCode::UNPROCESSABLE_ENTITY, v))
            }
        }
    }
    .await;
    respond(&c, r)
}
