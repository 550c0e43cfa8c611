//! PDF rendering with typst: the only module that names typst.
//!
//! A document is a template (`templates/documents/<kind>.typ`, built on
//! `frame.typ`) plus its data, handed over as `/data.json`. User text is never
//! spliced into typst source, so it always prints literally. Before compiling,
//! every character of the data is checked against the fonts: typst would draw a
//! blank box for a missing glyph and say nothing.

mod fonts;
mod world;

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use typst::diag::Warned;
use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use fonts::Fonts;
use world::Environment;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A character of the data has no glyph in the document fonts.
    #[error("the character {character:?} (U+{code:04X}) in `{field}` is not in the document font", code = *.character as u32)]
    MissingGlyph {
        /// JSON path of the field, e.g. `groups[0].tasks[1].text`.
        field: String,
        /// The character.
        character: char,
    },
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
        Ok(Renderer { env: Environment::new(templates_dir, Fonts::load(fonts_dir)?)? })
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
        self.check_glyphs(data, &mut String::new())?;
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
        typst::comemo::evict(CACHE_GENERATIONS);
        Ok(pdf)
    }

    /// Walks every string in `value`, naming the first character no body face has.
    fn check_glyphs(&self, value: &Value, path: &mut String) -> Result<(), RenderError> {
        match value {
            Value::String(s) => {
                if let Some(c) = s.chars().find(|c| !c.is_whitespace() && !c.is_control() && !self.env.fonts.covers(*c))
                {
                    return Err(RenderError::MissingGlyph { field: path.clone(), character: c });
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.check_glyphs(item, path)?;
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    self.check_glyphs(v, path)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}
