//! Where a printed line may break. Vietnamese words are several syllables apart,
//! so a break "at a space" can still cut a word group in two; and a document
//! number ("133/KH-UBND"), a date ("ngày 11/4/2024"), "số 01" or a figure with its
//! unit ("41.020 triệu đồng") must never be split. [`keep_together`] joins words
//! with no-break spaces (the templates keep a symbol such as "133/KH-UBND" whole
//! with a show rule, so no invisible character enters the text a reader copies);
//! [`balance`] breaks a title into lines of even length at places a reader would pause.

/// No-break space: a space that never becomes a line break (PDF readers copy it
/// as a plain space).
pub const NBSP: char = '\u{00A0}';

/// Words a number always stays with when it follows them ("số 01", "ngày 05").
const BEFORE_NUMBER: &[&str] = &[
    "số", "Số", "ngày", "Ngày", "tháng", "Tháng", "năm", "Năm", "quý", "Quý", "đợt", "Điều", "điều", "Khoản", "khoản",
    "Chương", "mục", "Mục", "điểm", "Phụ", "lục", "giai", "đoạn",
];

/// Units a number always stays with when they follow it ("41.020 triệu đồng", "600 ha").
const UNITS: &[&str] = &[
    "triệu",
    "tỷ",
    "nghìn",
    "ngàn",
    "đồng",
    "ha",
    "km",
    "Km",
    "m",
    "m2",
    "m²",
    "m3",
    "kg",
    "tấn",
    "%",
    "người",
    "hộ",
    "xã",
    "thôn",
    "sản",
    "nhiệm",
    "tiêu",
    "điểm",
    "lần",
    "ngày",
    "tháng",
    "năm",
    "giờ",
    "trường",
    "lớp",
    "học",
    "công",
    "dự",
    "chỉ",
    "nhà",
    "sao",
    "con",
    "chiếc",
    "cái",
    "bộ",
    "đơn",
    "km/h",
    "lượt",
    "cơ",
    "doanh",
    "hợp",
    "tổ",
];

/// Second words of units that are two words ("triệu đồng", "sản phẩm").
const UNIT_TAILS: &[&str] =
    &["đồng", "phẩm", "vụ", "chí", "sinh", "trình", "án", "tiêu", "vị", "sở", "nghiệp", "tác", "chức"];

fn starts_with_digit(s: &str) -> bool {
    s.trim_start_matches(['(', '"', '“']).chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn is_number(s: &str) -> bool {
    let t = s.trim_start_matches(['(', '"', '“']).trim_end_matches([',', ';', '.', ')', ':']);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".,%".contains(c)) && starts_with_digit(t)
}

/// Joins with no-break characters what must stay on one line: see the module doc.
pub fn keep_together(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len() + 16);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let prev = words[i - 1];
            let prev_bare = prev.trim_start_matches(['(', '"', '“']);
            let join = (BEFORE_NUMBER.contains(&prev_bare) && starts_with_digit(w))
                || (is_number(prev) && UNITS.contains(&w.trim_end_matches([',', ';', '.', ')', ':'])))
                || (words.get(i.wrapping_sub(2)).is_some_and(|pp| is_number(pp))
                    && UNITS.contains(&prev)
                    && UNIT_TAILS.contains(&w.trim_end_matches([',', ';', '.', ')', ':'])))
                // A symbol typed with a spaced dash: "43/KH – UBND".
                || ((*w == "–" || *w == "-") && prev.contains('/') && starts_with_digit(prev))
                || ((prev == "–" || prev == "-")
                    && words.get(i.wrapping_sub(2)).is_some_and(|pp| pp.contains('/') && starts_with_digit(pp))
                    && w.chars().next().is_some_and(char::is_uppercase));
            out.push(if join { NBSP } else { ' ' });
        }
        out.push_str(w);
    }
    out
}

/// Words before which a title reads well broken (the start of a new phrase).
const GOOD_BEFORE: &[&str] = &[
    "và", "của", "về", "trong", "theo", "cho", "tại", "với", "đối", "năm", "để", "nhằm", "trên", "giai", "đến", "thực",
    "tình", "kết", "đề", "các",
];

/// Breaks a title into lines of about even length, at most `per_line` characters
/// each where possible, preferring breaks after a comma or before a word that starts
/// a phrase ("và", "của", "năm" …) and never inside what [`keep_together`] joins.
pub fn balance(title: &str, per_line: usize) -> Vec<String> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = title.chars().count();
    if len <= per_line || per_line == 0 {
        return vec![title];
    }
    let words: Vec<&str> = title.split(' ').collect();
    let lens: Vec<usize> = words.iter().map(|w| w.chars().count()).collect();
    let lines = len.div_ceil(per_line);
    let target = len as f64 / lines as f64;
    let joined = keep_together(&title);
    let keep: Vec<bool> = {
        // Which gaps keep_together turned into no-break spaces.
        let mut flags = Vec::new();
        let mut in_word = false;
        for c in joined.chars() {
            match c {
                ' ' => flags.push(false),
                NBSP => flags.push(true),
                _ => in_word = true,
            }
        }
        let _ = in_word;
        flags
    };
    // Cost of a line of words[a..b]; break penalties where the break falls.
    let line_cost = |a: usize, b: usize| -> f64 {
        let width: usize = lens[a..b].iter().sum::<usize>() + (b - a).saturating_sub(1);
        let over = if width > per_line { (width - per_line) as f64 * 50.0 } else { 0.0 };
        let d = width as f64 - target;
        d * d + over
    };
    let break_cost = |at: usize| -> f64 {
        // A break between words[at - 1] and words[at].
        if keep.get(at - 1).copied().unwrap_or(false) {
            return 1e6;
        }
        let after_comma = words[at - 1].ends_with([',', ';', ':']);
        let good = GOOD_BEFORE.contains(&words[at]);
        if after_comma || good { 0.0 } else { 60.0 }
    };
    // Dynamic programme over break positions.
    let n = words.len();
    let mut best = vec![f64::INFINITY; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0.0;
    for b in 1..=n {
        for a in 0..b {
            if !best[a].is_finite() {
                continue;
            }
            let penalty = if a == 0 { 0.0 } else { break_cost(a) };
            let c = best[a] + penalty + line_cost(a, b);
            if c < best[b] {
                best[b] = c;
                from[b] = a;
            }
        }
    }
    let mut cuts = vec![n];
    let mut b = n;
    while b > 0 {
        b = from[b];
        cuts.push(b);
    }
    cuts.reverse();
    cuts.windows(2).map(|w| words[w[0]..w[1]].join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &str) -> String {
        s.replace(NBSP, "~")
    }

    #[test]
    fn numbers_dates_and_symbols_stay_whole() {
        assert_eq!(
            shown(&keep_together("Kế hoạch số 133/KH-UBND ngày 11/4/2024")),
            "Kế hoạch số~133/KH-UBND ngày~11/4/2024"
        );
        assert_eq!(
            shown(&keep_together("dự kiến đạt 41.020 triệu đồng, tăng 13,88%")),
            "dự kiến đạt 41.020~triệu~đồng, tăng 13,88%"
        );
        assert_eq!(shown(&keep_together("trồng 600 ha rừng")), "trồng 600~ha rừng");
        assert_eq!(shown(&keep_together("Kế hoạch số 43/KH – UBND")), "Kế hoạch số~43/KH~–~UBND");
        // A long date stays on one line as a whole.
        assert_eq!(shown(&keep_together("ngày 05 tháng 01 năm 2025")), "ngày~05~tháng~01~năm~2025");
        assert_eq!(keep_together("xem http://a/b"), "xem http://a/b");
        assert_eq!(keep_together("nhiệm vụ trọng tâm"), "nhiệm vụ trọng tâm");
    }

    #[test]
    fn titles_break_where_a_reader_pauses_and_lines_are_even() {
        let t = "Tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm 2024 và đề xuất nhiệm vụ trọng tâm năm 2025";
        let lines = balance(t, 60);
        assert_eq!(
            lines,
            ["Tình hình, kết quả thực hiện các nhiệm vụ trọng tâm", "năm 2024 và đề xuất nhiệm vụ trọng tâm năm 2025"]
        );
        let short = "Kế hoạch thực hiện nhiệm vụ trọng tâm năm 2026";
        assert_eq!(balance(short, 60), [short]);
        let long = "Kế hoạch thực hiện các nhiệm vụ trọng tâm của Ủy ban nhân dân xã Tân Hương năm 2026";
        let lines = balance(long, 50);
        assert!(lines.iter().all(|l| !l.ends_with("trọng") && !l.ends_with("năm")), "{lines:?}");
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().max().unwrap() - widths.iter().min().unwrap() < 25, "{lines:?}");
    }
}
