//! Documents to be issued: reports, plans and letters.

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

/// In whose place a document's signer signs (Nghị định 30/2020, Điều 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, poem_openapi::Enum, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SignerAuthority {
    /// In their own right (no KT./Q./TL./TUQ. line).
    #[default]
    Own,
    /// "KT.": a deputy signs for the head.
    Kt,
    /// "Q.": the acting head.
    Q,
    /// "TL.": by order of the head.
    Tl,
    /// "TUQ.": by the head's written authorisation.
    Tuq,
}

impl From<SignerAuthority> for crate::domain::signer::Authority {
    fn from(a: SignerAuthority) -> Self {
        use crate::domain::signer::Authority;
        match a {
            SignerAuthority::Own => Authority::Own,
            SignerAuthority::Kt => Authority::Kt,
            SignerAuthority::Q => Authority::Q,
            SignerAuthority::Tl => Authority::Tl,
            SignerAuthority::Tuq => Authority::Tuq,
        }
    }
}

impl From<crate::domain::signer::Authority> for SignerAuthority {
    fn from(a: crate::domain::signer::Authority) -> Self {
        use crate::domain::signer::Authority;
        match a {
            Authority::Own => SignerAuthority::Own,
            Authority::Kt => SignerAuthority::Kt,
            Authority::Q => SignerAuthority::Q,
            Authority::Tl => SignerAuthority::Tl,
            Authority::Tuq => SignerAuthority::Tuq,
        }
    }
}

/// The free-text parts of a document, by where they print. Each is restricted
/// Markdown; an omitted part prints nothing (or, where said, a default).
#[derive(Debug, Clone, Default, PartialEq, Object, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct DocumentSections {
    /// Report: section "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH" (how the year was directed);
    /// omitted: no such section.
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Report: paragraphs after the computed summary that opens "II. KẾT QUẢ THỰC HIỆN",
    /// e.g. "Tiến độ, kết quả thực hiện (tính đến thời điểm báo cáo), như sau:".
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_intro: Option<String>,
    /// Report: paragraphs closing section II, e.g. "(Có các minh chứng kèm theo).".
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_outro: Option<String>,
    /// Report: the opening of the proposals section ("ĐỀ XUẤT NHIỆM VỤ NĂM …").
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposals_intro: Option<String>,
    /// Report: the note after the heading of the communes' own tasks; omitted: "(Có
    /// biểu chi tiết kèm theo)." whenever that appendix is printed.
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune_specific_note: Option<String>,
    /// Assignment plan (kế hoạch): paragraphs before the table of tasks.
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// Letter (công văn): the body before the list of late tasks.
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl DocumentSections {
    /// Every part with its slot name, set or not.
    pub fn slots(&self) -> [(&'static str, Option<&str>); 7] {
        [
            ("direction", self.direction.as_deref()),
            ("results_intro", self.results_intro.as_deref()),
            ("results_outro", self.results_outro.as_deref()),
            ("proposals_intro", self.proposals_intro.as_deref()),
            ("commune_specific_note", self.commune_specific_note.as_deref()),
            ("intro", self.intro.as_deref()),
            ("body", self.body.as_deref()),
        ]
    }

    /// The part in `slot`, if set and not blank.
    pub fn get(&self, slot: &str) -> Option<&str> {
        self.slots().into_iter().find(|(s, _)| *s == slot).and_then(|(_, v)| v).filter(|v| !v.trim().is_empty())
    }
}

/// One finding of the Nghị định 30 check.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct CheckFinding {
    /// Stable code, e.g. "signer_block", "line_spacing_out_of_range".
    pub code: String,
    /// "error" (blocks submission) or "warning".
    pub severity: CheckSeverity,
    /// The document field it is about, or the page ("trang 2").
    pub field: Option<String>,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CheckSeverity {
    /// The document may not go to the signer until it is fixed.
    Error,
    /// Worth a look; does not block.
    Warning,
}

impl From<crate::domain::check::Finding> for CheckFinding {
    fn from(f: crate::domain::check::Finding) -> CheckFinding {
        CheckFinding {
            code: f.code.to_owned(),
            severity: match f.severity {
                crate::domain::check::Severity::Error => CheckSeverity::Error,
                crate::domain::check::Severity::Warning => CheckSeverity::Warning,
            },
            field: f.field,
            message: f.message,
        }
    }
}

/// The Nghị định 30 check of a document: its data and its printed pages.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct CheckReport {
    /// How many findings are errors.
    pub errors: u32,
    /// How many are warnings.
    pub warnings: u32,
    /// Every finding, errors first.
    pub findings: Vec<CheckFinding>,
}

impl CheckReport {
    /// The report of these findings.
    pub fn of(findings: Vec<crate::domain::check::Finding>) -> CheckReport {
        let mut findings: Vec<CheckFinding> = findings.into_iter().map(Into::into).collect();
        findings.sort_by_key(|f| f.severity != CheckSeverity::Error);
        let errors = findings.iter().filter(|f| f.severity == CheckSeverity::Error).count() as u32;
        CheckReport { errors, warnings: findings.len() as u32 - errors, findings }
    }
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
    pub kind: super::Code<crate::domain::DocumentKind>,
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
    /// The free-text parts, each in its place in the printed document (restricted Markdown).
    #[oai(default)]
    pub sections: DocumentSections,
    /// Closing sentence, ending with "./.".
    #[oai(validator(max_length = 20000))]
    #[oai(nullable)]
    pub closing: Option<String>,
    /// "Nơi nhận" lines; "Lưu: VT, …" last.
    #[oai(default)]
    #[oai(validator(max_items = 200))]
    pub recipients: Vec<Recipient>,
    /// The collective body the signer signs for, printed "TM. <this>", e.g. "ỦY BAN
    /// NHÂN DÂN" (a People's Committee decides collectively); omitted: no TM. line.
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub signer_collective: Option<String>,
    /// In whose place the signer signs: own (the head), kt (a deputy, "KT."), q
    /// (acting head, "Q."), tl (by order, "TL."), tuq (by authorisation, "TUQ.").
    /// The printed lines follow: e.g. collective "ỦY BAN NHÂN DÂN", kt, head title
    /// "CHỦ TỊCH", position "PHÓ CHỦ TỊCH" prints "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ
    /// TỊCH" / "PHÓ CHỦ TỊCH". Combinations the decree does not allow are refused.
    #[oai(default)]
    pub signer_authority: SignerAuthority,
    /// The head's title after KT./Q./TL./TUQ., e.g. "CHỦ TỊCH".
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub signer_head_title: Option<String>,
    /// The signer's own position, e.g. "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "CHÁNH VĂN PHÒNG";
    /// empty for Q. (the "Q. …" line is the title).
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub signer_position: Option<String>,
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
    pub state: crate::domain::DocumentState,
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
    /// Why this correction was made (corrections only).
    pub correction_reason: Option<String>,
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
