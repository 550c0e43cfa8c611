//! Reading numbers and dates as people type them: Vietnamese notation first
//! ("41.020", "13,88", "1.234,5", "05/01/2025"), English and ISO notation where
//! it cannot be mistaken ("1,234.5", "1,234,567", "2025-01-05"). Both parsers
//! look at each character once and never panic, whatever the input.

use chrono::NaiveDate;

/// Longest input either parser looks at; longer is refused outright.
const MAX_INPUT: usize = 64;

/// Reads a quantity. "." groups thousands and "," marks decimals (Vietnamese), unless
/// the text is unmistakably English ("1,234.5", "1,234,567") or a plain decimal
/// ("13.88", "1234.5"). Spaces (also non-breaking) are ignored.
pub fn number(raw: &str) -> Result<f64, &'static str> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err("Trống / empty");
    }
    if s.len() > MAX_INPUT {
        return Err("Quá dài / too long");
    }
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s.strip_prefix('+').unwrap_or(&s)),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err("Phải là số / must be a number");
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let (group, decimal) = match (dots, commas) {
        (0, 0) => (None, None),
        // Both: the last one marks the decimals.
        (_, _) if dots > 0 && commas > 0 => {
            if body.rfind('.') > body.rfind(',') {
                (Some(','), Some('.'))
            } else {
                (Some('.'), Some(','))
            }
        }
        (1, 0) if grouped(body, '.') => (Some('.'), None),
        (1, 0) => (None, Some('.')),
        (_, 0) => (Some('.'), None),
        (0, 1) => (None, Some(',')),
        _ => (Some(','), None),
    };
    let (int, frac) = match decimal {
        Some(d) => {
            let (i, f) = body.rsplit_once(d).unwrap_or((body, ""));
            if f.is_empty() || f.contains(['.', ',']) {
                return Err("Phải là số / must be a number");
            }
            (i, f)
        }
        None => (body, ""),
    };
    if let Some(g) = group
        && !grouped(int, g)
    {
        return Err("Dấu phân cách hàng nghìn sai chỗ / misplaced thousands separator");
    }
    let digits: String = int.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || int.contains(['.', ',']) && group.is_none() {
        return Err("Phải là số / must be a number");
    }
    let text = if frac.is_empty() { digits } else { format!("{digits}.{frac}") };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(sign * v),
        _ => Err("Phải là số / must be a number"),
    }
}

/// Whether `s` is digits grouped in threes by `sep` (the first group 1–3 long).
fn grouped(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let head = parts.next().unwrap_or("");
    let mut any = false;
    for p in parts {
        any = true;
        if p.len() != 3 || !p.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    let leading_zero = head.len() > 1 && head.starts_with('0') || head == "0" && any;
    (1..=3).contains(&head.len())
        && head.chars().all(|c| c.is_ascii_digit())
        && !leading_zero
        && (any || !s.contains(sep))
}

/// Reads a date: "05/01/2025", "5/1/2025", "05-01-2025", "05.01.2025" (day first,
/// as Vietnamese write it) or ISO "2025-01-05".
pub fn date(raw: &str) -> Result<NaiveDate, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("Trống / empty");
    }
    if s.len() > MAX_INPUT {
        return Err("Quá dài / too long");
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let num = |p: &str| if p.is_empty() || p.len() > 4 { None } else { p.parse::<u32>().ok() };
    let (y, m, d) = match parts.as_slice() {
        [a, b, c] if a.len() == 4 => (num(a), num(b), num(c)),
        [a, b, c] if c.len() == 4 => (num(c), num(b), num(a)),
        _ => return Err("Ngày viết dạng ngày/tháng/năm, ví dụ 05/01/2025 / write the date as dd/mm/yyyy"),
    };
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => {
            NaiveDate::from_ymd_opt(y as i32, m, d).ok_or("Không có ngày này / no such date")
        }
        _ => Err("Ngày viết dạng ngày/tháng/năm, ví dụ 05/01/2025 / write the date as dd/mm/yyyy"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_read_both_ways_vietnamese_first() {
        for (s, v) in [
            ("41.020", 41020.0),
            ("41020", 41020.0),
            ("13,88", 13.88),
            ("1.234,5", 1234.5),
            ("1.234.567", 1234567.0),
            ("1,234.5", 1234.5),
            ("1,234,567", 1234567.0),
            ("13.88", 13.88),
            ("1234.5", 1234.5),
            ("-2.500", -2500.0),
            (" 9 800 ", 9800.0),
            ("0,5", 0.5),
            ("0.500", 0.5),
        ] {
            assert_eq!(number(s), Ok(v), "{s}");
        }
        for s in ["", "abc", "1.2.3", "12.34.567", "1,2,3", "--1", "1,", ".5,", "1e9", "∞"] {
            assert!(number(s).is_err(), "{s}");
        }
    }

    #[test]
    fn dates_read_day_first_or_iso() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(date("05/01/2025"), Ok(d(2025, 1, 5)));
        assert_eq!(date("5/1/2025"), Ok(d(2025, 1, 5)));
        assert_eq!(date("2025-01-05"), Ok(d(2025, 1, 5)));
        assert_eq!(date("31.12.2024"), Ok(d(2024, 12, 31)));
        for s in ["", "31/02/2025", "2025/13/01", "01/01/25", "hôm nay", "1/1/1/2025"] {
            assert!(date(s).is_err(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn number_never_panics_and_round_trips_what_it_accepts(s in "[-+0-9., ]{0,24}|\\PC{0,40}") {
            if let Ok(v) = number(&s) {
                prop_assert!(v.is_finite());
            }
        }

        #[test]
        fn vietnamese_formatting_reads_back(v in -1.0e12f64..1.0e12) {
            let printed = super::super::format::number(v, 2);
            let back = number(&printed).unwrap();
            prop_assert!((back - v).abs() <= 0.005 + v.abs() * 1e-12, "{printed} -> {back}");
        }

        #[test]
        fn date_never_panics(s in "[0-9/.-]{0,16}|\\PC{0,40}") {
            let _ = date(&s);
        }
    }
}
