//! The agency's signature at issue: the issuer's key, the blanks filled with the
//! number and date, the seal placed over the signer's signature; and the agency's
//! signature on a separately attached file.
//!
//! Issuing appends one incremental update: the number and date as text annotations in a
//! subset of the bundled font, the seal as the agency signature's appearance over the
//! signature's left part, and the agency's signature — the signer's stays intact.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::services::signature_keys::{
    ISSUER_REASON, ISSUING_BODY, MM, SEAL_WIDTH, SIGNATURE_BOX, Signing, blocking, holder_name, issuer_names,
    key_error, layout_of, sign_error,
};
use crate::signing::appearance::Face;
use crate::signing::keys::{Holder, SigningKey};
use crate::signing::tsa::Tsa;
use crate::signing::{self, Request, SignError, Stamp, Widget};
use crate::storage::queries::key_in_use;
use crate::storage::{Conn, issuers, signing_keys};

/// The issuer's key, checked before anything is numbered or frozen.
pub(crate) async fn issuer_key(
    c: &impl Conn,
    signing: &Signing,
    issuer: &issuers::Model,
    now: DateTime<Utc>,
) -> Result<SigningKey> {
    let stored = key_in_use(c, issuer.id, None).await?;
    let (signing, code, names) = (signing.clone(), issuer.code.clone(), issuer_names(issuer));
    blocking(move || {
        let holder = Some((ISSUING_BODY, names.as_slice()));
        signing.load_key(Holder::Issuer(&code), now, holder, stored.as_ref())
    })
    .await?
    .map_err(key_error)
}

/// What issuing stamps on the signed copy: the number and the date in their blanks,
/// and the seal over the signer's signature, where the copy's layout placed them.
pub(crate) struct Registration<'a> {
    /// The document's number.
    pub number: i32,
    /// Its date.
    pub date: NaiveDate,
    /// Where the blanks and the signature box are on the signed copy.
    pub layout: Option<&'a serde_json::Value>,
    /// The issuer's seal (PNG).
    pub seal: Option<Vec<u8>>,
}

/// The agency's signature over `base`: blanks filled with the number and date, the seal over the signature.
pub(crate) async fn agency_sign(
    base: Vec<u8>,
    registration: Registration<'_>,
    issuer: &issuers::Model,
    key: SigningKey,
    tsa: Option<Tsa>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let Registration { number, date, layout, seal } = registration;
    let places = layout_of(layout);
    let mut stamps = Vec::new();
    for p in &places {
        let Some(text) = crate::domain::print::slot_text(&p.label, number, date) else { continue };
        let (width, size, face) = match p.label.as_str() {
            // The blanks' widths in templates/documents/frame.typ.
            "slot-number" => (22.0, 13.0, Face::Regular),
            "slot-day" | "slot-month" => (14.0, 13.0, Face::Italic),
            "slot-year" => (28.0, 13.0, Face::Italic),
            "slot-cnumber" => (22.0, 14.0, Face::Italic),
            _ => (66.0, 14.0, Face::Italic),
        };
        let flush_right = p.label.ends_with("number");
        stamps.push(Stamp { page: p.page, x: p.x, baseline: p.y, width, size, face, text, flush_right });
    }
    let widget = match (places.iter().find(|p| p.label == "signature-box"), seal) {
        (Some(b), Some(png)) => {
            let (w, h) = image_size(&png).unwrap_or((1, 1));
            let seal_h = SEAL_WIDTH * h as f64 / w.max(1) as f64;
            // The mark is the box's top-left corner; the seal is centred vertically.
            let top = b.y + (SIGNATURE_BOX.1 - seal_h) / 2.0;
            Widget { page: b.page, rect: Some([b.x, top, SEAL_WIDTH, seal_h]), image: Some(png) }
        }
        (Some(b), None) => Widget { page: b.page, rect: None, image: None },
        _ => Widget::default(),
    };
    let req = Request {
        field: "CoQuanBanHanh".into(),
        name: holder_name(&key),
        reason: ISSUER_REASON.into(),
        location: issuer.place_name.clone(),
        time: now,
        widget,
        stamps,
    };
    blocking(move || signing::sign(&base, &req, &key, tsa.as_ref())).await?.map_err(sign_error)
}

/// The agency's signature on a separately attached file: no image, the number and
/// symbol and the signing time (ISO 8601, +07:00) in 10 pt at the top right of page 1,
/// flush with the right margin (15 mm).
pub fn attachment_request(
    reference: &str,
    location: &str,
    key: &SigningKey,
    now: DateTime<Utc>,
    page_width: f64,
) -> Request {
    let box_width = 300.0;
    let stamp = Stamp {
        page: 0,
        x: page_width - 15.0 * MM - box_width,
        baseline: 12.0 * MM,
        width: box_width,
        flush_right: true,
        size: 10.0,
        face: Face::Regular,
        text: format!("{} {}", reference.trim(), signing::iso_vn(now)),
    };
    Request {
        field: "CoQuanBanHanh".into(),
        name: holder_name(key),
        reason: ISSUER_REASON.into(),
        location: location.to_owned(),
        time: now,
        widget: Widget::default(),
        stamps: vec![stamp],
    }
}

/// A separately attached file to sign, and what its signature says.
pub struct Attachment<'a> {
    /// The issuer whose key signs.
    pub issuer_code: &'a str,
    /// The document it belongs to, by its number and symbol (e.g. "280/BC-UBND").
    pub reference: &'a str,
    /// Where it is signed.
    pub location: &'a str,
    /// The PDF.
    pub pdf: &'a [u8],
}

/// Signs a separately attached file with the issuer's key (`nhiemvu sign-attachment`):
/// the imported one in use (`stored`), else its file; given the body's `names`, its
/// certificate must carry one of them.
pub fn sign_attachment(
    signing: &Signing,
    stored: Option<&signing_keys::Model>,
    names: Option<&[String]>,
    file: Attachment<'_>,
    now: DateTime<Utc>,
) -> std::result::Result<Vec<u8>, SignError> {
    let Attachment { issuer_code, reference, location, pdf } = file;
    let holder = names.map(|n| (ISSUING_BODY, n));
    let key = signing.load_key(Holder::Issuer(issuer_code), now, holder, stored)?;
    let doc = signing::pdf::Document::parse(pdf)?;
    let width = doc
        .pages()?
        .first()
        .and_then(|(_, p)| match p.get("MediaBox") {
            Some(signing::pdf::Obj::Array(a)) if a.len() == 4 => Some(a[2].as_f64()? - a[0].as_f64()?),
            _ => None,
        })
        .unwrap_or(595.0);
    let req = attachment_request(reference, location, &key, now, width);
    signing::sign(pdf, &req, &key, signing.tsa.as_ref())
}

fn image_size(png: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png).into_dimensions().ok()
}
