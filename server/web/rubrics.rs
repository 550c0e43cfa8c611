//! Rubrics (office and administrators): each issuer's score → rating bands, shown
//! as tables; a new rubric starts as a copy of another (the 2026 state rule is one
//! of the two every issuer begins with) and every band is edited on one form. The
//! service checks that the bands cover 0–100 exactly once.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, Form, field_errors, respond, session, session_form};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{BandInput, Paging, Rubric, RubricInput};
use crate::services::{now, rubrics};
use crate::state::AppState;

/// Rows on the form: more than any rubric in use needs (the presets have five).
const ROWS: usize = 8;

fn office(c: &Ctx) -> Result<()> {
    if c.is(&[Role::Admin, Role::Office]) && c.actor.issuer_id.is_some() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A band in words, as a report says it: "trên 90", "từ 70 đến 90", "từ 50 đến
/// dưới 70", "dưới 50".
fn range(b: &BandInput) -> String {
    let lower = b.lower.map(|v| if b.lower_inclusive { format!("từ {v}") } else { format!("trên {v}") });
    let upper = b.upper.map(|v| match (b.upper_inclusive, lower.is_some()) {
        (true, _) => format!("đến {v}"),
        (false, true) => format!("đến dưới {v}"),
        (false, false) => format!("dưới {v}"),
    });
    match (lower, upper) {
        (Some(l), Some(u)) => format!("{l} {u}"),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (None, None) => "mọi điểm".to_owned(),
    }
}

fn shown(r: &Rubric) -> Value {
    let bands: Vec<Value> = r.data.bands.iter().map(|b| json!({"label": b.label, "range": range(b)})).collect();
    json!({"id": r.id, "name": r.data.name, "bands": bands})
}

#[handler]
pub(crate) async fn list(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        office(&c)?;
        let all =
            rubrics::list_rubrics(&c.state.db, &c.actor, c.actor.issuer_id, Paging { page: 1, per_page: 100 }).await?;
        let items: Vec<Value> = all.items.iter().map(shown).collect();
        Ok(c.page("rubrics.html", StatusCode::OK, json!({"rubrics": items})))
    }
    .await;
    respond(&c, r)
}

/// The form's values for `bands` (and `name`), one row each, empty rows after.
fn form_values(name: &str, bands: &[BandInput]) -> Value {
    let mut v = json!({"name": name});
    for n in 0..ROWS {
        let b = bands.get(n);
        let num = |x: Option<i32>| x.map(|x| x.to_string()).unwrap_or_default();
        v[format!("label_{n}")] = json!(b.map(|b| b.label.clone()).unwrap_or_default());
        v[format!("lower_{n}")] = json!(num(b.and_then(|b| b.lower)));
        v[format!("upper_{n}")] = json!(num(b.and_then(|b| b.upper)));
        v[format!("lower_inc_{n}")] = json!(b.is_some_and(|b| b.lower_inclusive));
        v[format!("upper_inc_{n}")] = json!(b.is_some_and(|b| b.upper_inclusive));
    }
    v
}

fn editor(
    c: &Ctx,
    status: StatusCode,
    id: Option<Uuid>,
    values: Value,
    errors: Option<BTreeMap<String, String>>,
) -> Response {
    c.page(
        "rubric.html",
        status,
        json!({"id": id, "values": values, "errors": errors, "rows": (0..ROWS).collect::<Vec<_>>()}),
    )
}

#[derive(Deserialize)]
pub(crate) struct CopyOf {
    from: Option<Uuid>,
}

/// A new rubric's form, filled from the rubric it copies.
#[handler]
pub(crate) async fn new(state: Data<&AppState>, req: &Request, Query(q): Query<CopyOf>) -> Response {
    let c = session!(state, req);
    let r = async {
        office(&c)?;
        let values = match q.from {
            Some(id) => {
                let r = rubrics::get_rubric(&c.state.db, &c.actor, id).await?;
                form_values(&format!("Bản sao của {}", r.data.name), &r.data.bands)
            }
            None => form_values("", &[]),
        };
        Ok(editor(&c, StatusCode::OK, None, values, None))
    }
    .await;
    respond(&c, r)
}

/// An existing rubric's form.
#[handler]
pub(crate) async fn edit(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>) -> Response {
    let c = session!(state, req);
    let r = async {
        office(&c)?;
        let r = rubrics::get_rubric(&c.state.db, &c.actor, id).await?;
        Ok(editor(&c, StatusCode::OK, Some(id), form_values(&r.data.name, &r.data.bands), None))
    }
    .await;
    respond(&c, r)
}

/// The bands typed on the form (rows left empty are skipped); a bound that is not
/// a whole number is named at its box.
fn read(f: &Form) -> std::result::Result<Vec<BandInput>, BTreeMap<String, String>> {
    let mut bands = Vec::new();
    let mut errors = BTreeMap::new();
    for n in 0..ROWS {
        let (label, lower, upper) =
            (f.get(&format!("label_{n}")), f.get(&format!("lower_{n}")), f.get(&format!("upper_{n}")));
        if label.trim().is_empty() && lower.trim().is_empty() && upper.trim().is_empty() {
            continue;
        }
        let mut bound = |key: String, v: &str| -> Option<i32> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i32>() {
                Ok(x) if (0..=100).contains(&x) => Some(x),
                _ => {
                    errors.insert(key, "Nhập số nguyên từ 0 đến 100, hoặc để trống".to_owned());
                    None
                }
            }
        };
        let lower = bound(format!("lower_{n}"), &lower);
        let upper = bound(format!("upper_{n}"), &upper);
        bands.push(BandInput {
            label: label.trim().to_owned(),
            lower,
            lower_inclusive: f.opt(&format!("lower_inc_{n}")).is_some(),
            upper,
            upper_inclusive: f.opt(&format!("upper_inc_{n}")).is_some(),
        });
    }
    if errors.is_empty() { Ok(bands) } else { Err(errors) }
}

/// Saves the form: a new rubric (`id` none) or the rubric `id`, in one call.
async fn save(c: &Ctx, f: &Form, id: Option<Uuid>) -> Result<Response> {
    f.check_csrf(c)?;
    office(c)?;
    let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
    let again = |errors| Ok(editor(c, StatusCode::UNPROCESSABLE_ENTITY, id, json!(f.values()), Some(errors)));
    let bands = match read(f) {
        Ok(b) => b,
        Err(errors) => return again(errors),
    };
    let input = RubricInput { issuer_id, name: f.get("name").trim().to_owned(), bands };
    let saved = match id {
        Some(id) => rubrics::update_rubric(&c.state.db, &c.actor, now(), id, input).await,
        None => rubrics::create_rubric(&c.state.db, &c.actor, now(), input).await,
    };
    match saved {
        Ok(r) => Ok(super::done(&format!("/rubrics#rubric-{}", r.id), "rubric_saved")),
        Err(e) => match field_errors(&e) {
            // A label too long is said at the list's banner with the other problems.
            Some(errors) => again(super::box_errors(errors)),
            None => Err(e),
        },
    }
}

#[handler]
pub(crate) async fn create(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = save(&c, &f, None).await;
    respond(&c, r)
}

#[handler]
pub(crate) async fn update(state: Data<&AppState>, req: &Request, Path(id): Path<Uuid>, body: Body) -> Response {
    let (c, f) = session_form!(state, req, body);
    let r = save(&c, &f, Some(id)).await;
    respond(&c, r)
}
