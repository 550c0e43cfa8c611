//! The verifier: every signature of a file found in one linear pass over its bytes
//! (even where its structure cannot be read), and what holds of each: the signed
//! bytes unchanged, the certificate's validity and trust, the timestamp.
//!
//! Signatures are found by `/ByteRange` in one pass with a bounded stack of open
//! dictionaries, each parsed once, at most [`MAX_SIGNATURES`] (16) per file, so any bytes
//! cost time linear in their size.

use chrono::Utc;
use serde::Serialize;

use super::pdf::{Dict, Obj};
use super::time::iso_vn;
use super::{cms, keys, pdf};

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
    /// Start of the certificate's validity, ISO 8601 with +07:00.
    pub valid_from: String,
    /// End of the certificate's validity, ISO 8601 with +07:00.
    pub valid_to: String,
    /// Signing time from the signature, ISO 8601 with +07:00, if it carries one.
    pub signing_time: Option<String>,
    /// Reason, as the signer wrote it.
    pub reason: Option<String>,
    /// Location, as the signer wrote it.
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
