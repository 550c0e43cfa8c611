//! Digital signatures on PDFs: PAdES baseline (`ETSI.CAdES.detached`, SHA-256),
//! each added as an incremental update so earlier signatures stay intact.
//!
//! Signing is three steps, so a key that never leaves a USB token or a remote
//! signing service can take part: [`prepare`] appends the signature field with
//! a placeholder and returns the digest of the signed byte ranges; an external
//! party (or [`keys::SigningKey`] here) makes the CMS signature; [`finalize`]
//! embeds it. [`verify`] lists every signature of a file and what holds of it.
//!
//! The verifier is in `verifier`, the time formats in `time`; their items are
//! re-exported here.
//!
//! Signing is on with `[signing] enabled`. CMS is RustCrypto (`cms`, `x509-cert`, `rsa`),
//! PKCS#12 `p12-keystore`.

pub mod appearance;
pub mod cms;
pub mod der;
pub mod keys;
pub mod pdf;
pub mod pdf_read;
pub mod pdf_syntax;
pub mod pdf_write;
pub mod time;
pub mod tsa;
pub mod verifier;

use std::ops::Range;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use self::appearance::Face;
use self::pdf::{Dict, Document, Obj, Update, name, text};
pub use self::time::iso_vn;
use self::time::pdf_date;
pub use self::verifier::{MAX_SIGNATURES, SignatureReport, verify};

/// Bytes reserved for the CMS signature: a 4096-bit key with a chain of three
/// 4096-bit certificates needs about 6 KiB, a timestamp token with its authority's
/// chain up to 6 more.
const CONTENTS_CAPACITY: usize = 16 * 1024;
const BYTE_RANGE_PLACEHOLDER: &str = "[0 ********** ********** **********]";

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The file could not be read as a PDF.
    #[error("{0}")]
    Pdf(#[from] pdf::PdfError),
    /// The key could not be used.
    #[error("{0}")]
    Key(#[from] keys::KeyError),
    /// The CMS signature could not be made.
    #[error("{0}")]
    Cms(#[from] cms::CmsError),
    /// The timestamp authority gave no timestamp.
    #[error("{0}")]
    Timestamp(#[from] tsa::TsaError),
    /// The signature given to [`finalize`] does not fit the prepared file.
    #[error("Chữ ký không khớp với văn bản đã chuẩn bị / the signature does not match the prepared document: {0}")]
    Mismatch(String),
    /// Anything else: no such page, no glyph, the field name taken, a font or image that does not embed.
    #[error("{0}")]
    Internal(String),
}

/// Text set into the page with the signature (a number in a blank, a date, the attachment line).
#[derive(Debug, Clone)]
pub struct Stamp {
    /// Page index, from 0.
    pub page: usize,
    /// Left edge, in points from the page's left edge.
    pub x: f64,
    /// Baseline, in points from the page's top edge.
    pub baseline: f64,
    /// Width of the blank; the text is centred in it (0: left-aligned at `x`).
    pub width: f64,
    /// Set the text flush right in the blank instead (a number before "/BC-…").
    pub flush_right: bool,
    /// Font size, in points.
    pub size: f64,
    /// The face it is set in.
    pub face: Face,
    /// What is set.
    pub text: String,
}

/// Where the signature's widget sits and what it shows.
#[derive(Debug, Clone, Default)]
pub struct Widget {
    /// Page index, from 0.
    pub page: usize,
    /// Left, top, width, height in points from the page's top-left corner; `None`: invisible.
    pub rect: Option<[f64; 4]>,
    /// A PNG drawn to fill the rectangle (the seal).
    pub image: Option<Vec<u8>>,
}

/// One signature to add.
#[derive(Debug, Clone)]
pub struct Request {
    /// Field name, unique in the file, e.g. "Signer" or "Issuer".
    pub field: String,
    /// The signer's name as shown by viewers.
    pub name: String,
    /// Why it is signed (/Reason; left out when empty).
    pub reason: String,
    /// Where it is signed (/Location; left out when empty).
    pub location: String,
    /// The signing time, written to /M (and into the CMS signature when signed here).
    pub time: DateTime<Utc>,
    /// The signature's widget.
    pub widget: Widget,
    /// Text set into the page along with the signature.
    pub stamps: Vec<Stamp>,
}

/// A file with a signature placeholder, waiting for its CMS signature.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The file with the signature field appended, /Contents a placeholder of zeros.
    pub pdf: Vec<u8>,
    /// Where the hex `<…>` of /Contents sits.
    pub contents: Range<usize>,
    /// SHA-256 of everything but the /Contents string: what the signature covers.
    pub digest: [u8; 32],
}

fn page_height(doc: &Document, page: &Dict) -> f64 {
    let mb = match page.get("MediaBox") {
        Some(o) => doc.resolve(o).ok(),
        None => None,
    };
    match mb {
        Some(Obj::Array(a)) if a.len() == 4 => a[3].as_f64().unwrap_or(842.0) - a[1].as_f64().unwrap_or(0.0),
        _ => 842.0,
    }
}

fn rect(x: f64, y_top: f64, w: f64, h: f64, height: f64) -> Obj {
    let bottom = height - y_top - h;
    Obj::Array(vec![Obj::Real(x), Obj::Real(bottom), Obj::Real(x + w), Obj::Real(bottom + h)])
}

/// Appends the signature field, its appearance and stamps, with room for the signature.
pub fn prepare(original: &[u8], req: &Request) -> Result<Prepared, SignError> {
    let doc = Document::parse(original)?;
    let (catalog_num, mut catalog) = doc.catalog()?;
    let pages = doc.pages()?;
    let page_of = |i: usize| pages.get(i).ok_or_else(|| SignError::Internal(format!("no page {}", i + 1)));
    let mut up = Update::new(&doc);
    let mut annots_by_page: std::collections::BTreeMap<usize, Vec<Obj>> = Default::default();

    // Stamped text: one font per face, one annotation per stamp.
    let mut fonts = std::collections::BTreeMap::new();
    for face in [Face::Regular, Face::Italic] {
        let all: String = req.stamps.iter().filter(|s| s.face == face).map(|s| s.text.as_str()).collect();
        if !all.is_empty() {
            fonts.insert(face, appearance::embed_font(&mut up, face, &all)?);
        }
    }
    for s in &req.stamps {
        let (pnum, page) = page_of(s.page)?;
        let height = page_height(&doc, page);
        let font = &fonts[&s.face];
        let (hex, tw) = font.encode(&s.text, s.size);
        let w = if s.width > 0.0 { s.width.max(tw) } else { tw };
        let asc = font.ascent * s.size;
        let desc = -font.descent * s.size;
        let h = asc + desc;
        let x = match (s.width > 0.0, s.flush_right) {
            (false, _) => s.x,
            (true, true) => s.x + s.width - tw,
            (true, false) => s.x + (s.width - tw) / 2.0,
        };
        let mut res = Dict::default();
        let mut f = Dict::default();
        f.set("F1", Obj::Ref(font.object, 0));
        res.set("Font", Obj::Dict(f));
        let content = format!("BT /F1 {:.2} Tf 0 g 0 {desc:.3} Td {hex} Tj ET", s.size);
        let _ = w;
        let ap = appearance::form(&mut up, tw, h, res, &content);
        let n = up.reserve();
        let mut a = Dict::default();
        a.set("Type", name("Annot"));
        a.set("Subtype", name("FreeText"));
        a.set("Rect", rect(x, s.baseline - asc, tw, h, height));
        a.set("Contents", text(&s.text));
        a.set("DA", Obj::Str(format!("/F1 {:.1} Tf 0 g", s.size).into_bytes()));
        a.set("F", Obj::Int(4 | 128));
        a.set("P", Obj::Ref(*pnum, 0));
        a.set("BS", Obj::Dict(Dict(vec![(b"W".to_vec(), Obj::Int(0))])));
        let mut apd = Dict::default();
        apd.set("N", Obj::Ref(ap, 0));
        a.set("AP", Obj::Dict(apd));
        up.put_obj(n, &Obj::Dict(a));
        annots_by_page.entry(s.page).or_default().push(Obj::Ref(n, 0));
    }

    // The signature dictionary, with placeholders patched below.
    let sig = up.reserve();
    let mut sd = Vec::new();
    sd.extend_from_slice(b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ");
    sd.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
    sd.extend_from_slice(b" /Contents <");
    sd.extend(std::iter::repeat_n(b'0', CONTENTS_CAPACITY * 2));
    sd.extend_from_slice(b"> /M ");
    pdf::write_obj(&mut sd, &Obj::Str(pdf_date(req.time).into_bytes()));
    for (k, v) in [("Name", &req.name), ("Reason", &req.reason), ("Location", &req.location)] {
        if !v.is_empty() {
            sd.extend_from_slice(format!(" /{k} ").as_bytes());
            pdf::write_obj(&mut sd, &text(v));
        }
    }
    sd.extend_from_slice(b">>");
    up.put(sig, sd);

    // The field and its widget (one dictionary).
    let (wpage_num, wpage) = page_of(req.widget.page)?;
    let wheight = page_height(&doc, wpage);
    let field = up.reserve();
    let mut fd = Dict::default();
    fd.set("Type", name("Annot"));
    fd.set("Subtype", name("Widget"));
    fd.set("FT", name("Sig"));
    fd.set("T", text(&req.field));
    fd.set("V", Obj::Ref(sig, 0));
    fd.set("F", Obj::Int(4 | 128));
    fd.set("P", Obj::Ref(*wpage_num, 0));
    match req.widget.rect {
        Some([x, y, w, h]) => {
            fd.set("Rect", rect(x, y, w, h, wheight));
            let (res, content) = match &req.widget.image {
                Some(png) => {
                    let (img, _, _) = appearance::embed_png(&mut up, png)?;
                    let mut xo = Dict::default();
                    xo.set("Im1", Obj::Ref(img, 0));
                    let mut res = Dict::default();
                    res.set("XObject", Obj::Dict(xo));
                    (res, format!("q {w:.3} 0 0 {h:.3} 0 0 cm /Im1 Do Q"))
                }
                None => (Dict::default(), String::new()),
            };
            let ap = appearance::form(&mut up, w, h, res, &content);
            let mut apd = Dict::default();
            apd.set("N", Obj::Ref(ap, 0));
            fd.set("AP", Obj::Dict(apd));
        }
        None => fd.set("Rect", Obj::Array(vec![Obj::Int(0); 4])),
    }
    up.put_obj(field, &Obj::Dict(fd));
    annots_by_page.entry(req.widget.page).or_default().push(Obj::Ref(field, 0));

    // The form: earlier signature fields kept, this one added.
    let mut fields = Vec::new();
    if let Some(af) = catalog.get("AcroForm") {
        if let Obj::Dict(af) = doc.resolve(af)?
            && let Some(f) = af.get("Fields")
            && let Obj::Array(items) = doc.resolve(f)?
        {
            fields = items;
        }
        if fields.iter().any(|f| {
            matches!(f, Obj::Ref(n, _) if doc.get(*n).ok().and_then(|o| o.as_dict().and_then(|d| d.get("T").cloned())) == Some(text(&req.field)))
        }) {
            return Err(SignError::Internal(format!("the file already has a signature field {}", req.field)));
        }
    }
    fields.push(Obj::Ref(field, 0));
    let acroform = up.reserve();
    let mut af = Dict::default();
    af.set("Fields", Obj::Array(fields));
    af.set("SigFlags", Obj::Int(3));
    up.put_obj(acroform, &Obj::Dict(af));
    catalog.set("AcroForm", Obj::Ref(acroform, 0));
    up.put_obj(catalog_num, &Obj::Dict(catalog));

    for (i, new) in annots_by_page {
        let (pnum, page) = page_of(i)?;
        let mut page = page.clone();
        let mut annots = match page.get("Annots") {
            Some(o) => match doc.resolve(o)? {
                Obj::Array(a) => a,
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        annots.extend(new);
        page.set("Annots", Obj::Array(annots));
        up.put_obj(*pnum, &Obj::Dict(page));
    }

    let (mut out, at) = up.finish();
    let start = at[&sig];
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let br = start
        + find(&out[start..], BYTE_RANGE_PLACEHOLDER.as_bytes())
            .ok_or_else(|| SignError::Internal("byte range".into()))?;
    let c0 = start + find(&out[start..], b"/Contents <").ok_or_else(|| SignError::Internal("contents".into()))? + 10;
    let c1 = c0 + CONTENTS_CAPACITY * 2 + 2;
    let ranges = format!("[0 {} {} {}]", c0, c1, out.len() - c1);
    let padded = format!("{ranges:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    out[br..br + padded.len()].copy_from_slice(padded.as_bytes());
    let mut h = Sha256::new();
    h.update(&out[..c0]);
    h.update(&out[c1..]);
    Ok(Prepared { pdf: out, contents: c0..c1, digest: h.finalize().into() })
}

/// Embeds a CMS signature (DER) into a prepared file, after checking it signs that file.
pub fn finalize(mut p: Prepared, signature: &[u8]) -> Result<Vec<u8>, SignError> {
    if signature.len() > CONTENTS_CAPACITY {
        return Err(SignError::Mismatch(format!("{} bytes, at most {CONTENTS_CAPACITY}", signature.len())));
    }
    let checked =
        cms::check(signature, |oid| cms::digest_with(oid, &[&p.pdf[..p.contents.start], &p.pdf[p.contents.end..]]))?;
    if !checked.digest_matches {
        return Err(SignError::Mismatch("message digest".into()));
    }
    if !checked.signature_valid {
        return Err(SignError::Mismatch("the signature does not verify with its certificate".into()));
    }
    let hex = hex::encode_upper(signature);
    let at = p.contents.start + 1;
    p.pdf[at..at + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(p.pdf)
}

/// Signs with a software key, all three steps at once; with `tsa`, the signature
/// carries its timestamp.
pub fn sign(
    original: &[u8],
    req: &Request,
    key: &keys::SigningKey,
    tsa: Option<&tsa::Tsa>,
) -> Result<Vec<u8>, SignError> {
    let p = prepare(original, req)?;
    let cms = cms::sign(&p.digest, &key.key, &key.chain, req.time)?;
    finalize(p, &timestamped(&cms, tsa)?)
}

/// `cms` with an RFC 3161 timestamp from `tsa` over its signature value (PAdES
/// B-T); `cms` unchanged without one.
pub fn timestamped(cms: &[u8], tsa: Option<&tsa::Tsa>) -> Result<Vec<u8>, SignError> {
    let Some(tsa) = tsa else { return Ok(cms.to_vec()) };
    let token = tsa.stamp(&cms::signature_value(cms)?)?;
    Ok(cms::with_timestamp(cms, &token)?)
}
