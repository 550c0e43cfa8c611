//! "Biểu tổng hợp", the register laid out for print, read back as another program
//! reads it (openpyxl): title and issuer, group rows, numbered tasks spanning their
//! targets, number formats without a stray separator, A4 landscape fitted to width
//! with the header repeated; the first sheet stays the data sheet an import reads.

use std::process::Command;

use serde_json::Value;

use crate::helpers::spawn_app;

/// What openpyxl reads of the workbook: sheet names, and of the summary its cells,
/// merged ranges, number formats and print setup.
const READ: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Biểu tổng hợp"]
cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
formats = {c.coordinate: c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))}
print(json.dumps({
    "sheets": wb.sheetnames,
    "cells": cells,
    "formats": formats,
    "merged": [str(r) for r in ws.merged_cells.ranges],
    "orientation": ws.page_setup.orientation,
    "paper": ws.page_setup.paperSize,
    "fit_width": ws.page_setup.fitToWidth,
    "fit_height": ws.page_setup.fitToHeight,
    "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
    "title_rows": ws.print_title_rows,
    "data_formats": sorted({c.number_format for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, (int, float))}),
}, ensure_ascii=False))
"#;

fn read(xlsx: &[u8]) -> Option<Value> {
    let ok = Command::new("python3").args(["-c", "import openpyxl"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        crate::helpers::skip("python3 with openpyxl (tests/run.sh installs it)");
        return None;
    }
    let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
    std::fs::write(file.path(), xlsx).unwrap();
    let out = Command::new("python3").args(["-c", READ]).arg(file.path()).output().unwrap();
    assert!(out.status.success(), "openpyxl: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[tokio::test]
async fn the_summary_sheet_reads_as_a_report_a_clerk_forwards() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (status, _, xlsx) = app.get_bytes(&format!("/api/v1/plans/{}/register.xlsx", p.plan)).await;
    assert_eq!(status, 200);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join("register-2024.xlsx"), &xlsx));
    let Some(r) = read(&xlsx) else { return };
    let sheets: Vec<&str> = r["sheets"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(sheets, ["Nhiệm vụ năm 2024", "Biểu tổng hợp"], "the data sheet first, for import");
    let cells = r["cells"].as_object().unwrap();
    let text = |k: &str| cells.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    assert_eq!(text("A1"), "ỦY BAN NHÂN DÂN", "the issuing body's name, top left");
    let title = cells.values().filter_map(Value::as_str).find(|v| v.starts_with("BIỂU TỔNG HỢP")).expect("a title");
    assert!(title.ends_with("NĂM 2024"), "{title}");
    // The header row, then a group row spanning the table, then task 1.1 numbered 1.
    let header = (1..20).find(|r| text(&format!("A{r}")) == "STT").expect("the header row");
    assert_eq!(text(&format!("K{header}")), "Tình trạng");
    let merged: Vec<&str> = r["merged"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let group_row = header + 1;
    assert!(merged.contains(&format!("A{group_row}:K{group_row}").as_str()), "a group row across: {merged:?}");
    assert!(text(&format!("A{group_row}")).starts_with("Nhóm nhiệm vụ"), "{}", text(&format!("A{group_row}")));
    let first = group_row + 1;
    assert_eq!(cells[&format!("A{first}")], 1, "STT 1");
    assert_eq!(text(&format!("B{first}")), "1.1");
    // A task with several targets: its cells span them (task 1.3 of the reference year).
    let spanning: Vec<&&str> = merged.iter().filter(|m| m.starts_with('C') && !m.contains(":K")).collect();
    assert!(!spanning.is_empty(), "task text spans its targets: {merged:?}");
    for m in &spanning {
        let (a, b) = m.split_once(':').unwrap();
        let (ra, rb): (u32, u32) = (a[1..].parse().unwrap(), b[1..].parse().unwrap());
        assert!(rb > ra, "{m}");
        assert!(merged.contains(&format!("A{ra}:A{rb}").as_str()), "STT spans too: {m}");
        assert!(merged.contains(&format!("K{ra}:K{rb}").as_str()), "the standing spans too: {m}");
        assert!(cells.contains_key(&format!("F{rb}")), "each target on its own row: {m}");
    }
    // Numbers: whole numbers with no decimal separator, shares as per cent.
    let formats = r["formats"].as_object().unwrap();
    for (at, f) in formats {
        let v = cells[at].as_f64().unwrap();
        match &at[..1] {
            "J" => assert!(f == "0%" || f == "0.0%", "{at}: {f}"),
            _ if v.fract() == 0.0 => assert_eq!(f, "#,##0", "{at} = {v}"),
            _ => assert_eq!(f, "#,##0.##", "{at} = {v}"),
        }
    }
    assert!(formats.keys().any(|k| k.starts_with('J')), "per cent of plan where both are known");
    let data: Vec<&str> = r["data_formats"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(data.contains(&"#,##0"), "the data sheet shows whole numbers whole too: {data:?}");
    // Print setup: A4 landscape, one page wide, the header repeated.
    assert_eq!(r["orientation"], "landscape");
    assert_eq!(r["paper"], 9, "A4");
    // fitToWidth left out means 1 (the OOXML default), as Excel writes it too.
    let width = r["fit_width"].as_i64().unwrap_or(1);
    assert_eq!((r["fit"].as_bool(), width, r["fit_height"].as_i64()), (Some(true), 1, Some(0)));
    assert_eq!(r["title_rows"], format!("${header}:${header}"), "the header row repeats on every page");
}
