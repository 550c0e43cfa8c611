//! Rubrics (office and administrators): each issuer's score → rating bands, shown
//! as tables; a new rubric starts as a copy of another (the 2026 state rule is one
//! of the two every issuer begins with) and every band is edited on one form. The
//! service checks that the bands cover 0–100 exactly once.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Response, handler};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

use super::{Ctx, Form, Page, Posted, field_errors};
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::model::{BandInput, Paging, Rubric, RubricInput};
use crate::services::rubrics;

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

/// The rubrics page.
#[derive(Serialize)]
struct ListView<'a> {
    rubrics: Vec<Shown<'a>>,
}

/// A rubric as a table of its bands.
#[derive(Serialize)]
struct Shown<'a> {
    id: Uuid,
    name: &'a str,
    bands: Vec<Band<'a>>,
}

/// A band: its rating and its scores in words.
#[derive(Serialize)]
struct Band<'a> {
    label: &'a str,
    range: String,
}

impl<'a> Shown<'a> {
    /// The rubric `r` as the page shows it.
    fn of(r: &'a Rubric) -> Shown<'a> {
        let bands = r.data.bands.iter().map(|b| Band { label: &b.label, range: range(b) }).collect();
        Shown { id: r.id, name: &r.data.name, bands }
    }
}

/// `GET /rubrics`.
#[handler]
pub(crate) async fn list(c: Ctx) -> Page {
    office(&c)?;
    let all =
        rubrics::list_rubrics(&c.state.db, &c.actor, c.actor.issuer_id, Paging { page: 1, per_page: 100 }).await?;
    Ok(c.page("rubrics.html", StatusCode::OK, ListView { rubrics: all.items.iter().map(Shown::of).collect() }))
}

/// A rubric's name and bands as the form's values: `name`, and for each row `n`
/// `label_n`, `lower_n`, `upper_n` (text) and `lower_inc_n`, `upper_inc_n`
/// (ticked or not); the rows after the last band are empty.
struct Stored<'a> {
    name: String,
    bands: &'a [BandInput],
}

impl Serialize for Stored<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let num = |x: Option<i32>| x.map(|x| x.to_string()).unwrap_or_default();
        let mut m = s.serialize_map(Some(1 + 5 * ROWS))?;
        m.serialize_entry("name", &self.name)?;
        for n in 0..ROWS {
            let b = self.bands.get(n);
            m.serialize_entry(&format!("label_{n}"), b.map_or("", |b| b.label.as_str()))?;
            m.serialize_entry(&format!("lower_{n}"), &num(b.and_then(|b| b.lower)))?;
            m.serialize_entry(&format!("upper_{n}"), &num(b.and_then(|b| b.upper)))?;
            m.serialize_entry(&format!("lower_inc_{n}"), &b.is_some_and(|b| b.lower_inclusive))?;
            m.serialize_entry(&format!("upper_inc_{n}"), &b.is_some_and(|b| b.upper_inclusive))?;
        }
        m.end()
    }
}

/// What the form shows: a stored rubric, or what was typed.
#[derive(Serialize)]
#[serde(untagged)]
enum Values<'a> {
    /// A rubric's name and bands.
    Stored(Stored<'a>),
    /// Field → typed text (a form sent back with its errors).
    Typed(BTreeMap<String, String>),
}

/// The rubric form.
#[derive(Serialize)]
struct EditorView<'a> {
    id: Option<Uuid>,
    values: Values<'a>,
    errors: Option<BTreeMap<String, String>>,
    rows: [usize; ROWS],
}

/// The rubric form (`id` none: a new rubric) with its values and errors.
fn editor(
    c: &Ctx,
    status: StatusCode,
    id: Option<Uuid>,
    values: Values,
    errors: Option<BTreeMap<String, String>>,
) -> Response {
    c.page("rubric.html", status, EditorView { id, values, errors, rows: std::array::from_fn(|n| n) })
}

/// Which rubric a new one copies.
#[derive(Deserialize)]
pub(crate) struct CopyOf {
    from: Option<Uuid>,
}

/// `GET /rubrics/new`: a new rubric's form, filled from the rubric it copies.
#[handler]
pub(crate) async fn new(Query(q): Query<CopyOf>, c: Ctx) -> Page {
    office(&c)?;
    Ok(match q.from {
        Some(id) => {
            let r = rubrics::get_rubric(&c.state.db, &c.actor, id).await?;
            let name = format!("Bản sao của {}", r.data.name);
            editor(&c, StatusCode::OK, None, Values::Stored(Stored { name, bands: &r.data.bands }), None)
        }
        None => editor(&c, StatusCode::OK, None, Values::Stored(Stored { name: String::new(), bands: &[] }), None),
    })
}

/// `GET /rubrics/{id}`: an existing rubric's form.
#[handler]
pub(crate) async fn edit(Path(id): Path<Uuid>, c: Ctx) -> Page {
    office(&c)?;
    let r = rubrics::get_rubric(&c.state.db, &c.actor, id).await?;
    let values = Values::Stored(Stored { name: r.data.name.clone(), bands: &r.data.bands });
    Ok(editor(&c, StatusCode::OK, Some(id), values, None))
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
async fn save(c: &Ctx, f: &Form, id: Option<Uuid>) -> Page {
    office(c)?;
    let issuer_id = c.actor.issuer_id.ok_or(AppError::Forbidden)?;
    let again = |errors| Ok(editor(c, StatusCode::UNPROCESSABLE_ENTITY, id, Values::Typed(f.values()), Some(errors)));
    let bands = match read(f) {
        Ok(b) => b,
        Err(errors) => return again(errors),
    };
    let input = RubricInput { issuer_id, name: f.get("name").trim().to_owned(), bands };
    let saved = match id {
        Some(id) => rubrics::update_rubric(&c.state.db, &c.actor, c.now(), id, input).await,
        None => rubrics::create_rubric(&c.state.db, &c.actor, c.now(), input).await,
    };
    match saved {
        Ok(r) => Ok(super::done(&format!("/rubrics#rubric-{}", r.id), "rubric_saved")),
        Err(e) => match field_errors(&e) {
            // A label too long is said at the list's banner with the other problems.
            Some(errors) => again(super::box_errors(errors)),
            None => Err(e.into()),
        },
    }
}

/// `POST /rubrics`: a new rubric.
#[handler]
pub(crate) async fn create(Posted(c, f): Posted) -> Page {
    save(&c, &f, None).await
}

/// `POST /rubrics/{id}`: the rubric `id` changed.
#[handler]
pub(crate) async fn update(Path(id): Path<Uuid>, Posted(c, f): Posted) -> Page {
    save(&c, &f, Some(id)).await
}
