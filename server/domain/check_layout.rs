//! The layout rules of the Nghị định 30 check: what the printed pages show (paper,
//! embedded fonts, margins, spacing, the header, the signature block, numbers and
//! dates kept on one line, page numbers).
//!
//! The rules over the printed pages, as `inspect` reads them back from the PDF: A4,
//! margins, embedded fonts, a line pitch of 1.15–1.5 lines, paragraphs at least 6 pt
//! apart, the Quốc hiệu on one line, "Số" and the date on one baseline, a People's
//! Committee's name in one weight, the signature block on one page, nothing split, page
//! numbers.

use super::check_finding::{Finding, error, warning};
use super::layout::{Line, Page};

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

#[cfg(test)]
mod tests {
    use super::*;

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
