//! A list of units pasted into a page, one unit a line: as copied from a
//! spreadsheet (columns separated by tabs) or typed with "|" or ";" between the
//! fields: short name, full name, then e-mail addresses (separated by commas,
//! spaces or further columns). Blank lines are skipped.

/// Most lines one paste may hold.
pub const MAX_LINES: usize = 500;

/// One line read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the pasted text.
    pub number: usize,
    /// Short name.
    pub short_name: String,
    /// Full name.
    pub name: String,
    /// Addresses as typed (checked by the service).
    pub emails: Vec<String>,
}

/// Reads `text`; a line's problem is reported by its number, in Vietnamese.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        if out.len() == MAX_LINES {
            return Err(format!("Mỗi lần dán tối đa {MAX_LINES} đơn vị"));
        }
        let sep = ['\t', '|', ';'].into_iter().find(|c| raw.contains(*c));
        let mut cols: Vec<&str> = match sep {
            Some(c) => raw.split(c).map(str::trim).collect(),
            None => vec![raw],
        };
        if cols.len() < 2 || cols[0].is_empty() || cols[1].is_empty() {
            return Err(format!(
                "Dòng {}: cần tên viết tắt và tên đầy đủ, cách nhau bằng dấu “|”, “;” hoặc cột bảng tính",
                i + 1
            ));
        }
        let emails = cols
            .split_off(2)
            .into_iter()
            .flat_map(|c| c.split([',', ' ']))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect();
        out.push(Line { number: i + 1, short_name: cols[0].to_owned(), name: cols[1].to_owned(), emails });
    }
    if out.is_empty() {
        return Err("Chưa có đơn vị nào: mỗi dòng một đơn vị".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_columns_bars_and_semicolons_all_read() {
        let text = "TC-KH\tPhòng Tài chính - Kế hoạch\ttckh@example.vn\n\n\
                    VP | Văn phòng HĐND và UBND | vp@example.vn, vp2@example.vn\n\
                    Xã A; Ủy ban nhân dân xã A\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].short_name, "TC-KH");
        assert_eq!(lines[0].name, "Phòng Tài chính - Kế hoạch");
        assert_eq!(lines[0].emails, ["tckh@example.vn"]);
        assert_eq!(lines[1].number, 3);
        assert_eq!(lines[1].emails, ["vp@example.vn", "vp2@example.vn"]);
        assert!(lines[2].emails.is_empty());
    }

    #[test]
    fn a_line_without_two_names_is_named_by_its_number() {
        let err = parse("VP | Văn phòng\nChỉ một cột\n").unwrap_err();
        assert!(err.starts_with("Dòng 2:"), "{err}");
        assert!(parse("  \n\n").is_err());
        let many = "A|B\n".repeat(MAX_LINES + 1);
        assert!(parse(&many).unwrap_err().contains("tối đa"));
    }
}
