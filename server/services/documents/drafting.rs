//! Starting a document about a plan — its year-end report, its assignment plan or a
//! letter — prefilled from the plan (title, basis, year), the issuer's units with
//! their addresses (Nơi nhận) and the issuer's signer, so that a new office makes
//! its report without typing what the product already knows. One action, one
//! transaction; a second year-end report of a plan is allowed but said (the Nghị
//! định 30 check warns, or refuses once the first is issued).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access::Action;
use crate::domain::{DocumentKind, Role};
use crate::error::{AppError, Result};
use crate::model::{Document, DocumentInput, Recipient};
use crate::services::access::{in_scope, require};
use crate::services::json_list;
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{documents, issuers, units, users};

/// What to start.
#[derive(Debug, Clone)]
pub struct Start {
    /// The plan the document is about.
    pub plan_id: Uuid,
    /// Báo cáo năm, kế hoạch giao nhiệm vụ or công văn.
    pub kind: DocumentKind,
    /// The subject (trích yếu); a report and a plan get theirs from the plan when empty.
    pub subject: Option<String>,
}

/// The subject a year-end report of `year` is given.
pub fn report_subject(year: i32) -> String {
    format!(
        "Tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm {year} và đề xuất nhiệm vụ trọng tâm năm {}",
        year + 1
    )
}

/// Starts a draft about a plan, prefilled, and returns it.
pub async fn start_document(db: &Db, actor: &Actor, now: DateTime<Utc>, start: Start) -> Result<Document> {
    require(actor, Action::ManageDocument)?;
    let txn = db.begin_write().await?;
    let doc = start_in(&*txn, actor, now, start, |_| {}).await?;
    txn.commit().await?;
    Ok(doc)
}

/// [`start_document`] inside the caller's transaction; `finish` fills in what the
/// caller adds (an urging letter's units, opening and closing) before it is stored.
pub(crate) async fn start_in<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    start: Start,
    finish: impl FnOnce(&mut documents::Model),
) -> Result<Document> {
    let plan = crate::storage::plans::get(txn, start.plan_id)
        .await
        .ok()
        .filter(|p| in_scope(actor, p.issuer_id))
        .ok_or_else(|| AppError::field("plan_id", crate::services::unknown_ref("kế hoạch / plan")))?;
    let issuer = issuers::get(txn, plan.issuer_id).await?;
    let subject = match (start.kind, start.subject.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())) {
        (_, Some(s)) => s,
        (DocumentKind::Report, None) => report_subject(plan.year),
        (DocumentKind::Plan, None) => plan.title.clone(),
        (DocumentKind::Letter, None) => {
            return Err(AppError::field("subject", "Cần trích yếu của công văn / a letter needs its subject"));
        }
    };
    let signer = only_signer(txn, plan.issuer_id).await?;
    let input = DocumentInput {
        issuer_id: plan.issuer_id,
        plan_id: Some(plan.id),
        kind: start.kind.code().into(),
        subject,
        legal_bases: json_list(&plan.based_on),
        // Opening and closing print from the plan until the office writes its own.
        opening: None,
        sections: Default::default(),
        closing: None,
        recipients: recipients(txn, plan.issuer_id).await?,
        signer_collective: issuer.collective_title.clone(),
        signer_authority: Default::default(),
        signer_head_title: None,
        signer_position: Some(issuer.head_title.to_uppercase()),
        signer_name: signer.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        signer_user_id: signer.map(|u| u.id),
        drafting_unit: (start.kind == DocumentKind::Letter).then(|| "VP".to_owned()),
        dated_on: None,
    };
    crate::services::documents::validate(&input)?;
    let doc = crate::services::documents::insert_with(txn, actor, now, input, finish).await?;
    Ok(doc)
}

/// The plan's year-end reports already made (not replaced), newest first: for
/// the plan page to say so before another is started.
pub async fn reports_of_plan(db: &Db, actor: &Actor, plan_id: Uuid) -> Result<Vec<Document>> {
    require(actor, Action::Read)?;
    let rows = documents::reports_of_plan(&db.conn, plan_id).await?;
    // One plan, one issuer: its abbreviation read once for every symbol.
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    let issuer = issuers::find(&db.conn, first.issuer_id).await?;
    let abbreviation = issuer.map(|i| i.abbreviation).unwrap_or_default();
    Ok(rows
        .into_iter()
        .filter(|m| crate::services::documents::visible(actor, m))
        .map(|m| crate::services::documents::to_model(m, &abbreviation))
        .collect())
}

/// The issuer's signer when it has exactly one active signer account.
async fn only_signer(c: &impl Conn, issuer_id: Uuid) -> Result<Option<users::Model>> {
    let mut signers = users::active_with_role(c, issuer_id, Role::Signer).await?;
    Ok(if signers.len() == 1 { signers.pop() } else { None })
}

/// Nơi nhận: every active unit with its addresses, in the units' order, then "Lưu: VT, VP".
async fn recipients(c: &impl Conn, issuer_id: Uuid) -> Result<Vec<Recipient>> {
    let mut list: Vec<units::Model> = units::active_of_issuer(c, issuer_id).await?;
    list.sort_by_key(|u| crate::domain::text::collation_key(&u.name));
    let mut out: Vec<Recipient> = list
        .into_iter()
        .map(|u| Recipient { label: u.name, emails: json_list::<String>(&u.emails).into_iter().take(20).collect() })
        .collect();
    out.truncate(199);
    out.push(Recipient { label: "Lưu: VT, VP".into(), emails: Vec::new() });
    Ok(out)
}
