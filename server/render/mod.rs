//! PDF rendering with typst: the only module that names typst.
//!
//! A document is a template (`templates/documents/<kind>.typ`, built on
//! `frame.typ`) plus its data, handed over as `/data.json`. User text is never
//! spliced into typst source, so it always prints literally. Before compiling,
//! every character of the data is checked against the fonts: typst would draw a
//! blank box for a missing glyph and say nothing.
//!
//! The `World` sees only the templates, the fonts and the document's own images. The
//! renderer tells `domain::text` once which characters it can draw, and every text
//! field's check refuses the others where they are typed, naming character and position;
//! text saved before prints with a visible "□" and the Nghị định 30 check names its
//! record and field. PDFs are deterministic: fixed creation date and identifier.
//! Rendering runs on the blocking pool; typst's memo cache is evicted after each render,
//! keeping 10 generations warm.

mod fonts;
mod world;

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use typst::diag::Warned;
use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use fonts::{BUNDLED, Fonts};
use world::Environment;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No such template.
    #[error("unknown document template `{0}`")]
    UnknownTemplate(String),
    /// typst refused the template or the data (a bug in a template).
    #[error("typst: {0}")]
    Typst(String),
}

/// Templates, fonts and typst's library, loaded once and shared by every render.
pub struct Renderer {
    env: Environment,
}

/// How long typst's memoised results survive unused, in renders: enough to keep a
/// re-render after a small edit incremental, bounded so memory stays flat.
const CACHE_GENERATIONS: usize = 10;

impl Renderer {
    /// Loads templates (bundled unless `templates_dir`) and fonts (bundled plus `fonts_dir`).
    pub fn new(templates_dir: Option<&Path>, fonts_dir: Option<&Path>) -> std::io::Result<Renderer> {
        let fonts = Fonts::load(fonts_dir)?;
        // Text is checked against these fonts where it is typed, not first when it prints.
        let faces = fonts.body_faces();
        crate::domain::text::set_drawable(move |c| faces.iter().all(|f| f.info().coverage.contains(c as u32)));
        Ok(Renderer { env: Environment::new(templates_dir, fonts)? })
    }

    /// The family the body text is set in.
    pub fn font_family(&self) -> &str {
        &self.env.fonts.family
    }

    /// Renders `template` (e.g. "report.typ") over `data`. `date` fixes the PDF's
    /// creation date and `ident` its identifier, so equal inputs give equal bytes.
    pub fn render(
        &self,
        template: &str,
        data: &Value,
        assets: &[(String, Vec<u8>)],
        date: NaiveDate,
        ident: &str,
    ) -> Result<Vec<u8>, RenderError> {
        self.render_marked(template, data, assets, date, ident).map(|(pdf, _)| pdf)
    }

    /// Renders like [`Renderer::render`] and also says where the labelled places
    /// of the layout ended up (the blanks a signature fills, the signature box).
    pub fn render_marked(
        &self,
        template: &str,
        data: &Value,
        assets: &[(String, Vec<u8>)],
        date: NaiveDate,
        ident: &str,
    ) -> Result<(Vec<u8>, Vec<Mark>), RenderError> {
        // Text saved before characters were checked where they are typed may hold one
        // the fonts lack: it prints as a visible placeholder (the Nghị định 30 check
        // names the record), never as a silent blank or a failed document.
        let mut data = data.clone();
        self.mark_undrawable(&mut data, &mut String::new());
        let data = &printable(&data);
        let today = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .ok_or_else(|| RenderError::Typst(format!("date out of range: {date}")))?;
        let bytes = Bytes::new(serde_json::to_vec(data).map_err(|e| RenderError::Typst(e.to_string()))?);
        let world = self
            .env
            .world(template, bytes, assets, today)
            .ok_or_else(|| RenderError::UnknownTemplate(template.into()))?;
        let Warned { output, warnings: _ } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| RenderError::Typst(messages(&errors)))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_owned()),
            creator: Smart::Custom(Some(format!("nhiemvu {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(Timestamp::new_utc(today)),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Typst(messages(&errors)))?;
        let marks = marks(&document);
        typst::comemo::evict(CACHE_GENERATIONS);
        Ok((pdf, marks))
    }

    /// Replaces in every string of `value` each character no body face has with a
    /// placeholder (the number and date blanks stay where the frame puts them).
    fn mark_undrawable(&self, value: &mut Value, path: &mut String) {
        match value {
            Value::String(s) => {
                let slots = path == "frame.number_line"
                    || path == "frame.place_date"
                    || path == "frame.reference"
                    || (path.starts_with("appendices[") && path.ends_with("].caption"));
                let fonts = &self.env.fonts;
                let missing = |c: char| {
                    let allowed_slot = slots && crate::domain::print::slot::is_slot(c);
                    !(c.is_whitespace() || c.is_control() || allowed_slot || fonts.covers(c))
                };
                if s.chars().any(missing) {
                    let mark = if fonts.covers('□') { '□' } else { '?' };
                    *s = s.chars().map(|c| if missing(c) { mark } else { c }).collect();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.mark_undrawable(item, path);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    self.mark_undrawable(v, path);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
}

/// The data with every string made printable: numbers, dates and symbols kept on
/// one line. Nothing else is added to the text (long "words" wrap and tabs keep
/// their width by the frame's show rules), so the PDF's text is what was typed.
fn printable(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(crate::domain::typeset::keep_together(s)),
        Value::Array(items) => Value::Array(items.iter().map(printable).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), printable(v))).collect()),
        other => other.clone(),
    }
}

/// A labelled place of a rendered document.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The label without `<>`, e.g. "slot-number".
    pub label: &'static str,
    /// Page index, from 0.
    pub page: usize,
    /// Points from the page's left edge.
    pub x: f64,
    /// Points from the page's top edge.
    pub y: f64,
}

/// The labels templates put on places a signature needs to find.
pub const MARK_LABELS: [&str; 7] =
    ["slot-number", "slot-day", "slot-month", "slot-year", "slot-cnumber", "slot-cdate", "signature-box"];

fn marks(document: &PagedDocument) -> Vec<Mark> {
    use typst::foundations::{Label, Selector};
    use typst::introspection::Introspector as _;
    let intro = document.introspector();
    let mut out = Vec::new();
    for label in MARK_LABELS {
        let Some(l) = Label::new(typst::utils::PicoStr::intern(label)) else { continue };
        for content in intro.query(&Selector::Label(l)) {
            if let Some(pos) = content.location().and_then(|loc| intro.position(loc)) {
                out.push(Mark { label, page: pos.page.get() - 1, x: pos.point.x.to_pt(), y: pos.point.y.to_pt() });
            }
        }
    }
    out
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}
