//! The Nghị định 30 check: what a văn thư would mark on a document before it goes
//! to the signer, from its data ([`check_facts`]) and from its printed pages
//! ([`check_pages`]). One list of findings, each with a stable code, a severity,
//! the field it is about (when there is one) and a message in Vietnamese. Errors
//! stop a document from being submitted; warnings are shown.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::layout::{Line, Page};
use super::signer::SignerBlock;
use super::vocab::DocumentKind;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document is wrong: it may not go to the signer.
    Error,
    /// Worth a look; does not block.
    Warning,
}

/// One thing the check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. "line_spacing_below_single".
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The document field it is about (API name), or the page, e.g. "page 2".
    pub field: Option<String>,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

fn error(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Finding {
    Finding { code, severity: Severity::Error, field: field.map(str::to_owned), message: message.into() }
}

fn warning(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Finding {
    Finding { code, severity: Severity::Warning, field: field.map(str::to_owned), message: message.into() }
}

/// What the data rules look at.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// Báo cáo, kế hoạch or công văn.
    pub kind: DocumentKind,
    /// Trích yếu.
    pub subject: &'a str,
    /// The signature block.
    pub signer: SignerBlock<'a>,
    /// "Nơi nhận" labels as typed.
    pub recipients: &'a [String],
    /// The closing as it will print (typed or the default).
    pub closing: &'a str,
    /// The date on the document, if set.
    pub dated_on: Option<NaiveDate>,
    /// The year of the plan it is about.
    pub plan_year: Option<i32>,
    /// Whether it corrects an issued document (dated when corrected, whatever the plan's year).
    pub is_correction: bool,
    /// Today, in Vietnam.
    pub today: NaiveDate,
    /// Codes of the plan's tasks without a lead unit, and without a deadline.
    pub tasks_without_unit: Vec<String>,
    pub tasks_without_deadline: Vec<String>,
    /// Section slots stored that no template prints.
    pub unknown_slots: Vec<String>,
    /// Whether the signer's signature image and the seal image are on file.
    pub has_signature_image: bool,
    pub has_seal_image: bool,
    /// Whether a missing image is an error (`[signing] images_required`) or a warning.
    pub images_required: bool,
    /// The plan's other year-end reports (not replaced): how each is named
    /// ("số 01/BC-UBND", "dự thảo ngày …") and whether it is issued.
    pub other_reports: Vec<(String, bool)>,
}

/// The rules about the data.
pub fn check_facts(f: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    if f.subject.trim().is_empty() {
        out.push(error("subject_missing", Some("subject"), "Văn bản chưa có trích yếu."));
    }
    // "KẾ HOẠCH" above "Kế hoạch thực hiện …" says the type twice.
    let type_name = f.kind.label().to_lowercase();
    if f.kind != DocumentKind::Letter && f.subject.trim().to_lowercase().starts_with(&type_name) {
        out.push(warning(
            "subject_repeats_type",
            Some("subject"),
            format!("Trích yếu không cần nhắc lại tên loại \"{}\" đã in ở trên.", f.kind.label()),
        ));
    }
    for (field, message) in f.signer.problems(true) {
        let vi = message.split(" / ").next().unwrap_or(&message).to_owned();
        out.push(error("signer_block", Some(field), vi));
    }
    match f.recipients.last() {
        None => out.push(error("recipients_missing", Some("recipients"), "Chưa có Nơi nhận.")),
        Some(last) if !last.trim_start_matches(['-', ' ']).starts_with("Lưu") => out.push(error(
            "recipients_without_archive",
            Some("recipients"),
            "Dòng cuối của Nơi nhận phải là \"Lưu: VT, …\".",
        )),
        Some(_) => {}
    }
    if !f.closing.trim_end().ends_with("./.") {
        out.push(error(
            "closing_without_end_mark",
            Some("closing"),
            "Câu cuối của văn bản phải kết thúc bằng \"./.\".",
        ));
    }
    if let (Some(d), Some(year), false) = (f.dated_on, f.plan_year, f.is_correction) {
        let (from, to) = match f.kind {
            // A year-end report is written late in the year or early in the next.
            DocumentKind::Report => (ymd(year, 1, 1), ymd(year + 1, 3, 31)),
            // An assignment plan is issued late in the year before or during the year.
            DocumentKind::Plan => (ymd(year - 1, 10, 1), ymd(year, 12, 31)),
            DocumentKind::Letter => (ymd(year, 1, 1), ymd(year + 1, 3, 31)),
        };
        // Before the plan's time is a mistake; after it, a late document (a report
        // issued long after its year) is unusual but lawful, so only a warning.
        if d < from {
            out.push(error(
                "date_outside_plan_year",
                Some("dated_on"),
                format!("Ngày {} nằm ngoài thời gian của kế hoạch năm {year}.", super::format::short_date(d)),
            ));
        } else if d > to {
            out.push(warning(
                "date_after_plan_year",
                Some("dated_on"),
                format!(
                    "Ngày {} đã qua thời gian của kế hoạch năm {year}; hãy xem lại nếu văn bản không ban hành muộn.",
                    super::format::short_date(d)
                ),
            ));
        }
    }
    if let Some(d) = f.dated_on
        && f.kind == DocumentKind::Report
        && d > f.today
    {
        out.push(error(
            "report_dated_in_the_future",
            Some("dated_on"),
            format!("Báo cáo ghi ngày {} là ngày chưa tới.", super::format::short_date(d)),
        ));
    }
    if f.kind == DocumentKind::Report && !f.is_correction && !f.other_reports.is_empty() {
        let year = f.plan_year.map(|y| format!(" năm {y}")).unwrap_or_default();
        let names: Vec<&str> = f.other_reports.iter().map(|(n, _)| n.as_str()).collect();
        match f.other_reports.iter().find(|(_, issued)| *issued) {
            Some((name, _)) => out.push(error(
                "plan_already_reported",
                Some("plan_id"),
                format!(
                    "Kế hoạch{year} đã có báo cáo {name} được ban hành; muốn sửa báo cáo đó, hãy tạo bản đính chính của nó."
                ),
            )),
            None => out.push(warning(
                "another_report_of_plan",
                Some("plan_id"),
                format!("Kế hoạch{year} đã có báo cáo khác: {}; chỉ nên ban hành một báo cáo năm.", names.join(", ")),
            )),
        }
    }
    if f.kind == DocumentKind::Plan {
        if !f.tasks_without_unit.is_empty() {
            out.push(warning(
                "task_without_unit",
                Some("plan"),
                format!("Nhiệm vụ chưa có đơn vị chủ trì: {}.", list(&f.tasks_without_unit)),
            ));
        }
        if !f.tasks_without_deadline.is_empty() {
            out.push(warning(
                "task_without_deadline",
                Some("plan"),
                format!("Nhiệm vụ chưa có thời hạn: {}.", list(&f.tasks_without_deadline)),
            ));
        }
    }
    for slot in &f.unknown_slots {
        out.push(warning(
            "unknown_section",
            Some(&format!("sections.{slot}")),
            format!("Phần \"{slot}\" không được in trong loại văn bản này."),
        ));
    }
    let images = [
        (
            f.has_signature_image,
            "signature_image_missing",
            "Người ký chưa có ảnh chữ ký: văn bản in ra sẽ trống chỗ ký.",
        ),
        (f.has_seal_image, "seal_image_missing", "Cơ quan chưa có ảnh con dấu: văn bản ban hành sẽ không có dấu."),
    ];
    for (present, code, message) in images {
        if !present {
            out.push(if f.images_required { error(code, None, message) } else { warning(code, None, message) });
        }
    }
    out
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn list(codes: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = codes.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if codes.len() > SHOWN {
        s.push_str(&format!(" và {} nhiệm vụ khác", codes.len() - SHOWN));
    }
    s
}

/// Millimetres in points.
const MM: f64 = 72.0 / 25.4;
/// How far a measurement may be off (rounding of positions in a PDF).
const TOLERANCE: f64 = 1.5;

/// The rules about the printed pages.
pub fn check_pages(pages: &[Page]) -> Vec<Finding> {
    let mut out = Vec::new();
    if pages.is_empty() {
        out.push(error("no_pages", None, "Tệp không có trang nào."));
        return out;
    }
    for (i, p) in pages.iter().enumerate() {
        let at = format!("trang {}", i + 1);
        let portrait = (p.width - 595.28).abs() < 3.0 && (p.height - 841.89).abs() < 3.0;
        let landscape = (p.width - 841.89).abs() < 3.0 && (p.height - 595.28).abs() < 3.0;
        if !portrait && !landscape {
            out.push(error(
                "page_not_a4",
                Some(&at),
                format!("Khổ giấy {:.0}×{:.0} mm, không phải A4.", p.width / MM, p.height / MM),
            ));
        }
        for f in p.fonts.iter().filter(|f| !f.embedded) {
            out.push(error("font_not_embedded", Some(&at), format!("Phông chữ {} không được nhúng vào tệp.", f.name)));
        }
        out.extend(margins(p, &at, i == 0));
    }
    out.extend(spacing(pages));
    out.extend(header(&pages[0]));
    out.extend(signature_block(pages));
    out.extend(splits(pages));
    out.extend(page_numbers(pages));
    out
}

/// Text stays inside the margins (left 30, right 15, top 20, bottom 20 mm); only
/// the page number sits in the top margin.
fn margins(p: &Page, at: &str, first: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let (left, right, top, bottom) = (30.0 * MM, p.width - 15.0 * MM, 20.0 * MM, p.height - 20.0 * MM);
    for l in &p.lines {
        let page_number = !first && is_page_number(l) && l.y < top;
        let outside = l.x_min < left - TOLERANCE
            || l.x_max > right + TOLERANCE
            || (!page_number && l.y - l.size * 0.8 < top - TOLERANCE)
            || l.y > bottom + TOLERANCE;
        if outside {
            out.push(error(
                "text_outside_margins",
                Some(at),
                format!("Dòng \"{}\" nằm ngoài lề trang (lề trái 30, phải 15, trên 20, dưới 20 mm).", short(&l.text)),
            ));
            break;
        }
    }
    out
}

fn is_page_number(l: &Line) -> bool {
    !l.text.is_empty() && l.text.chars().all(|c| c.is_ascii_digit())
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(50).collect();
    if s.chars().count() > 50 {
        t.push('…');
    }
    t
}

/// Body lines (13–14 pt, full text width) are at least single spaced (1.15 em)
/// and at most 1.5 lines; paragraphs at least 6 pt apart.
fn spacing(pages: &[Page]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut worst_pitch: Option<(f64, String)> = None;
    let mut worst_gap: Option<(f64, String)> = None;
    for (pi, p) in pages.iter().enumerate() {
        let (left, right) = (30.0 * MM, p.width - 15.0 * MM);
        // A centred line (a title, a caption) is not part of a paragraph.
        let centred = |l: &Line| {
            let (gap_left, gap_right) = (l.x_min - left, right - l.x_max);
            gap_left > 10.0 && gap_right > 10.0 && (gap_left - gap_right).abs() < 12.0
        };
        let body: Vec<&Line> = p
            .lines
            .iter()
            .filter(|l| l.size >= 12.5 && l.x_min < left + 1.2 * 28.35 && l.x_min > left - TOLERANCE && !centred(l))
            .collect();
        for w in body.windows(2) {
            let (a, b) = (w[0], w[1]);
            let gap = b.y - a.y;
            let size = a.size.max(b.size);
            let indented = b.x_min > left + 0.8 * 28.35;
            // Lines of one paragraph: the next is not indented and not far below.
            if !indented && gap > 0.0 && gap < 1.7 * size {
                let ratio = gap / size;
                if !(1.15 - 0.02..=1.5 * 1.15 + 0.02).contains(&ratio) {
                    let worse = worst_pitch.as_ref().is_none_or(|(r, _)| (ratio - 1.3).abs() > (r - 1.3).abs());
                    if worse {
                        worst_pitch = Some((ratio, format!("trang {}: \"{}\"", pi + 1, short(&b.text))));
                    }
                }
            }
            // A new indented paragraph right after a body line: the extra gap is the paragraph spacing.
            if indented && gap > 0.0 && gap < 3.0 * size {
                let extra = gap - 1.15 * size;
                if extra < 6.0 - TOLERANCE {
                    let worse = worst_gap.as_ref().is_none_or(|(e, _)| extra < *e);
                    if worse {
                        worst_gap = Some((extra, format!("trang {}: \"{}\"", pi + 1, short(&b.text))));
                    }
                }
            }
        }
    }
    if let Some((ratio, at)) = worst_pitch {
        out.push(error(
            "line_spacing_out_of_range",
            None,
            format!("Khoảng cách dòng {:.2} lần cỡ chữ ({at}); phải từ dòng đơn (1,15) đến 1,5 dòng.", ratio),
        ));
    }
    if let Some((extra, at)) = worst_gap {
        out.push(error(
            "paragraph_spacing_below_6pt",
            None,
            format!("Khoảng cách giữa các đoạn chỉ {extra:.1} pt ({at}); tối thiểu 6 pt."),
        ));
    }
    out
}

/// Page 1: the Quốc hiệu on one line; "Số" and the date on one baseline; a
/// People's Committee's name in one weight.
fn header(p: &Page) -> Vec<Finding> {
    let mut out = Vec::new();
    if !p.lines.iter().any(|l| l.text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")) {
        out.push(error(
            "national_title_split",
            Some("trang 1"),
            "Quốc hiệu \"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\" phải nằm trên một dòng.",
        ));
    }
    let number = p.lines.iter().find(|l| l.text.starts_with("Số:"));
    let date = p.lines.iter().find(|l| l.text.contains(", ngày") && l.italic);
    match (number, date) {
        (Some(n), Some(d)) if (n.y - d.y).abs() > TOLERANCE => out.push(error(
            "number_and_date_not_aligned",
            Some("trang 1"),
            "Số, ký hiệu và địa danh, ngày tháng phải nằm trên cùng một dòng.",
        )),
        (None, _) => out.push(error("number_missing", Some("trang 1"), "Không thấy dòng \"Số: …\".")),
        _ => {}
    }
    // The issuing body's lines sit above "Số:" in the left column.
    if let Some(n) = number {
        let name: Vec<&Line> =
            p.lines.iter().filter(|l| l.y < n.y - TOLERANCE && l.x_max < p.width / 2.0 && !l.text.is_empty()).collect();
        if let Some(i) = name.iter().position(|l| l.text == "ỦY BAN NHÂN DÂN")
            && let Some(next) = name.get(i + 1)
            && next.bold != name[i].bold
        {
            out.push(error(
                "issuer_name_mixed_weight",
                Some("issuer"),
                "Tên Ủy ban nhân dân ngắt hai dòng phải cùng in đậm (không trộn chữ đứng và chữ đậm).",
            ));
        }
    }
    out
}

/// "Nơi nhận" and the signature on one page.
fn signature_block(pages: &[Page]) -> Vec<Finding> {
    let at = |needle: &str| {
        pages
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, p)| p.lines.iter().any(|l| l.text.starts_with(needle)).then_some(i))
    };
    let Some(start) = at("Nơi nhận") else {
        return vec![error("recipients_missing", Some("recipients"), "Không thấy \"Nơi nhận:\".")];
    };
    // The block ends with "- Lưu: VT…"; without it, recipients_missing or the data rule says so.
    let Some(end) =
        pages[start..].iter().position(|p| p.lines.iter().any(|l| l.text.starts_with("- Lưu"))).map(|i| start + i)
    else {
        return vec![];
    };
    if end != start {
        return vec![error(
            "signature_block_split",
            Some(&format!("trang {}", start + 1)),
            "Nơi nhận và chữ ký phải cùng một trang.",
        )];
    }
    vec![]
}

/// Numbers with their symbol, dates, and "số 01" never break across lines.
fn splits(pages: &[Page]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        for w in p.lines.windows(2) {
            let (a, b) = (&w[0].text, &w[1].text);
            let next_starts_number = b.chars().next().is_some_and(|c| c.is_ascii_digit());
            let next_word = b.split_whitespace().next().unwrap_or("");
            // A number, date or symbol cut at its "/" or "-": "133/" | "KH-UBND", "11/" | "4/2024".
            let last = a.split_whitespace().last().unwrap_or("");
            let symbol_cut =
                (last.ends_with('/') || last.ends_with('-')) && last.starts_with(|c: char| c.is_ascii_digit());
            let bad = symbol_cut
                || ((a.ends_with(" số") || a.ends_with(" Số") || a.ends_with(" ngày")) && next_starts_number)
                || (next_word.starts_with('/') || next_word.starts_with("-UBND"));
            if bad {
                out.push(error(
                    "number_or_date_split",
                    Some(&format!("trang {}", pi + 1)),
                    format!("Số hiệu hoặc ngày tháng bị ngắt dòng: \"{}\" | \"{}\".", tail(a), short(b)),
                ));
                break;
            }
        }
    }
    out
}

fn tail(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(30)).collect()
}

/// Pages after the first carry their number in the top margin; the first none.
fn page_numbers(pages: &[Page]) -> Vec<Finding> {
    let top = 20.0 * MM;
    let numbered = |p: &Page| p.lines.iter().any(|l| is_page_number(l) && l.y < top);
    let mut out = Vec::new();
    if numbered(&pages[0]) {
        out.push(warning("page_number_on_first_page", Some("trang 1"), "Trang 1 không đánh số trang."));
    }
    if let Some(i) = pages.iter().enumerate().skip(1).find(|(_, p)| !numbered(p) && !p.lines.is_empty()).map(|(i, _)| i)
    {
        // Each appendix starts again at 1 and does not print it: only a numbered run's later pages are checked.
        let starts_appendix = pages[i].lines.iter().take(3).any(|l| l.text.starts_with("Phụ lục"));
        if !starts_appendix {
            out.push(warning(
                "page_number_missing",
                Some(&format!("trang {}", i + 1)),
                "Từ trang 2 phải đánh số trang ở giữa lề trên.",
            ));
        }
    }
    out
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// The year of a date (for callers that only have the plan's year).
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::signer::Authority;

    fn facts<'a>(recipients: &'a [String], closing: &'a str) -> Facts<'a> {
        Facts {
            kind: DocumentKind::Report,
            subject: "Kết quả thực hiện các nhiệm vụ trọng tâm năm 2026",
            signer: SignerBlock {
                collective: Some("ỦY BAN NHÂN DÂN"),
                authority: Authority::Kt,
                head_title: Some("CHỦ TỊCH"),
                position: Some("PHÓ CHỦ TỊCH"),
                name: "Nguyễn Văn A",
            },
            recipients,
            closing,
            dated_on: NaiveDate::from_ymd_opt(2026, 12, 20),
            plan_year: Some(2026),
            is_correction: false,
            today: NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
            tasks_without_unit: vec![],
            tasks_without_deadline: vec![],
            unknown_slots: vec![],
            has_signature_image: true,
            has_seal_image: true,
            images_required: true,
            other_reports: vec![],
        }
    }

    #[test]
    fn a_right_document_has_no_findings_and_each_rule_names_its_field() {
        let r = vec!["TT. Đảng ủy xã".to_owned(), "Lưu: VT, VP".to_owned()];
        assert!(check_facts(&facts(&r, "Trên đây là báo cáo./.")).is_empty());
        let found = check_facts(&facts(&["TT. Đảng ủy xã".to_owned()], "Trên đây là báo cáo."));
        let codes: Vec<&str> = found.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["recipients_without_archive", "closing_without_end_mark"]);
        let mut future = facts(&r, "./.");
        future.dated_on = NaiveDate::from_ymd_opt(2027, 1, 5);
        assert_eq!(check_facts(&future)[0].code, "report_dated_in_the_future");
        let mut old = facts(&r, "./.");
        old.dated_on = NaiveDate::from_ymd_opt(2024, 1, 5);
        assert_eq!(check_facts(&old)[0].field.as_deref(), Some("dated_on"));
        assert_eq!(check_facts(&old)[0].severity, Severity::Error);
        // A report of 2025 issued in December 2026: late, not wrong.
        let mut late = facts(&r, "./.");
        late.plan_year = Some(2025);
        let late = check_facts(&late);
        assert_eq!((late[0].code, late[0].severity), ("date_after_plan_year", Severity::Warning));
        // January of the next year is the usual time for a year-end report.
        let mut january = facts(&r, "./.");
        (january.plan_year, january.dated_on, january.today) =
            (Some(2025), NaiveDate::from_ymd_opt(2026, 1, 10), NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
        assert!(check_facts(&january).is_empty());
        // A second report of the same plan: a warning while the first is a draft,
        // an error once the first is issued (a correction is the way then).
        let mut second = facts(&r, "./.");
        second.other_reports = vec![("dự thảo ngày 01/12/2026".into(), false)];
        let found = check_facts(&second);
        assert_eq!((found[0].code, found[0].severity), ("another_report_of_plan", Severity::Warning));
        assert!(found[0].message.contains("dự thảo ngày 01/12/2026"), "{}", found[0].message);
        second.other_reports.push(("số 03/BC-UBND".into(), true));
        let found = check_facts(&second);
        assert_eq!((found[0].code, found[0].severity), ("plan_already_reported", Severity::Error));
        assert!(found[0].message.contains("số 03/BC-UBND"), "{}", found[0].message);
        second.is_correction = true;
        assert!(check_facts(&second).is_empty(), "a correction replaces the issued report");
        let mut no_images = facts(&r, "./.");
        no_images.has_seal_image = false;
        no_images.images_required = false;
        assert_eq!(check_facts(&no_images)[0].severity, Severity::Warning);
    }

    fn line(text: &str, x: f64, y: f64, size: f64) -> Line {
        Line { text: text.into(), x_min: x, x_max: x + 300.0, y, size, bold: false, italic: false }
    }

    #[test]
    fn tight_lines_and_paragraphs_are_found() {
        let left = 30.0 * MM;
        let page = Page {
            width: 595.28,
            height: 841.89,
            lines: vec![
                line("Đoạn một dòng một", left + 28.35, 200.0, 14.0),
                line("dòng hai", left, 213.6, 14.0),
                line("Đoạn hai", left + 28.35, 232.0, 14.0),
            ],
            fonts: vec![],
            images: 0,
        };
        let codes: Vec<&str> = spacing(&[page]).iter().map(|f| f.code).collect();
        assert_eq!(codes, ["line_spacing_out_of_range", "paragraph_spacing_below_6pt"]);
    }
}
