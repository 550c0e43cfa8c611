//! The Nghị định 30 check: what a văn thư would mark on a document before it goes
//! to the signer, from its data ([`check_facts`]) and from its printed pages
//! ([`check_pages`]). One list of findings, each with a stable code, a severity,
//! the field it is about (when there is one) and a message in Vietnamese. Errors
//! stop a document from being submitted; warnings are shown.
//!
//! The data rules are here; the layout rules are in `check_layout`, the findings in
//! `check_finding`.
//!
//! The data rules: the signer block's combinations, recipients ending "Lưu: VT…", the
//! closing "./.", dates in the plan's year and not in the future, plan rows with a unit
//! and a deadline, images. Text saved before the font check, with a character the fonts
//! cannot draw, is named by its record and field (typst would silently draw a blank).
//! Where the check is served and why it reads the PDF back is in `services/checks.rs`.

use chrono::{Datelike, NaiveDate};

pub use super::check_finding::{Finding, Severity, has_errors};
use super::check_finding::{error, warning};
pub use super::check_layout::check_pages;
use super::signer::SignerBlock;
use super::vocab::DocumentKind;

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
    /// Codes of the plan's tasks without a lead unit.
    pub tasks_without_unit: Vec<String>,
    /// Codes of the plan's tasks without a deadline.
    pub tasks_without_deadline: Vec<String>,
    /// Section slots stored that no template prints.
    pub unknown_slots: Vec<String>,
    /// Whether the signer's signature image is on file.
    pub has_signature_image: bool,
    /// Whether the issuing body's seal image is on file.
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
}
