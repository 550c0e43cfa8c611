//! Spreadsheets in and out: a [`Table`] written as .xlsx (rust_xlsxwriter: bold
//! frozen header row, widths that fit, numbers and dates as Excel values shown the
//! Vietnamese way) or as CSV (UTF-8 with a byte-order mark so Excel reads the
//! diacritics), and the cells of an .xlsx read back (calamine). The only module that
//! names either crate.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook};

/// The media type of an .xlsx file.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The media type of the CSV files.
pub const CSV: &str = "text/csv; charset=utf-8";
/// Most rows read from one sheet.
pub const MAX_ROWS: usize = 10_000;
/// Most columns read from one sheet.
pub const MAX_COLUMNS: usize = 30;
/// Most bytes an .xlsx may unpack to.
pub const MAX_UNPACKED: u64 = 200 * 1024 * 1024;
/// Most characters kept from one cell.
pub const MAX_CELL: usize = 5_000;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A quantity.
    Number(f64),
    /// A calendar day.
    Date(NaiveDate),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::from(s.to_owned())
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Number)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(v: Option<NaiveDate>) -> Cell {
        v.map_or(Cell::Empty, Cell::Date)
    }
}

impl Cell {
    /// The cell as a person reads it: numbers and dates the Vietnamese way.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(v) => crate::domain::format::number_trim(*v, 4),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }
}

/// A sheet: a title, a header row and rows of cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name (at most 31 characters in Excel).
    pub name: String,
    /// Column headings.
    pub headers: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// The .xlsx bytes of `tables`, one sheet each.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let head = Format::new().set_bold().set_text_wrap().set_background_color("#EEF2F7").set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let number = Format::new().set_num_format("#,##0.####").set_align(FormatAlign::Top);
    let date = Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Top);
    for t in tables {
        let sheet = book.add_worksheet();
        let name: String = t.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(&name).map_err(|e| e.to_string())?;
        let mut widths: Vec<usize> = t.headers.iter().map(|h| h.chars().count() + 2).collect();
        for (c, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &head).map_err(|e| e.to_string())?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let col = c as u16;
                let res = match cell {
                    Cell::Empty => Ok(&mut *sheet),
                    Cell::Text(s) => sheet.write_string_with_format(r, col, s, &wrap),
                    Cell::Number(v) => sheet.write_number_with_format(r, col, *v, &number),
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(|e| e.to_string())?;
                        sheet.write_date_with_format(r, col, &x, &date)
                    }
                };
                res.map_err(|e| e.to_string())?;
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(cell.text().chars().count() + 2);
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            // Long texts wrap inside a column of at most 60 characters.
            sheet.set_column_width(c as u16, (*w).min(60) as f64).map_err(|e| e.to_string())?;
        }
        sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        if !t.rows.is_empty() {
            sheet
                .autofilter(0, 0, t.rows.len() as u32, t.headers.len().saturating_sub(1) as u16)
                .map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// The CSV bytes of `t`: UTF-8 with a byte-order mark, comma-separated, CRLF lines,
/// every field that needs it quoted; numbers and dates written the Vietnamese way.
pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    // A text that starts like a formula is kept as text, not run by Excel.
    let field = |s: &str, text: bool| {
        let s = if text && s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
        if s.contains([',', '"', '\n', '\r', ';']) || s.starts_with('\'') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    out.push_str(&t.headers.iter().map(|h| field(h, true)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in &t.rows {
        out.push_str(&row.iter().map(|c| field(&c.text(), matches!(c, Cell::Text(_)))).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Why a file cannot be read as a spreadsheet.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not an .xlsx file, or a damaged one.
    #[error("Tệp không phải bảng tính Excel (.xlsx) đọc được / not a readable .xlsx workbook: {0}")]
    NotXlsx(String),
    /// No sheet at all.
    #[error("Bảng tính không có trang nào / the workbook has no sheet")]
    NoSheet,
    /// Unpacks to more than [`MAX_UNPACKED`] bytes (a compression bomb).
    #[error("Bảng tính giải nén quá lớn / the workbook unpacks to too many bytes")]
    TooBig,
    /// Too many rows.
    #[error("Bảng tính quá {MAX_ROWS} dòng / the sheet has more than {MAX_ROWS} rows")]
    TooLong,
}

/// The first sheet's cells, row by row (header included), at most [`MAX_ROWS`] rows
/// of [`MAX_COLUMNS`] columns; text is trimmed and cut at [`MAX_CELL`] characters.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ReadError> {
    // The declared sizes first: a few kilobytes must not unpack to gigabytes.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(ReadError::TooBig);
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    let range = book.worksheet_range_at(0).ok_or(ReadError::NoSheet)?.map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    if range.height() > MAX_ROWS + 1 {
        return Err(ReadError::TooLong);
    }
    // Cells are addressed from A1 even when the sheet's first used cell is lower.
    let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows = vec![Vec::new(); top];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; left.min(MAX_COLUMNS)];
        for d in row.iter().take(MAX_COLUMNS.saturating_sub(left)) {
            cells.push(match d {
                Data::Empty | Data::Error(_) => Cell::Empty,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    Cell::from(s.trim().chars().take(MAX_CELL).collect::<String>())
                }
                Data::Float(v) => Cell::Number(*v),
                Data::Int(v) => Cell::Number(*v as f64),
                Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
                Data::DateTime(x) => serial_date(x.as_f64()).map_or(Cell::Empty, Cell::Date),
            });
        }
        rows.push(cells);
    }
    Ok(rows)
}

/// The day of an Excel serial date (days since 1899-12-30).
fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

/// "A1"-style name of a cell (row and column from 0).
pub fn cell_name(row: usize, col: usize) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "Sổ nhiệm vụ".into(),
            headers: vec!["Mã", "Nội dung", "Kế hoạch", "Hạn"],
            rows: vec![
                vec![
                    "1.1".into(),
                    "Trồng rừng, \"mới\"".into(),
                    Cell::Number(1234.5),
                    Cell::Date(NaiveDate::from_ymd_opt(2025, 12, 15).unwrap()),
                ],
                vec!["1.2".into(), "=HYPERLINK(\"x\")".into(), Cell::Empty, Cell::Empty],
            ],
        }
    }

    #[test]
    fn an_xlsx_written_reads_back_cell_for_cell() {
        let bytes = to_xlsx(&[table()]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let rows = read_xlsx(&bytes).unwrap();
        assert_eq!(rows[0], vec![Cell::from("Mã"), "Nội dung".into(), "Kế hoạch".into(), "Hạn".into()]);
        assert_eq!(rows[1][1], Cell::from("Trồng rừng, \"mới\""));
        assert_eq!(rows[1][2], Cell::Number(1234.5));
        assert_eq!(rows[1][3], Cell::Date(NaiveDate::from_ymd_opt(2025, 12, 15).unwrap()));
        assert_eq!(rows[2][1], Cell::from("=HYPERLINK(\"x\")"), "a formula-like text stays text");
    }

    #[test]
    fn csv_has_a_bom_quotes_what_needs_it_and_defuses_formulas() {
        let csv = String::from_utf8(to_csv(&table())).unwrap();
        assert!(csv.starts_with("\u{feff}Mã,Nội dung,Kế hoạch,Hạn\r\n"));
        assert!(csv.contains("1.1,\"Trồng rừng, \"\"mới\"\"\",\"1.234,5\",15/12/2025\r\n"), "{csv}");
        assert!(csv.contains("1.2,\"'=HYPERLINK(\"\"x\"\")\",,\r\n"), "{csv}");
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(matches!(read_xlsx(b"not a zip"), Err(ReadError::NotXlsx(_))));
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 27), "AB7");
    }
}
