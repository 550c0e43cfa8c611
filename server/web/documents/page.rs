//! A document's page: the text and its form, the Nghị định 30 check, the PDF and its
//! page images, what the signer sees before signing, signatures and delivery.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use super::{Row, recipients_text};
use crate::domain::signer::Authority;
use crate::domain::{DocumentKind, DocumentState, Role};
use crate::error::Result;
use crate::model::{CheckReport, Document, DocumentInput, Paging};
use crate::services::{documents, outbox, signatures, users};
use crate::signing::SignatureReport;
use crate::web::view::{Api, Named, Word};
use crate::web::view::{vn_date, vn_time};
use crate::web::{Ctx, Page, keep};

/// A document's page.
#[derive(Serialize)]
struct DocView<'a> {
    doc: Row<'a>,
    data: Api<'a, DocumentInput>,
    correction: Option<Correction<'a>>,
    sha256: Option<&'a str>,
    /// The signer's comment when it was sent back.
    comment: Option<&'a str>,
    pdf_url: String,
    pages: Option<usize>,
    page_urls: Vec<String>,
    editable: bool,
    /// The form's values by field name: as stored, as typed and refused, or a kept draft.
    values: BTreeMap<String, String>,
    sections: Vec<Section<'a>>,
    signers: Vec<Named>,
    head_title: String,
    /// The units and their addresses offered as recipients, as JSON for the page's script.
    recipient_units: String,
    /// Whether `values` holds typing rather than what is stored.
    typed: bool,
    restored: Option<Restored>,
    authorities: Vec<Word>,
    #[serde(serialize_with = "api")]
    check: Option<CheckReport>,
    signatures: Vec<SignatureReport>,
    deliveries: Vec<Delivery>,
    can_submit: bool,
    can_sign: bool,
    signer_key: Option<SignerKey>,
    sign_off: Option<SignOff<'a>>,
    can_issue: bool,
    can_correct: bool,
    signing: bool,
    #[serde(flatten)]
    after: After,
}

/// An owned API model inside a view, shown as the API sends it.
fn api<T: poem_openapi::types::ToJSON, S: Serializer>(x: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
    x.as_ref().map(Api).serialize(s)
}

/// What a correction replaces, and why.
#[derive(Serialize)]
struct Correction<'a> {
    replaces: Uuid,
    reason: Option<&'a str>,
    /// A report correcting its plan's report opens the plan's figures again until issued.
    reopens_plan: bool,
}

/// One free-text part of the document, in print order.
#[derive(Serialize)]
struct Section<'a> {
    key: &'static str,
    label: &'static str,
    text: &'a str,
}

/// A unit offered as a recipient.
#[derive(Serialize)]
struct RecipientUnit {
    name: String,
    emails: Vec<String>,
}

/// A kept draft brought back into the form.
#[derive(Serialize)]
struct Restored {
    text: String,
    key: String,
}

/// One message of the issued document's delivery.
#[derive(Serialize)]
struct Delivery {
    id: Uuid,
    to: String,
    label: Option<String>,
    state: Word,
    attempts: i32,
    error: Option<String>,
    sent_at: Option<String>,
}

/// The certificate the server would sign the signer's approval with.
#[derive(Serialize)]
struct SignerKey {
    subject: Option<String>,
    issued_by: Option<String>,
    until: Option<String>,
    problem: Option<String>,
}

/// What the signer sees before signing: who drafted and submitted it, and what changed
/// since it was last sent back.
#[derive(Serialize)]
struct SignOff<'a> {
    drafted_by: Option<String>,
    drafted_at: Option<String>,
    submitted_by: Option<String>,
    submitted_at: Option<String>,
    returned_at: Option<String>,
    return_comment: Option<String>,
    changed: Vec<&'static str>,
    recipients: Vec<&'a str>,
}

/// A signature prepared for a USB token or a remote service: the digest to sign.
#[derive(Serialize)]
pub(super) struct Prepared {
    pub session_id: String,
    pub digest_hex: String,
    pub digest_base64: String,
    pub expires_at: String,
    pub handoff: Option<String>,
}

/// What an action leaves on the document's page: a refused save's errors and typing,
/// a refused step's errors and values, a prepared signature.
#[derive(Serialize, Default)]
pub(super) struct After {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
    /// The typing of a refused save (shown instead of what is stored).
    #[serde(skip)]
    pub values: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_errors: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_values: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prepared: Option<Prepared>,
}

/// The form's fields as stored (the text a kept draft is compared with).
fn stored_values(d: &DocumentInput) -> BTreeMap<String, String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        ("subject", d.subject.clone()),
        ("legal_bases", d.legal_bases.join("\n")),
        ("opening", text(&d.opening)),
        ("closing", text(&d.closing)),
        ("recipients", recipients_text(&d.recipients)),
        ("signer_authority", Authority::from(d.signer_authority).code().to_owned()),
        ("signer_collective", text(&d.signer_collective)),
        ("signer_head_title", text(&d.signer_head_title)),
        ("signer_position", text(&d.signer_position)),
        ("signer_name", d.signer_name.clone()),
        ("signer_user_id", d.signer_user_id.map(|u| u.to_string()).unwrap_or_default()),
        ("drafting_unit", text(&d.drafting_unit)),
    ];
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The document's page, with what the last action left on it.
pub(super) async fn document_page(c: &Ctx, id: Uuid, status: StatusCode, after: After) -> Page {
    let d = documents::get_document(&c.state.db, &c.actor, id).await?;
    let v = view(c, &d, after).await?;
    Ok(c.page("document.html", status, v))
}

/// The view of document `d` for `c`'s user, with what the last action left on it.
async fn view<'a>(c: &Ctx, d: &'a Document, mut after: After) -> Result<DocView<'a>> {
    let (db, s, id) = (&c.state.db, &c.state, d.id);
    let signers = users::list_users(
        db,
        &c.actor,
        Some(d.data.issuer_id),
        None,
        Some("signer".into()),
        Paging { page: 1, per_page: 100 },
    )
    .await
    .map(|p| p.items.into_iter().map(|u| Named { id: u.id, name: u.data.name }).collect())
    .unwrap_or_default();
    // The units and their addresses, offered as recipients.
    let all = Paging { page: 1, per_page: Paging::MAX_PER_PAGE };
    let filter = crate::services::units::UnitFilter { issuer_id: Some(d.data.issuer_id), kind: None };
    let recipient_units: Vec<RecipientUnit> = crate::services::units::list_units(db, &c.actor, filter, all)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.deactivated_at.is_none())
        .map(|u| RecipientUnit { name: u.data.name, emails: u.data.emails })
        .collect();
    // Choosing a signer's account fills the name, and the head's title as position.
    let head_title = crate::services::issuers::get_issuer(db, &c.actor, d.data.issuer_id)
        .await
        .map(|i| i.data.head_title.to_uppercase())
        .unwrap_or_default();
    let sigs = signatures::document_signatures(db, &s.files, &s.signing, &c.actor, id).await?;
    let office = c.is(&[Role::Admin, Role::Office]);
    let deliveries = if d.state == DocumentState::Issued && office {
        outbox::list_outbox(db, &c.actor, None, Some(id), Paging { page: 1, per_page: Paging::MAX_PER_PAGE })
            .await?
            .items
            .into_iter()
            .map(|m| Delivery {
                id: m.id,
                to: m.to_addr,
                label: m.recipient_label,
                state: Word::of(m.state),
                attempts: m.attempts,
                error: m.last_error,
                sent_at: m.sent_at.map(vn_time),
            })
            .collect()
    } else {
        Vec::new()
    };
    let editable = d.state == DocumentState::Draft && office;
    // The Nghị định 30 check while the document can still change (and for the signer to see).
    let check = if matches!(d.state, DocumentState::Draft | DocumentState::Submitted) {
        let found = crate::services::checks::check_document(
            &s.db,
            &s.renderer,
            &s.files,
            &c.actor,
            id,
            c.now(),
            s.signing.images_required,
        )
        .await?;
        Some(CheckReport::of(found))
    } else {
        None
    };
    let kind: DocumentKind = d.data.kind.parse().unwrap_or(DocumentKind::Report);
    let sections = crate::domain::print::section_slots(kind)
        .iter()
        .map(|(k, label)| Section { key: k, label, text: d.data.sections.get(k).unwrap_or("") })
        .collect();
    // Typing not yet saved (autosaved, or caught when the session ran out) comes back.
    let mut restored = None;
    let mut typed = after.values.is_some();
    let mut values = after.values.take().unwrap_or_else(|| stored_values(&d.data));
    if editable && !typed {
        let mut stored = values.clone();
        for (k, _) in crate::domain::print::section_slots(kind) {
            stored.insert(format!("section:{k}"), d.data.sections.get(k).unwrap_or("").to_owned());
        }
        let key = format!("/documents/{id}");
        if let Some(draft) = keep::restorable(c, &key, Some(d.updated_at), &stored).await {
            values = keep::values_of(&draft);
            typed = true;
            restored = Some(Restored { text: keep::restored_notice(&draft), key });
        }
    }
    let can_sign = d.state == DocumentState::Submitted && c.is(&[Role::Signer]);
    let sign_off = if can_sign {
        let s = documents::sign_off(db, &c.actor, id).await?;
        let at = |t: Option<DateTime<Utc>>| t.map(vn_time);
        Some(SignOff {
            drafted_by: s.drafted_by,
            drafted_at: at(s.drafted_at),
            submitted_by: s.submitted_by,
            submitted_at: at(s.submitted_at),
            returned_at: at(s.returned_at),
            return_comment: s.return_comment,
            changed: s.changed,
            recipients: d.data.recipients.iter().map(|r| r.label.as_str()).collect(),
        })
    } else {
        None
    };
    let signer_key = if can_sign && s.signing.enabled {
        let k = signatures::signer_key_view(db, &s.signing, &c.actor, c.now()).await?;
        Some(SignerKey { subject: k.subject, issued_by: k.issued_by, until: k.until.map(vn_date), problem: k.problem })
    } else {
        None
    };
    // A document that cannot print yet (the check says why) just has no page images.
    let pages = crate::services::printing::document_page_count(db, &s.renderer, &s.files, &c.actor, id).await.ok();
    let version = d.updated_at.timestamp_millis();
    let reopens_plan = d.data.kind.value() == Some(DocumentKind::Report)
        && d.data.plan_id.is_some()
        && !matches!(d.state, DocumentState::Issued | DocumentState::Replaced);
    Ok(DocView {
        doc: Row::of(d),
        data: Api(&d.data),
        correction: d.replaces_id.map(|replaces| Correction {
            replaces,
            reason: d.correction_reason.as_deref(),
            reopens_plan,
        }),
        sha256: d.pdf_sha256.as_deref(),
        comment: d.review_comment.as_deref(),
        pdf_url: format!("/api/v1/documents/{id}/pdf?v={version}"),
        pages,
        page_urls: (1..=pages.unwrap_or(0)).map(|n| format!("/documents/{id}/pages/{n}?v={version}")).collect(),
        editable,
        values,
        sections,
        signers,
        head_title,
        recipient_units: serde_json::to_string(&recipient_units).unwrap_or_default(),
        typed,
        restored,
        authorities: Authority::ALL.iter().map(|a| Word { code: a.code(), label: a.label() }).collect(),
        check,
        signatures: sigs,
        deliveries,
        can_submit: editable,
        can_sign,
        signer_key,
        sign_off,
        can_issue: d.state == DocumentState::Approved && office,
        can_correct: d.state == DocumentState::Issued && office,
        signing: s.signing.enabled,
        after,
    })
}
