//! Spreadsheets in and out: a [`Table`] written as .xlsx (rust_xlsxwriter: bold
//! frozen header row, widths that fit, numbers and dates as Excel values shown the
//! Vietnamese way), a [`Report`] laid out for print beside it or as CSV (UTF-8 with a byte-order mark so Excel reads the
//! diacritics), and the cells of an .xlsx read back (calamine). The only module that
//! names either crate.
//!
//! CSV cells that would start a formula are defused.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

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
    to_xlsx_with(tables, &[])
}

/// The .xlsx bytes of `tables` (the first sheet is what an import reads) followed by
/// `reports`, one sheet each.
pub fn to_xlsx_with(tables: &[Table], reports: &[Report]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let head = Format::new().set_bold().set_text_wrap().set_background_color("#EEF2F7").set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    // Whole numbers without a decimal separator ("41.020", not "41.020,").
    let whole = Format::new().set_num_format("#,##0").set_align(FormatAlign::Top);
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
                    Cell::Number(v) if v.fract() == 0.0 => sheet.write_number_with_format(r, col, *v, &whole),
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
    for r in reports {
        write_report(&mut book, r).map_err(|e| e.to_string())?;
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A sheet laid out to be printed and forwarded: the issuing body's name and a
/// title over a bordered table whose first and last columns span the rows of their
/// item (a task over its targets), with a full-width row for each group; A4
/// landscape, fitted to the page's width, the header row repeated on every page.
#[derive(Debug, Clone)]
pub struct Report {
    /// The sheet's name.
    pub name: String,
    /// The issuing body's name lines, top left.
    pub issuer: Vec<String>,
    /// The title, centred in bold, and a line under it.
    pub title: String,
    /// The line under the title (the date of the figures).
    pub subtitle: String,
    /// Column headings.
    pub headers: Vec<&'static str>,
    /// Column widths, in characters.
    pub widths: Vec<f64>,
    /// Groups and their items, in order.
    pub blocks: Vec<Block>,
}

/// A part of a [`Report`].
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading row across the whole table.
    Group(String),
    /// An item: `head` cells (left) and `tail` cells (right) span its `lines`.
    Item {
        /// Cells on the left, each spanning all the item's lines.
        head: Vec<Cell>,
        /// The cells between them, one row per line.
        lines: Vec<Vec<Cell>>,
        /// Cells on the right, each spanning all the item's lines.
        tail: Vec<Cell>,
    },
}

/// Excel's number format for `v`: whole numbers without a decimal separator.
fn number_format(v: f64, percent: bool) -> &'static str {
    match (percent, v.fract() == 0.0, (v * 100.0).fract() == 0.0) {
        (false, true, _) => "#,##0",
        (false, false, _) => "#,##0.##",
        (true, _, true) => "0%",
        (true, _, false) => "0.0%",
    }
}

/// How many lines `text` takes in a column `width` characters wide when wrapped.
fn wrapped_lines(text: &str, width: f64) -> usize {
    // A column of width w holds about 1.2 w characters of the 10-point body font.
    let per_line = (width * 1.2 - 1.0).max(1.0) as usize;
    text.lines().map(|l| l.chars().count().max(1).div_ceil(per_line)).sum::<usize>().max(1)
}

fn write_report(book: &mut Workbook, r: &Report) -> Result<(), rust_xlsxwriter::XlsxError> {
    let sheet = book.add_worksheet();
    let name: String = r.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(&name)?;
    let last = r.headers.len().saturating_sub(1) as u16;
    let body =
        Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top).set_font_size(10);
    let head = body.clone().set_bold().set_align(FormatAlign::Center).set_background_color("#EEF2F7");
    let group = body.clone().set_bold().set_background_color("#F6F8FA");
    let issuer = Format::new().set_bold().set_align(FormatAlign::Center);
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center).set_text_wrap();
    let subtitle = Format::new().set_italic().set_align(FormatAlign::Center);
    let mut row: u32 = 0;
    for line in &r.issuer {
        sheet.merge_range(row, 0, row, 3.min(last), line, &issuer)?;
        row += 1;
    }
    row += 1;
    sheet.merge_range(row, 0, row, last, &r.title, &title)?;
    sheet.set_row_height(row, 36)?;
    row += 1;
    sheet.merge_range(row, 0, row, last, &r.subtitle, &subtitle)?;
    row += 2;
    for (c, h) in r.headers.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *h, &head)?;
    }
    sheet.set_row_height(row, 30)?;
    sheet.set_repeat_rows(row, row)?;
    sheet.set_freeze_panes(row + 1, 0)?;
    row += 1;
    let percent_col = r.headers.iter().position(|h| h.starts_with('%'));
    let put = |sheet: &mut rust_xlsxwriter::Worksheet, at: u32, to: u32, col: usize, cell: &Cell| {
        let c = col as u16;
        if to > at {
            sheet.merge_range(at, c, to, c, "", &body)?;
        }
        match cell {
            Cell::Empty => sheet.write_blank(at, c, &body).map(|_| ()),
            Cell::Text(s) => sheet.write_string_with_format(at, c, s, &body).map(|_| ()),
            Cell::Number(v) => {
                let f = body.clone().set_num_format(number_format(*v, Some(col) == percent_col));
                sheet.write_number_with_format(at, c, *v, &f).map(|_| ())
            }
            Cell::Date(d) => sheet.write_string_with_format(at, c, d.format("%d/%m/%Y").to_string(), &body).map(|_| ()),
        }
    };
    for b in &r.blocks {
        match b {
            Block::Group(text) => {
                sheet.merge_range(row, 0, row, last, text, &group)?;
                row += 1;
            }
            Block::Item { head: h, lines, tail } => {
                let n = lines.len().max(1) as u32;
                let end = row + n - 1;
                // Rows tall enough for their wrapped text (no program sizes merged
                // cells by itself): a spanning cell's lines shared over its rows.
                let width_of = |c: usize| r.widths.get(c).copied().unwrap_or(10.0);
                let spanning = h
                    .iter()
                    .enumerate()
                    .chain(tail.iter().enumerate().map(|(c, x)| (r.headers.len() - tail.len() + c, x)));
                let shared = spanning
                    .map(|(c, x)| wrapped_lines(&x.text(), width_of(c)))
                    .max()
                    .unwrap_or(1)
                    .div_ceil(n as usize);
                for k in 0..n as usize {
                    let own = lines.get(k).map_or(1, |l| {
                        l.iter()
                            .enumerate()
                            .map(|(c, x)| wrapped_lines(&x.text(), width_of(h.len() + c)))
                            .max()
                            .unwrap_or(1)
                    });
                    sheet.set_row_height(row + k as u32, 15.0 * own.max(shared) as f64)?;
                }
                for (c, cell) in h.iter().enumerate() {
                    put(sheet, row, end, c, cell)?;
                }
                for (k, line) in lines.iter().enumerate() {
                    for (c, cell) in line.iter().enumerate() {
                        put(sheet, row + k as u32, row + k as u32, h.len() + c, cell)?;
                    }
                }
                let width = h.len() + lines.first().map_or(0, Vec::len);
                for (c, cell) in tail.iter().enumerate() {
                    put(sheet, row, end, width + c, cell)?;
                }
                row = end + 1;
            }
        }
    }
    for (c, w) in r.widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0).set_print_center_horizontally(true);
    sheet.set_margins(0.5, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&CTrang &P/&N");
    Ok(())
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
