//! Documents to be issued: reports, plans and letters.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// One line of "Nơi nhận", standing for zero or more e-mail addresses.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Recipient {
    /// As printed, without the leading "- " and the final ";", e.g. "TT. Huyện ủy".
    #[oai(validator(max_length = 1000))]
    pub label: String,
    /// Where the issued document is e-mailed.
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_items = 20, max_length = 254))]
    pub emails: Vec<String>,
}

/// A document being drafted or issued.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct DocumentInput {
    /// The issuer.
    pub issuer_id: Uuid,
    /// The plan it reports on or assigns, if any.
    #[oai(nullable)]
    pub plan_id: Option<Uuid>,
    /// report (báo cáo), plan (kế hoạch) or letter (công văn).
    #[oai(validator(max_length = 64))]
    pub kind: String,
    /// Subject line (trích yếu), or the "V/v …" text of a letter.
    #[oai(validator(max_length = 1000))]
    pub subject: String,
    /// Legal-basis lines ("Căn cứ …;"), as printed.
    #[oai(default)]
    #[oai(validator(max_items = 50, max_length = 1000))]
    pub legal_bases: Vec<String>,
    /// Opening paragraph after the legal bases.
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    pub opening: Option<String>,
    /// Free-text parts by slot name (report: direction, results_intro, results_outro, proposals_intro).
    #[oai(default)]
    #[oai(validator(max_properties = 10, max_length = 20000))]
    pub sections: BTreeMap<String, String>,
    /// Closing sentence, ending with "./.".
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    pub closing: Option<String>,
    /// "Nơi nhận" lines; "Lưu: VT, …" last.
    #[oai(default)]
    #[oai(validator(max_items = 200))]
    pub recipients: Vec<Recipient>,
    /// "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub signer_authority: Option<String>,
    /// "CHỦ TỊCH", "PHÓ CHỦ TỊCH", …
    #[oai(validator(max_length = 300))]
    pub signer_position: String,
    /// Full name, no honorifics.
    #[oai(validator(max_length = 300))]
    pub signer_name: String,
    /// The signing user, if they have an account.
    #[oai(nullable)]
    pub signer_user_id: Option<Uuid>,
    /// Drafting unit abbreviation in a letter's symbol, e.g. "VP" in 171/UBND-VP.
    #[oai(validator(max_length = 50))]
    #[oai(nullable)]
    pub drafting_unit: Option<String>,
    /// Planned date (2000–2100); a draft prints its month and year with the day blank.
    #[oai(nullable)]
    pub dated_on: Option<super::Date>,
}

/// A stored document.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Document {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: DocumentInput,
    /// draft, submitted, approved, issued or replaced.
    pub state: String,
    /// Number assigned at issue.
    pub number: Option<i32>,
    /// Symbol, e.g. "BC-UBND" or "UBND-VP".
    pub symbol: String,
    /// When issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// SHA-256 of the frozen PDF.
    pub pdf_sha256: Option<String>,
    /// SHA-256 of the copy the signer signed digitally (before issue), if signing is on.
    pub signed_pdf_sha256: Option<String>,
    /// The document this one corrects.
    pub replaces_id: Option<Uuid>,
    /// The signer who approved it.
    pub approved_by: Option<Uuid>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// The signer's comment when it was sent back.
    pub review_comment: Option<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}
