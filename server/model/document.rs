//! Documents to be issued: reports, plans and letters.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// One line of "Nơi nhận", standing for zero or more e-mail addresses.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
pub struct Recipient {
    /// As printed, without the leading "- " and the final ";", e.g. "TT. Huyện ủy".
    pub label: String,
    /// Where the issued document is e-mailed.
    #[oai(default)]
    #[serde(default)]
    pub emails: Vec<String>,
}

/// A document being drafted or issued.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct DocumentInput {
    /// The issuer.
    pub issuer_id: Uuid,
    /// The plan it reports on or assigns, if any.
    pub plan_id: Option<Uuid>,
    /// report (báo cáo), plan (kế hoạch) or letter (công văn).
    pub kind: String,
    /// Subject line (trích yếu), or the "V/v …" text of a letter.
    pub subject: String,
    /// Legal-basis lines ("Căn cứ …;"), as printed.
    #[oai(default)]
    pub legal_bases: Vec<String>,
    /// Opening paragraph after the legal bases.
    pub opening: Option<String>,
    /// Free-text parts by slot name (report: direction, results_intro, results_outro, proposals_intro).
    #[oai(default)]
    pub sections: BTreeMap<String, String>,
    /// Closing sentence, ending with "./.".
    pub closing: Option<String>,
    /// "Nơi nhận" lines; "Lưu: VT, …" last.
    #[oai(default)]
    pub recipients: Vec<Recipient>,
    /// "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …
    pub signer_authority: Option<String>,
    /// "CHỦ TỊCH", "PHÓ CHỦ TỊCH", …
    pub signer_position: String,
    /// Full name, no honorifics.
    pub signer_name: String,
    /// The signing user, if they have an account.
    pub signer_user_id: Option<Uuid>,
    /// Drafting unit abbreviation in a letter's symbol, e.g. "VP" in 171/UBND-VP.
    pub drafting_unit: Option<String>,
    /// Planned date; a draft prints its month and year with the day blank.
    pub dated_on: Option<NaiveDate>,
}

/// A stored document.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
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
