//! Digital signatures on PDFs: PAdES baseline (`ETSI.CAdES.detached`, SHA-256),
//! each added as an incremental update so earlier signatures stay intact.
//!
//! Signing is three steps, so a key that never leaves a USB token or a remote
//! signing service can take part: [`prepare`] appends the signature field with
//! a placeholder and returns the digest of the signed byte ranges; an external
//! party (or [`keys::SigningKey`] here) makes the CMS signature; [`finalize`]
//! embeds it. [`verify`] lists every signature of a file and what holds of it.

pub mod appearance;
pub mod cms;
pub mod der;
pub mod keys;
pub mod pdf;
pub mod tsa;

use std::ops::Range;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use self::appearance::Face;
use self::pdf::{Dict, Document, Obj, Update, name, text};

/// Bytes reserved for the CMS signature: a 4096-bit key with a chain of three
/// 4096-bit certificates needs about 6 KiB, a timestamp token with its authority's
/// chain up to 6 more.
const CONTENTS_CAPACITY: usize = 16 * 1024;
const BYTE_RANGE_PLACEHOLDER: &str = "[0 ********** ********** **********]";

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("{0}")]
    Key(#[from] keys::KeyError),
    #[error("{0}")]
    Cms(#[from] cms::CmsError),
    #[error("{0}")]
    Timestamp(#[from] tsa::TsaError),
    #[error("Chữ ký không khớp với văn bản đã chuẩn bị / the signature does not match the prepared document: {0}")]
    Mismatch(String),
    #[error("{0}")]
    Internal(String),
}

/// `2024-12-20T09:15:30+07:00`: a time as printed and shown in Vietnam.
pub fn iso_vn(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// PDF date string: `D:20241220091530+07'00'`.
fn pdf_date(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("D:%Y%m%d%H%M%S+07'00'").to_string()
}

/// Text set into the page with the signature (a number in a blank, a date, the attachment line).
#[derive(Debug, Clone)]
pub struct Stamp {
    /// Page index, from 0.
    pub page: usize,
    /// Left edge and baseline, in points from the page's top-left corner.
    pub x: f64,
    pub baseline: f64,
    /// Width of the blank; the text is centred in it (0: left-aligned at `x`).
    pub width: f64,
    /// Set the text flush right in the blank instead (a number before "/BC-…").
    pub flush_right: bool,
    pub size: f64,
    pub face: Face,
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
    pub reason: String,
    pub location: String,
    pub time: DateTime<Utc>,
    pub widget: Widget,
    pub stamps: Vec<Stamp>,
}

/// A file with a signature placeholder, waiting for its CMS signature.
#[derive(Debug, Clone)]
pub struct Prepared {
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

/// What a verifier says about one signature.
#[derive(Debug, Clone, Serialize, serde::Deserialize, poem_openapi::Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct SignatureReport {
    /// Field name.
    pub field: String,
    /// The signer (certificate common name).
    pub signer: String,
    /// The certificate's issuer (common name).
    pub issuer: String,
    /// Certificate validity, ISO 8601 with +07:00.
    pub valid_from: String,
    pub valid_to: String,
    /// Signing time from the signature, ISO 8601 with +07:00, if it carries one.
    pub signing_time: Option<String>,
    /// Reason and location, as the signer wrote them.
    pub reason: Option<String>,
    pub location: Option<String>,
    /// The signed bytes are unchanged and the signature verifies with the certificate.
    pub intact: bool,
    /// The signature covers the whole file (nothing was appended after it).
    pub covers_whole_file: bool,
    /// The certificate was valid at the signing time.
    pub certificate_valid_at_signing: bool,
    /// The certificate chains to a certificate of the trust store.
    pub trusted: bool,
    /// When a timestamp authority stamped the signature (RFC 3161), ISO 8601 with
    /// +07:00, if it carries a timestamp that holds.
    pub timestamp: Option<String>,
    /// The timestamp authority (its certificate's common name).
    pub timestamp_authority: Option<String>,
    /// Why not intact, if not.
    pub problem: Option<String>,
}

fn int_list(o: Option<&Obj>) -> Option<Vec<usize>> {
    match o {
        Some(Obj::Array(a)) => a.iter().map(|x| x.as_int().filter(|v| *v >= 0).map(|v| v as usize)).collect(),
        _ => None,
    }
}

/// The most signatures read from one file. Real documents carry a handful; a file made
/// to look like thousands costs no more than this many.
pub const MAX_SIGNATURES: usize = 16;
/// The largest signature value read, in hex digits: a CMS with its certificate chain,
/// timestamp and revocation data fits many times over.
const MAX_CONTENTS: usize = 4 << 20;

/// Every signature in `bytes`, oldest first, at most [`MAX_SIGNATURES`]. Finds signature
/// dictionaries by their /ByteRange, so it also reads files whose structure the signer
/// cannot. One pass over the file: the dictionaries open at each point are kept on a
/// bounded stack and each is parsed at most once, so the time is linear in the size
/// whatever the bytes are.
pub fn verify(bytes: &[u8], trust: &keys::TrustStore) -> Vec<SignatureReport> {
    const NEEDLE: &[u8] = b"/ByteRange";
    // Deeper than any signature dictionary sits; the oldest opening is dropped beyond it.
    const OPEN_DEPTH: usize = 8;
    let mut out = Vec::new();
    let mut open: Vec<usize> = Vec::with_capacity(OPEN_DEPTH);
    let mut parsed = std::collections::HashSet::new();
    let mut names = std::collections::HashMap::new();
    // Bytes the parser may read in all. Real signature dictionaries do not overlap, so
    // reading them all reads the file at most once; twice is room enough, and a file
    // that needs more (lookalikes nested in each other) is not read any further.
    let mut budget = bytes.len().saturating_mul(2).saturating_add(1 << 16);
    let mut i = 0;
    'scan: while i < bytes.len() && out.len() < MAX_SIGNATURES {
        match bytes[i] {
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                if open.len() == OPEN_DEPTH {
                    open.remove(0);
                }
                open.push(i);
                i += 2;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                open.pop();
                i += 2;
            }
            b'e' if bytes[i..].starts_with(b"endobj") => {
                open.clear();
                i += 6;
            }
            b'/' if bytes[i..].starts_with(NEEDLE) => {
                // The innermost open dictionary that holds a /ByteRange is the signature's.
                for &at in open.iter().rev() {
                    if !parsed.insert(at) {
                        continue;
                    }
                    // A signature dictionary nests a few levels at most (/Prop_Build,
                    // /Reference); a deeper one is not a signature.
                    let mut parser = pdf::Parser::shallow(bytes, at, 4);
                    let dict = parser.object();
                    budget = budget.saturating_sub(parser.pos.saturating_sub(at));
                    if budget == 0 {
                        break 'scan;
                    }
                    if let Ok(Obj::Dict(d)) = dict
                        && d.get("ByteRange").is_some()
                    {
                        out.push(report(bytes, &d, trust, field_name(bytes, at, &mut names)));
                        break;
                    }
                }
                i += NEEDLE.len();
            }
            _ => i += 1,
        }
    }
    out
}

/// The /T of the field whose /V points at the signature object starting before `open`,
/// looked up once per object number.
fn field_name(bytes: &[u8], open: usize, names: &mut std::collections::HashMap<u32, String>) -> String {
    let head_start = memchr::memmem::rfind(&bytes[..open], b"obj").unwrap_or(0);
    let line_start = bytes[..head_start].iter().rposition(|c| *c == b'\n' || *c == b'\r').map(|i| i + 1).unwrap_or(0);
    let header = String::from_utf8_lossy(&bytes[line_start..head_start]);
    let num = header.split_whitespace().next().and_then(|n| n.parse::<u32>().ok());
    match num {
        Some(num) => names.entry(num).or_insert_with(|| field_of(bytes, num)).clone(),
        None => String::new(),
    }
}

fn field_of(bytes: &[u8], num: u32) -> String {
    let target = format!("/V {num} 0 R");
    if let Some(pos) = memchr::memmem::rfind(bytes, target.as_bytes())
        && let Some(open) = memchr::memmem::rfind(&bytes[..pos], b"<<")
        && let Ok(Obj::Dict(f)) = pdf::Parser::new(bytes, open).object()
        && let Some(Obj::Str(t)) = f.get("T")
    {
        return pdf::decode_text(t);
    }
    format!("Signature {num}")
}

fn report(bytes: &[u8], d: &Dict, trust: &keys::TrustStore, field: String) -> SignatureReport {
    let text_of = |k: &str| d.get(k).and_then(Obj::as_str).map(pdf::decode_text);
    let mut r = SignatureReport {
        field,
        signer: text_of("Name").unwrap_or_default(),
        issuer: String::new(),
        valid_from: String::new(),
        valid_to: String::new(),
        signing_time: None,
        reason: text_of("Reason"),
        location: text_of("Location"),
        intact: false,
        covers_whole_file: false,
        certificate_valid_at_signing: false,
        trusted: false,
        timestamp: None,
        timestamp_authority: None,
        problem: None,
    };
    let ranges = int_list(d.get("ByteRange")).filter(|v| v.len() == 4);
    let Some(br) = ranges else {
        r.problem = Some("bad /ByteRange".into());
        return r;
    };
    let (a0, a1, b0, b1) = (br[0], br[1], br[2], br[3]);
    let ok = a0 == 0 && a0 + a1 <= b0 && b0.checked_add(b1).is_some_and(|e| e <= bytes.len());
    if !ok {
        r.problem = Some("/ByteRange outside the file".into());
        return r;
    }
    r.covers_whole_file = b0 + b1 == bytes.len();
    let part1 = &bytes[a0..a0 + a1];
    let part2 = &bytes[b0..b0 + b1];
    // The signature value is the bytes between the ranges: "<hex>", of a bounded size.
    let gap = &bytes[a0 + a1..b0];
    if gap.len() > MAX_CONTENTS {
        r.problem = Some("/Contents too large".into());
        return r;
    }
    let hex_digits: Vec<u8> = gap.iter().copied().filter(|c| c.is_ascii_hexdigit()).collect::<Vec<_>>();
    let Ok(der) = hex::decode(if hex_digits.len().is_multiple_of(2) {
        &hex_digits[..]
    } else {
        &hex_digits[..hex_digits.len() - 1]
    }) else {
        r.problem = Some("unreadable /Contents".into());
        return r;
    };
    match cms::check(&der, |oid| cms::digest_with(oid, &[part1, part2])) {
        Ok(c) => {
            r.signer = cms::common_name(&c.signer.tbs_certificate.subject);
            r.issuer = cms::common_name(&c.signer.tbs_certificate.issuer);
            let (from, to) = cms::validity(&c.signer);
            r.valid_from = iso_vn(from);
            r.valid_to = iso_vn(to);
            r.signing_time = c.signing_time.map(iso_vn);
            let at = c.signing_time.unwrap_or_else(Utc::now);
            r.certificate_valid_at_signing = from <= at && at <= to;
            r.trusted = trust.trusts(&c.signer, &c.certificates);
            r.intact = c.digest_matches && c.signature_valid;
            if let Some(t) = &c.timestamp {
                r.timestamp_authority = Some(t.authority.clone());
                if t.valid {
                    r.timestamp = Some(iso_vn(t.time));
                }
            }
            if !c.digest_matches {
                r.problem = Some("Văn bản đã bị thay đổi sau khi ký / the document changed after signing".into());
            } else if !c.signature_valid {
                r.problem = Some("Chữ ký không hợp lệ / the signature does not verify".into());
            } else if c.timestamp.as_ref().is_some_and(|t| !t.valid) {
                r.problem = Some("Dấu thời gian không khớp chữ ký / the timestamp does not match the signature".into());
            }
        }
        Err(e) => r.problem = Some(e.to_string()),
    }
    r
}
