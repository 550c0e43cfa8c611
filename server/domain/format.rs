//! Vietnamese number and date wording as printed in official documents:
//! "41.020", "13,88%", "ngày 05 tháng 01 năm 2025", "đạt 119,3% KH".

use chrono::{Datelike, NaiveDate};

/// A number with `decimals` digits after the comma, "." grouping thousands:
/// `number(41020.0, 0)` is "41.020", `number(715.96, 2)` is "715,96".
pub fn number(value: f64, decimals: usize) -> String {
    let fixed = format!("{:.*}", decimals, value.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let sign = if value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
}

/// A number with at most `max_decimals` digits, trailing zeros dropped:
/// `number_trim(15.80, 2)` is "15,8", `number_trim(600.0, 2)` is "600".
pub fn number_trim(value: f64, max_decimals: usize) -> String {
    let s = number(value, max_decimals);
    if s.contains(',') { s.trim_end_matches('0').trim_end_matches(',').to_owned() } else { s }
}

/// A percentage: `percent(13.88, 2)` is "13,88%".
pub fn percent(value: f64, max_decimals: usize) -> String {
    format!("{}%", number_trim(value, max_decimals))
}

/// Share of the goal reached, as the reports print it: "đạt 119,3% KH".
pub fn percent_of_goal(actual: f64, goal: f64) -> Option<String> {
    (goal != 0.0 && goal.is_finite() && actual.is_finite())
        .then(|| format!("đạt {} KH", percent(actual / goal * 100.0, 1)))
}

/// Two digits below 10: the document number "05", the day "09".
pub fn two_digits(n: u32) -> String {
    format!("{n:02}")
}

/// The month as printed in a long date: leading zero for January and February only
/// (Nghị định 30: "ngày 05 tháng 01", "ngày 29 tháng 6").
pub fn month(m: u32) -> String {
    if m <= 2 { format!("{m:02}") } else { m.to_string() }
}

/// "ngày 05 tháng 01 năm 2025".
pub fn long_date(d: NaiveDate) -> String {
    format!("ngày {} tháng {} năm {}", two_digits(d.day()), month(d.month()), d.year())
}

/// A draft's date with the day left blank: "ngày    tháng 12 năm 2024".
pub fn draft_date(month_and_year: Option<(u32, i32)>) -> String {
    match month_and_year {
        Some((m, y)) => format!("ngày    tháng {} năm {y}", month(m)),
        None => "ngày    tháng    năm     ".to_owned(),
    }
}

/// "09/01/2024", the short form used inside references to other documents.
pub fn short_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// A body's name with its place, as a person reads it: "Ủy ban nhân dân huyện" and
/// "Bắc Sơn" give "Ủy ban nhân dân huyện Bắc Sơn"; a name that already ends with its
/// place ("Ủy ban nhân dân xã Bắc Sơn") is not given it twice.
pub fn body_name(full_name: &str, place_name: &str) -> String {
    let (full, place) = (full_name.trim(), place_name.trim());
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if place.is_empty() || norm(full).ends_with(&norm(place)) { full.to_owned() } else { format!("{full} {place}") }
}

/// How a reader cites an issued document: "số 01/BC-UBND ngày 07/12/2026" (without
/// the date when it has none).
pub fn cited(number: i32, symbol: &str, date: Option<NaiveDate>) -> String {
    let on = date.map(|d| format!(" ngày {}", short_date(d))).unwrap_or_default();
    format!("số {}/{symbol}{on}", two_digits(number.max(0) as u32))
}

/// A document's file name as an office files it: "Báo cáo số 01-BC-UBND năm 2026.pdf",
/// or "Báo cáo (dự thảo).pdf" before it has a number; "/" cannot be in a file name.
pub fn document_file_name(kind_label: &str, number: Option<i32>, symbol: &str, year: Option<i32>) -> String {
    match (number, year) {
        (Some(n), Some(y)) => {
            format!("{kind_label} số {}-{} năm {y}.pdf", two_digits(n.max(0) as u32), symbol.replace('/', "-"))
        }
        _ => format!("{kind_label} (dự thảo).pdf"),
    }
}

/// How far a deadline is, in words, for a task not yet done: "quá hạn 3 ngày",
/// "đến hạn hôm nay", "còn 5 ngày" (calendar days, Vietnam's date).
pub fn due_words(deadline: NaiveDate, today: NaiveDate) -> String {
    let days = (deadline - today).num_days();
    match days {
        d if d < 0 => format!("quá hạn {} ngày", -d),
        0 => "đến hạn hôm nay".to_owned(),
        d => format!("còn {d} ngày"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn numbers_read_as_in_the_reference() {
        assert_eq!(number(41020.0, 0), "41.020");
        assert_eq!(number(112498.0, 0), "112.498");
        assert_eq!(number(715.96, 2), "715,96");
        assert_eq!(number(1541.0, 0), "1.541");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1234567.5, 1), "1.234.567,5");
        assert_eq!(number(-2500.0, 0), "-2.500");
        assert_eq!(number(-0.001, 0), "0");
        assert_eq!(number_trim(15.80, 2), "15,8");
        assert_eq!(number_trim(600.0, 2), "600");
    }

    #[test]
    fn percentages_use_a_decimal_comma() {
        assert_eq!(percent(13.88, 2), "13,88%");
        assert_eq!(percent(68.8, 2), "68,8%");
        assert_eq!(percent(100.0, 2), "100%");
        assert_eq!(percent_of_goal(715.96, 600.0).as_deref(), Some("đạt 119,3% KH"));
        assert_eq!(percent_of_goal(1.0, 0.0), None);
    }

    #[test]
    fn long_dates_pad_days_below_ten_and_only_january_and_february() {
        assert_eq!(long_date(d(2025, 1, 5)), "ngày 05 tháng 01 năm 2025");
        assert_eq!(long_date(d(2024, 6, 29)), "ngày 29 tháng 6 năm 2024");
        assert_eq!(long_date(d(2024, 12, 20)), "ngày 20 tháng 12 năm 2024");
        assert_eq!(long_date(d(2024, 2, 9)), "ngày 09 tháng 02 năm 2024");
        assert_eq!(long_date(d(2024, 3, 1)), "ngày 01 tháng 3 năm 2024");
        assert_eq!(draft_date(Some((12, 2024))), "ngày    tháng 12 năm 2024");
        assert_eq!(short_date(d(2024, 1, 9)), "09/01/2024");
        assert_eq!(two_digits(5), "05");
        assert_eq!(two_digits(12), "12");
    }

    #[test]
    fn a_body_name_carries_its_place_once() {
        assert_eq!(body_name("Ủy ban nhân dân huyện", "Bắc Sơn"), "Ủy ban nhân dân huyện Bắc Sơn");
        assert_eq!(body_name("Ủy ban nhân dân xã Bắc Sơn", "Bắc Sơn"), "Ủy ban nhân dân xã Bắc Sơn");
        assert_eq!(body_name("Ủy ban nhân dân xã  bắc sơn ", "Bắc Sơn"), "Ủy ban nhân dân xã  bắc sơn");
        assert_eq!(body_name("Ủy ban nhân dân tỉnh", ""), "Ủy ban nhân dân tỉnh");
    }

    #[test]
    fn an_issued_document_is_cited_by_number_symbol_and_date() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7);
        assert_eq!(cited(1, "BC-UBND", d), "số 01/BC-UBND ngày 07/12/2026");
        assert_eq!(cited(12, "UBND-VP", None), "số 12/UBND-VP");
    }

    #[test]
    fn a_document_file_is_named_by_kind_number_and_year() {
        assert_eq!(document_file_name("Báo cáo", Some(1), "BC-UBND", Some(2026)), "Báo cáo số 01-BC-UBND năm 2026.pdf");
        assert_eq!(document_file_name("Công văn", None, "UBND-VP", None), "Công văn (dự thảo).pdf");
    }

    #[test]
    fn a_deadline_is_said_in_words() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(due_words(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(), today), "quá hạn 3 ngày");
        assert_eq!(due_words(today, today), "đến hạn hôm nay");
        assert_eq!(due_words(NaiveDate::from_ymd_opt(2026, 12, 12).unwrap(), today), "còn 5 ngày");
    }
}
