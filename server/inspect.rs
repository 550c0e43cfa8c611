//! Reads any PDF the way a văn thư looks at it — page sizes, the text as lines
//! with position, size and weight, the fonts and whether they are embedded —
//! for the Nghị định 30 check; counts the pages and draws one as an image for
//! phones. The only module that names hayro (a maintained PDF interpreter and
//! rasteriser, already in the tree through typst). Never panics on a bad file:
//! a file it cannot read is an error, and the interpreter runs under
//! `catch_unwind` as a second net.
//!
//! A PDF is read for the check only after one pass ([`check_shape`]) refuses nesting
//! deeper than [`MAX_NESTING`] (128).

use hayro_interpret::TransformExt;
use hayro_interpret::font::Glyph as PdfGlyph;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::hayro_syntax::object::{Array, Dict, Name};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache, InterpreterSettings, Paint,
    PathDrawMode, SoftMask, interpret_page,
};
use kurbo::{Affine, BezPath, Rect};

use crate::domain::layout::{self, FontUse, Glyph, Page};

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// Not a PDF, or too damaged to read.
    #[error("không đọc được tệp PDF / not a readable PDF")]
    Unreadable,
    /// More pages than the check reads.
    #[error("tệp có {0} trang, quá nhiều để kiểm tra / {0} pages, too many to check")]
    TooManyPages(usize),
    /// A page the file does not have.
    #[error("tệp không có trang này / the file has no such page")]
    NoSuchPage,
    /// Objects nested deeper than any real PDF nests them.
    #[error(
        "tệp lồng đối tượng sâu quá {MAX_NESTING} mức, không phải tệp PDF thông thường / objects nested deeper than {MAX_NESTING} levels"
    )]
    TooDeep,
    /// Larger than the check reads.
    #[error("tệp lớn hơn {} MB / larger than {} MB", MAX_BYTES >> 20, MAX_BYTES >> 20)]
    TooLarge,
}

/// Deepest nesting of dictionaries and arrays read (real files stay under ten).
pub const MAX_NESTING: usize = 128;
/// Largest file read.
pub const MAX_BYTES: usize = 200 << 20;

/// Refuses, in one pass over the bytes and before any parser sees them, a file
/// whose dictionaries and arrays nest deeper than [`MAX_NESTING`] (the parser
/// below recurses, and 100,000 nested `<<` would overflow its stack) or that is
/// larger than [`MAX_BYTES`]. Strings, comments and stream data are skipped.
pub fn check_shape(pdf: &[u8]) -> Result<(), InspectError> {
    if pdf.len() > MAX_BYTES {
        return Err(InspectError::TooLarge);
    }
    let (mut depth, mut i) = (0usize, 0usize);
    while i < pdf.len() {
        match pdf[i] {
            b'%' => i += memchr::memchr2(b'\n', b'\r', &pdf[i..]).unwrap_or(pdf.len() - i),
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut open = 0usize;
                while i < pdf.len() {
                    match pdf[i] {
                        b'\\' => i += 1,
                        b'(' => open += 1,
                        b')' => {
                            open -= 1;
                            if open == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'<' if pdf.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'<' => i += memchr::memchr(b'>', &pdf[i..]).unwrap_or(pdf.len() - i),
            b'>' if pdf.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b's' if pdf[i..].starts_with(b"stream") && !pdf[..i].ends_with(b"end") => {
                // Stream data is not objects: on to its "endstream".
                i += memchr::memmem::find(&pdf[i..], b"endstream").unwrap_or(pdf.len() - i) + b"endstream".len() - 1;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(InspectError::TooDeep);
        }
        i += 1;
    }
    Ok(())
}

/// How many pages `pdf` has.
pub fn page_count(pdf: &[u8]) -> Result<usize, InspectError> {
    check_shape(pdf)?;
    let data = pdf.to_vec();
    std::panic::catch_unwind(move || Ok(Pdf::new(data).map_err(|_| InspectError::Unreadable)?.pages().len()))
        .unwrap_or(Err(InspectError::Unreadable))
}

/// Widest page image drawn, in pixels.
pub const MAX_IMAGE_WIDTH: u16 = 2000;

/// Page `index` (from 0) of `pdf` drawn on white as a PNG `width` pixels wide, for
/// browsers that cannot show a PDF inline.
pub fn page_png(pdf: &[u8], index: usize, width: u16) -> Result<Vec<u8>, InspectError> {
    check_shape(pdf)?;
    let data = pdf.to_vec();
    let width = width.clamp(100, MAX_IMAGE_WIDTH);
    std::panic::catch_unwind(move || {
        let pdf = Pdf::new(data).map_err(|_| InspectError::Unreadable)?;
        let pages = pdf.pages();
        let page = pages.get(index).ok_or(InspectError::NoSuchPage)?;
        let (w, h) = page.render_dimensions();
        if !(w > 1.0 && h > 1.0 && h / w < 3.0) {
            return Err(InspectError::Unreadable);
        }
        let scale = f32::from(width) / w;
        let settings = hayro::RenderSettings {
            x_scale: scale,
            y_scale: scale,
            width: Some(width),
            height: Some((h * scale).round() as u16),
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
        };
        let pixmap = hayro::render(page, &hayro::RenderCache::new(), &InterpreterSettings::default(), &settings);
        pixmap.into_png().map_err(|_| InspectError::Unreadable)
    })
    .unwrap_or(Err(InspectError::Unreadable))
}

/// Most pages the check reads (a year's report with appendices is under 100).
pub const MAX_PAGES: usize = 500;

/// Every page of `pdf` with its lines, fonts and images.
pub fn pages(pdf: &[u8]) -> Result<Vec<Page>, InspectError> {
    check_shape(pdf)?;
    let data = pdf.to_vec();
    std::panic::catch_unwind(move || read(data)).unwrap_or(Err(InspectError::Unreadable))
}

fn read(data: Vec<u8>) -> Result<Vec<Page>, InspectError> {
    let pdf = Pdf::new(data).map_err(|_| InspectError::Unreadable)?;
    let pages = pdf.pages();
    if pages.len() > MAX_PAGES {
        return Err(InspectError::TooManyPages(pages.len()));
    }
    let cache = InterpreterCache::new();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages.iter() {
        let (width, height) = page.render_dimensions();
        let transform = page.initial_transform(true).to_kurbo();
        let mut context = Context::new(
            transform,
            Rect::new(0.0, 0.0, width as f64, height as f64),
            &cache,
            page.xref(),
            InterpreterSettings::default(),
        );
        let mut device = Collector::default();
        interpret_page(page, &mut context, &mut device);
        out.push(Page {
            width: width as f64,
            height: height as f64,
            lines: layout::lines(device.glyphs),
            fonts: fonts(&page.resources().fonts),
            images: device.images,
        });
    }
    Ok(out)
}

/// The fonts of a page's resources, with whether each carries its font program.
fn fonts(dict: &Dict<'_>) -> Vec<FontUse> {
    let mut out: Vec<FontUse> = Vec::new();
    for key in dict.keys() {
        let Some(font) = dict.get::<Dict<'_>>(key.as_ref()) else { continue };
        let base = font.get::<Name<'_>>(b"BaseFont").map(|n| n.as_str().to_owned()).unwrap_or_default();
        let name = match base.split_once('+') {
            Some((tag, rest)) if tag.len() == 6 => rest.to_owned(),
            _ => base,
        };
        let subtype = font.get::<Name<'_>>(b"Subtype").map(|n| n.as_str().to_owned()).unwrap_or_default();
        // Type 3 fonts are drawn by the file itself; Type 0 keeps its program in its descendant.
        let embedded = match subtype.as_str() {
            "Type3" => true,
            "Type0" => font
                .get::<Array<'_>>(b"DescendantFonts")
                .and_then(|a| a.iter::<Dict<'_>>().next())
                .is_some_and(|d| has_program(&d)),
            _ => has_program(&font),
        };
        let f = FontUse { name, embedded };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn has_program(font: &Dict<'_>) -> bool {
    font.get::<Dict<'_>>(b"FontDescriptor")
        .is_some_and(|d| d.contains_key(b"FontFile") || d.contains_key(b"FontFile2") || d.contains_key(b"FontFile3"))
}

/// A device that keeps glyphs with their place and counts images; draws nothing.
#[derive(Default)]
struct Collector {
    glyphs: Vec<Glyph>,
    images: usize,
}

impl<'a> Device<'a> for Collector {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}

    fn draw_glyph(
        &mut self,
        glyph: &PdfGlyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let Some(text) = glyph.as_unicode().map(|u| bf_text(&u)) else { return };
        // Glyph space (1000 units to the em) to page space, y down from the top.
        let full = transform * glyph_transform;
        let origin = full * kurbo::Point::ZERO;
        let em = full * kurbo::Point::new(0.0, 1000.0);
        let size = (em - origin).hypot();
        let (advance, bold, italic) = match glyph {
            PdfGlyph::Outline(o) => {
                let data = o.font_data();
                let name = data.as_ref().and_then(|d| d.postscript_name.clone()).unwrap_or_default().to_lowercase();
                let bold = data.as_ref().and_then(|d| d.weight).is_some_and(|w| w >= 600) || name.contains("bold");
                let italic =
                    data.as_ref().is_some_and(|d| d.is_italic) || name.contains("italic") || name.contains("oblique");
                (o.advance_width().unwrap_or(500.0) as f64, bold, italic)
            }
            PdfGlyph::Type3(_) => (500.0, false, false),
        };
        let end = full * kurbo::Point::new(advance, 0.0);
        self.glyphs.push(Glyph { text, x: origin.x, y: origin.y, width: (end - origin).hypot(), size, bold, italic });
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {
        self.images += 1;
    }
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

fn bf_text(b: &hayro_interpret::hayro_cmap::BfString) -> String {
    use hayro_interpret::hayro_cmap::BfString;
    match b {
        BfString::Char(c) => c.to_string(),
        BfString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"%PDF-1.7\n", b"not a pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"] {
            assert!(pages(bytes).is_err() || pages(bytes).is_ok_and(|p| p.is_empty()));
        }
    }

    #[test]
    fn a_file_nested_a_hundred_thousand_deep_is_refused_before_parsing() {
        let mut deep = b"%PDF-1.7\n1 0 obj\n".to_vec();
        deep.extend(std::iter::repeat_n(&b"<</A "[..], 100_000).flatten());
        deep.extend(std::iter::repeat_n(&b">>"[..], 100_000).flatten());
        deep.extend(b"\nendobj\ntrailer <</Root 1 0 R>>\n%%EOF");
        assert!(matches!(pages(&deep), Err(InspectError::TooDeep)));
        assert!(matches!(page_count(&deep), Err(InspectError::TooDeep)));
        // Brackets inside strings, comments and streams are not nesting.
        let mut shallow = b"%PDF-1.7 % [[[[\n1 0 obj (((a))) [ <3c3c> ] endobj\n2 0 obj <</Length 3>>stream\n".to_vec();
        shallow.extend(std::iter::repeat_n(b'[', 1000));
        shallow.extend(b"\nendstream endobj");
        assert!(check_shape(&shallow).is_ok());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_bytes_are_read_or_refused_without_a_crash(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
            depth in 0usize..5000,
        ) {
            let mut pdf = b"%PDF-1.7\n1 0 obj ".to_vec();
            pdf.extend(std::iter::repeat_n(&b"<</K ["[..], depth).flatten());
            pdf.extend(&bytes);
            let _ = pages(&pdf);
            let _ = page_count(&pdf);
        }
    }
}
