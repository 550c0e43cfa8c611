//! What a printed document says, as data: the view model handed to a template,
//! and the wording rules that are computed rather than typed (numbers, dates,
//! counts, recipient punctuation).
//!
//! The view model is plain data computed in Rust and handed to typst as `/data.json`;
//! user text is never typst source, and Markdown renders wherever text prints (tables
//! included). Lines are 1.2 em apart (single spacing), paragraphs 8 pt
//! (`templates/documents/frame.typ`).

use chrono::NaiveDate;
use serde::Serialize;

use super::format::{draft_date, long_date, two_digits};
use super::markdown::Block;

/// The free-text parts a kind of document prints, with their Vietnamese names
/// (the web form's labels), in the order they print.
pub fn section_slots(kind: super::DocumentKind) -> &'static [(&'static str, &'static str)] {
    use super::DocumentKind::*;
    match kind {
        Report => &[
            ("direction", "I. Công tác chỉ đạo điều hành"),
            ("results_intro", "II. Kết quả thực hiện — đoạn mở đầu (sau câu tổng hợp số nhiệm vụ)"),
            ("results_outro", "II. Kết quả thực hiện — đoạn kết"),
            ("proposals_intro", "III. Đề xuất nhiệm vụ năm sau — đoạn mở đầu"),
            (
                "commune_specific_note",
                "Ghi chú sau mục nhiệm vụ riêng của các xã (mặc định: “(Có biểu chi tiết kèm theo).”)",
            ),
        ],
        Plan => &[("intro", "Đoạn trước bảng nhiệm vụ")],
        Letter => &[("body", "Nội dung trước danh sách nhiệm vụ chậm")],
    }
}

/// Boxes 1–4 of the header and the signature block: shared by every kind.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    /// The parent body's lines, upright (box 2), only where one exists.
    pub parent_lines: Vec<String>,
    /// The issuing body's own lines, bold (box 2): a People's Committee's name is
    /// broken over two lines, both bold.
    pub issuer_lines: Vec<String>,
    /// "Số: 05/BC-UBND" or, in a draft, "Số:      /BC-UBND" (box 3).
    pub number_line: String,
    /// "Bắc Sơn, ngày 05 tháng 01 năm 2025" (box 4).
    pub place_date: String,
    /// "Nơi nhận" lines as printed: "- TT. Huyện ủy;" … "- Lưu: VT.".
    pub recipients: Vec<String>,
    /// The signature block.
    pub signature: Signature,
    /// Text of the document reference used in appendix captions, e.g. "Báo cáo số 05/BC-UBND ngày 20/12/2024".
    pub reference: String,
}

/// Boxes 7a–8.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// The lines above the signature, upper case, derived from the signer block:
    /// "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH".
    pub lines: Vec<String>,
    /// Full name.
    pub name: String,
    /// Virtual path of the signature image (PNG), if any.
    pub image: Option<String>,
    /// Virtual path of the seal image (PNG), if any.
    pub seal: Option<String>,
}

/// The number and date of a document: blanks while it is a draft.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    /// Assigned at issue.
    pub number: Option<i32>,
    /// Symbol, e.g. "BC-UBND".
    pub symbol: &'a str,
    /// The date of issue, or the planned date of a draft (its month and year are printed).
    pub date: Option<NaiveDate>,
    /// Whether the number and date are final.
    pub issued: bool,
}

impl Registration<'_> {
    /// Box 3: "Số: 05/BC-UBND"; a draft leaves the number blank.
    pub fn number_line(&self) -> String {
        match (self.issued, self.number) {
            (true, Some(n)) => format!("Số: {}/{}", two_digits(n.max(0) as u32), self.symbol),
            _ => format!("Số:      /{}", self.symbol),
        }
    }

    /// Box 4: "Bắc Sơn, ngày 05 tháng 01 năm 2025"; a draft leaves the day blank.
    pub fn place_date(&self, place: &str) -> String {
        use chrono::Datelike;
        match (self.issued, self.date) {
            (true, Some(d)) => format!("{place}, {}", long_date(d)),
            (_, d) => format!("{place}, {}", draft_date(d.map(|d| (d.month(), d.year())))),
        }
    }

    /// "Báo cáo số 05/BC-UBND ngày 20/12/2024" (blanks in a draft).
    pub fn reference(&self, type_name: &str) -> String {
        match (self.issued, self.number, self.date) {
            (true, Some(n), Some(d)) => {
                format!(
                    "{type_name} số {}/{} ngày {}",
                    two_digits(n.max(0) as u32),
                    self.symbol,
                    super::format::short_date(d)
                )
            }
            _ => format!("{type_name} số      /{} ngày      ", self.symbol),
        }
    }
}

/// Private-use characters marking the blanks of a document printed for signing:
/// the signer signs it with the number and date blank, and the agency's signature
/// fills them in (see `signing`). Templates turn each into a labelled blank.
pub mod slot {
    /// The number in box 3 ("Số: …/…"), labelled `slot-number`.
    pub const NUMBER: char = '\u{E000}';
    /// The day in box 4's date, labelled `slot-day`.
    pub const DAY: char = '\u{E001}';
    /// The month in box 4's date, labelled `slot-month`.
    pub const MONTH: char = '\u{E002}';
    /// The year in box 4's date, labelled `slot-year`.
    pub const YEAR: char = '\u{E003}';
    /// The short date in a reference to the document, labelled `slot-cdate`.
    pub const CAPTION_DATE: char = '\u{E004}';
    /// The number in a reference to the document, labelled `slot-cnumber`.
    pub const CAPTION_NUMBER: char = '\u{E005}';

    /// Whether `c` marks a blank.
    pub fn is_slot(c: char) -> bool {
        ('\u{E000}'..='\u{E005}').contains(&c)
    }
}

impl Registration<'_> {
    /// Box 3 with the number as a blank to be filled when the agency signs.
    pub fn slotted_number_line(&self) -> String {
        format!("Số: {}/{}", slot::NUMBER, self.symbol)
    }

    /// Box 4 with day, month and year as blanks.
    pub fn slotted_place_date(&self, place: &str) -> String {
        format!("{place}, ngày {} tháng {} năm {}", slot::DAY, slot::MONTH, slot::YEAR)
    }

    /// The reference with the number and date as blanks.
    pub fn slotted_reference(&self, type_name: &str) -> String {
        format!("{type_name} số {}/{} ngày {}", slot::CAPTION_NUMBER, self.symbol, slot::CAPTION_DATE)
    }
}

/// What fills the blank labelled `label` once the document has `number` and `date`.
pub fn slot_text(label: &str, number: i32, date: NaiveDate) -> Option<String> {
    use chrono::Datelike;
    Some(match label {
        "slot-number" | "slot-cnumber" => two_digits(number.max(0) as u32),
        "slot-day" => two_digits(date.day()),
        "slot-month" => super::format::month(date.month()),
        "slot-year" => date.year().to_string(),
        "slot-cdate" => super::format::short_date(date),
        _ => return None,
    })
}

/// "Nơi nhận" lines: "- " before each label, ";" after all but the last, "." after the last.
pub fn recipient_lines(labels: &[String]) -> Vec<String> {
    let n = labels.len();
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let l = l.trim().trim_end_matches([';', '.']);
            format!("- {l}{}", if i + 1 == n { "." } else { ";" })
        })
        .collect()
}

/// The opening of "II. KẾT QUẢ THỰC HIỆN", computed from the groups' task counts:
/// "Năm 2024, Ủy ban nhân dân huyện được giao triển khai thực hiện 10 nhiệm vụ
/// trọng tâm, trong đó Nhóm …: 05 nhiệm vụ; Nhóm …: 05 nhiệm vụ."
pub fn results_summary(year: i32, issuer_full_name: &str, groups: &[(String, usize)]) -> String {
    let total: usize = groups.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> =
        groups.iter().map(|(name, n)| format!("{name}: {} nhiệm vụ", two_digits(*n as u32))).collect();
    let mut s = format!(
        "Năm {year}, {issuer_full_name} được giao triển khai thực hiện {} nhiệm vụ trọng tâm",
        two_digits(total as u32)
    );
    if !parts.is_empty() {
        s.push_str(", trong đó ");
        s.push_str(&parts.join("; "));
    }
    s.push('.');
    s
}

/// Characters of bold 14 pt text a title line holds across the text width (165
/// mm); titles are broken into even lines shorter than this.
pub const TITLE_LINE: usize = 62;

/// A table cell: the inlines of restricted Markdown (bold and italic print as such).
pub type Cell = Vec<super::markdown::Inline>;

/// A cell of plain text.
pub fn cell(text: impl Into<String>) -> Cell {
    vec![super::markdown::Inline::Text(text.into())]
}

/// A year-end report (báo cáo), as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Header, recipients, signature.
    pub frame: Frame,
    /// "BÁO CÁO".
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// The subject broken into even lines at natural pauses.
    pub subject_lines: Vec<String>,
    /// "Căn cứ …;" lines.
    pub legal_bases: Vec<String>,
    /// Paragraph after the legal bases.
    pub opening: Vec<Block>,
    /// Numbered sections in order.
    pub sections: Vec<Section>,
    /// Closing sentence ("…./.").
    pub closing: Vec<Block>,
    /// Appendices, each on new pages numbered from 1.
    pub appendices: Vec<Appendix>,
}

/// "I. …", "II. …" with their content.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH".
    pub heading: String,
    /// Paragraphs before the groups.
    pub intro: Vec<Block>,
    /// Task groups (section II) or proposal sections (section III).
    pub groups: Vec<GroupView>,
    /// Paragraphs after the groups.
    pub outro: Vec<Block>,
}

/// "1. Nhóm nhiệm vụ …" with its tasks, or "1. Các nhiệm vụ chung …" with its proposals.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// "1. Nhóm nhiệm vụ về phát triển kinh tế".
    pub heading: String,
    /// Printed after the heading on the same line, e.g. "(Có biểu chi tiết kèm theo).".
    pub note: Option<String>,
    /// Task blocks (section II).
    pub tasks: Vec<TaskView>,
    /// Numbered items (section III).
    pub items: Vec<Block>,
}

/// One task in a report.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// "1.1. Thu NSNN trên địa bàn …" (the task's text is restricted Markdown).
    pub heading: Vec<super::markdown::Inline>,
    /// The narrative; its first paragraph follows "Kết quả thực hiện:" on the same line when unmarked.
    pub narrative: Vec<Block>,
    /// "+ Điểm tự chấm: 100 điểm.".
    pub score_line: Option<String>,
    /// "+ Xếp loại mức độ hoàn thành: Hoàn thành xuất sắc nhiệm vụ.".
    pub rating_line: Option<String>,
}

/// An appendix: a table on its own pages.
#[derive(Debug, Clone, Serialize)]
pub struct Appendix {
    /// "Phụ lục" or "Phụ lục I".
    pub label: String,
    /// Upper-case title.
    pub title: String,
    /// "(Kèm theo Báo cáo số …)".
    pub caption: String,
    /// Landscape page.
    pub landscape: bool,
    /// Column headings.
    pub columns: Vec<String>,
    /// Relative column widths.
    pub widths: Vec<u32>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// The assignment plan (kế hoạch): the tasks as a table.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Header, recipients, signature.
    pub frame: Frame,
    /// "KẾ HOẠCH".
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// The subject broken into even lines at natural pauses.
    pub subject_lines: Vec<String>,
    /// "Căn cứ …;" lines.
    pub legal_bases: Vec<String>,
    /// Paragraphs before the table.
    pub opening: Vec<Block>,
    /// Column headings of the table.
    pub columns: Vec<String>,
    /// Groups of rows: heading row then task rows.
    pub groups: Vec<PlanGroup>,
    /// Paragraphs after the table.
    pub closing: Vec<Block>,
}

/// A heading row and its task rows.
#[derive(Debug, Clone, Serialize)]
pub struct PlanGroup {
    /// "1. Nhóm nhiệm vụ …".
    pub heading: String,
    /// Code, text, targets, lead unit, co-operating units, deadline.
    pub rows: Vec<Vec<Cell>>,
}

/// The urging letter (công văn đôn đốc).
#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    /// Header, recipients, signature.
    pub frame: Frame,
    /// "V/v …" under the number (box 5b).
    pub subject: String,
    /// The subject broken into even lines for its narrow column.
    pub subject_lines: Vec<String>,
    /// "Kính gửi:" lines, already punctuated.
    pub addressees: Vec<String>,
    /// Paragraphs before the list.
    pub opening: Vec<Block>,
    /// The late tasks, unit by unit.
    pub units: Vec<LateUnit>,
    /// Paragraphs after the list.
    pub closing: Vec<Block>,
    /// An urging letter's tables: each urged unit's overdue and at-risk tasks.
    pub appendices: Vec<Appendix>,
}

/// One unit's overdue or soon-due tasks.
#[derive(Debug, Clone, Serialize)]
pub struct LateUnit {
    /// "Phòng Tài chính - Kế hoạch".
    pub unit: String,
    /// "- Nhiệm vụ 1.1 (hạn 15/12/2024, quá hạn 5 ngày): …".
    pub lines: Vec<String>,
}

/// "Kính gửi" lines: one name alone is followed by ".", several are listed with
/// "- " and ";" and the last ".".
pub fn addressee_lines(names: &[String]) -> Vec<String> {
    match names {
        [] => vec![],
        [one] => vec![format!("{}.", one.trim_end_matches(['.', ';']))],
        many => recipient_lines(many),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_prints_blanks_and_an_issued_document_its_number_and_date() {
        let d = NaiveDate::from_ymd_opt(2024, 12, 1);
        let draft = Registration { number: None, symbol: "BC-UBND", date: d, issued: false };
        assert_eq!(draft.number_line(), "Số:      /BC-UBND");
        assert_eq!(draft.place_date("Bắc Sơn"), "Bắc Sơn, ngày    tháng 12 năm 2024");
        let issued = Registration {
            number: Some(5),
            symbol: "BC-UBND",
            date: NaiveDate::from_ymd_opt(2025, 1, 5),
            issued: true,
        };
        assert_eq!(issued.number_line(), "Số: 05/BC-UBND");
        assert_eq!(issued.place_date("Bắc Sơn"), "Bắc Sơn, ngày 05 tháng 01 năm 2025");
        assert_eq!(issued.reference("Báo cáo"), "Báo cáo số 05/BC-UBND ngày 05/01/2025");
    }

    #[test]
    fn recipients_end_with_semicolons_and_the_last_with_a_full_stop() {
        let lines = recipient_lines(&["TT. Huyện ủy".into(), "TT. HĐND huyện;".into(), "Lưu:VT".into()]);
        assert_eq!(lines, ["- TT. Huyện ủy;", "- TT. HĐND huyện;", "- Lưu:VT."]);
        assert_eq!(addressee_lines(&["Phòng Tài chính - Kế hoạch".into()]), ["Phòng Tài chính - Kế hoạch."]);
    }

    #[test]
    fn the_results_summary_counts_tasks_per_group() {
        let s = results_summary(
            2024,
            "Ủy ban nhân dân huyện",
            &[
                ("Nhóm nhiệm vụ về phát triển kinh tế".into(), 5),
                ("Nhóm nhiệm vụ về văn hóa, xã hội và cải cách hành chính".into(), 5),
            ],
        );
        assert_eq!(
            s,
            "Năm 2024, Ủy ban nhân dân huyện được giao triển khai thực hiện 10 nhiệm vụ trọng tâm, trong đó Nhóm nhiệm vụ về phát triển kinh tế: 05 nhiệm vụ; Nhóm nhiệm vụ về văn hóa, xã hội và cải cách hành chính: 05 nhiệm vụ."
        );
    }
}
