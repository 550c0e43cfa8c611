//! The office administrator's page of deadline rules: who decides a request to move or
//! withdraw a task, after how many working days an overdue task is told to the chairman
//! or gets an urging letter drafted, whether an unanswered explanation request is told
//! to the chairman, and the thresholds of "Nguy cơ chậm".

use std::collections::BTreeMap;

use poem::handler;
use poem::http::StatusCode;
use serde::Serialize;

use super::account::admin_only;
use super::{Ctx, Form, Page, Posted, field_errors};
use crate::error::{AppError, Result};
use crate::model::DeadlineRulesInput;
use crate::services::deadline_rules;

/// Each field's error.
type Errors = BTreeMap<String, String>;

/// The rules page.
#[derive(Serialize)]
struct RulesView {
    values: BTreeMap<String, String>,
    errors: Option<Errors>,
}

fn values_of(r: &DeadlineRulesInput) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("signer_decides".into(), if r.signer_decides { "1" } else { "" }.into()),
        ("tell_chairman_after".into(), r.tell_chairman_after.to_string()),
        ("draft_letter_after".into(), r.draft_letter_after.to_string()),
        ("tell_chairman_unanswered".into(), if r.tell_chairman_unanswered { "1" } else { "" }.into()),
        ("risk_time_percent".into(), r.risk_time_percent.to_string()),
        ("risk_progress_percent".into(), r.risk_progress_percent.to_string()),
    ])
}

fn issuer(c: &Ctx) -> Result<uuid::Uuid> {
    c.actor.issuer_id.ok_or(AppError::Forbidden)
}

/// `GET /admin/deadline-rules`.
#[handler]
pub(crate) async fn page(c: Ctx) -> Page {
    admin_only(&c)?;
    let rules = deadline_rules::get_rules(&c.state.db, &c.actor, issuer(&c)?).await?;
    Ok(c.page("deadline_rules.html", StatusCode::OK, RulesView { values: values_of(&rules), errors: None }))
}

/// A whole number box; a mistake is noted in `errors`.
fn number(f: &Form, key: &str, errors: &mut Errors) -> u32 {
    f.get(key).trim().parse::<u32>().unwrap_or_else(|_| {
        errors.insert(key.into(), "Nhập một số nguyên không âm".into());
        0
    })
}

/// `POST /admin/deadline-rules`.
#[handler]
pub(crate) async fn save(Posted(c, f): Posted) -> Page {
    admin_only(&c)?;
    let mut errors = Errors::new();
    let input = DeadlineRulesInput {
        signer_decides: f.get("signer_decides") == "1",
        tell_chairman_after: number(&f, "tell_chairman_after", &mut errors),
        draft_letter_after: number(&f, "draft_letter_after", &mut errors),
        tell_chairman_unanswered: f.get("tell_chairman_unanswered") == "1",
        risk_time_percent: number(&f, "risk_time_percent", &mut errors),
        risk_progress_percent: number(&f, "risk_progress_percent", &mut errors),
    };
    if errors.is_empty() {
        match deadline_rules::set_rules(&c.state.db, &c.actor, c.now(), issuer(&c)?, input).await {
            Ok(_) => return Ok(super::done("/admin/deadline-rules", "rules_saved")),
            Err(e) => match field_errors(&e) {
                Some(more) => errors.extend(more),
                None => return Err(e.into()),
            },
        }
    }
    let view = RulesView { values: f.values(), errors: Some(errors) };
    Ok(c.page("deadline_rules.html", StatusCode::UNPROCESSABLE_ENTITY, view))
}
