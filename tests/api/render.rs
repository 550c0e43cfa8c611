//! Documents as PDF, read back with poppler as a user's tools read them.

use std::collections::BTreeMap;

use nhiemvu::storage::entities::{documents, tasks};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::poppler::{self, Page, normalise};

const EXPECTED: &str = include_str!("../fixtures/bao-cao-bac-son-2024.expected.txt");
const FOOTNOTE: &str = include_str!("../fixtures/bao-cao-bac-son-2024.footnote.txt");

/// mm → pt.
fn mm(v: f64) -> f64 {
    v * 72.0 / 25.4
}

/// Keeps a PDF under target/test-artifacts/ for people to look at.
pub(crate) fn keep(name: &str, pdf: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), pdf);
    }
}

async fn pdf_of(app: &TestApp, document_id: &str) -> Vec<u8> {
    let (status, content_type, body) = app.get_bytes(&format!("/api/v1/documents/{document_id}/pdf")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "application/pdf");
    assert!(body.starts_with(b"%PDF-"));
    body
}

async fn demo_pdf() -> (TestApp, String, Vec<u8>) {
    let app = spawn_app().await;
    let (_, _, doc) = app.load_demo().await;
    let pdf = pdf_of(&app, &doc).await;
    (app, doc, pdf)
}

#[tokio::test]
async fn the_reference_report_prints_every_sentence_of_the_original_in_order() {
    let (_, _, pdf) = demo_pdf().await;
    keep("report-demo.pdf", &pdf);
    let Some(text) = poppler::reading_text(&pdf) else { return };
    let footnote = normalise(FOOTNOTE);
    assert!(text.contains(&footnote), "the footnote of task 1.2 is printed");
    let text = normalise(&text.replacen(&footnote, " ", 1));
    let mut at = 0;
    for line in EXPECTED.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let want = normalise(line);
        match text[at..].find(&want) {
            Some(i) => at += i + want.len(),
            None => {
                // Name the first sentence of the paragraph that is missing.
                let sentence = want
                    .split_inclusive(". ")
                    .scan(String::new(), |acc, s| {
                        acc.push_str(s);
                        Some(acc.clone())
                    })
                    .find(|prefix| !text[at..].contains(prefix.trim_end()))
                    .unwrap_or_default();
                panic!(
                    "not printed (in order): {want}\n\nfirst missing part: {sentence}\n\nafter: {}",
                    &text[at..(at + 300).min(text.len())]
                );
            }
        }
    }
}

#[tokio::test]
async fn the_report_is_a4_with_only_the_bundled_fonts_all_embedded() {
    let (_, _, pdf) = demo_pdf().await;
    let Some(info) = poppler::run("pdfinfo", &[], &pdf) else { return };
    assert!(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(|c: char| c.is_ascii_digit())));
    assert!(
        info.contains("CreationDate:    Sun Dec  1 00:00:00 2024"),
        "creation date from the document's date: {info}"
    );
    let Some(fonts) = poppler::run("pdffonts", &[], &pdf) else { return };
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 4, "regular, bold, italic, bold italic: {fonts}");
    for row in rows {
        assert!(row.contains("LiberationSerif"), "{row}");
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "embedded: {row}");
    }
}

#[tokio::test]
async fn the_layout_follows_the_decree() {
    let (_, _, pdf) = demo_pdf().await;
    let Some(pages) = poppler::layout(&pdf) else { return };
    let tol = 0.5;
    for (n, page) in pages.iter().enumerate() {
        assert!((page.width - 595.276).abs() < 0.1 && (page.height - 841.89).abs() < 0.1, "A4 portrait");
        let (left, right, top, bottom) = (mm(30.0), page.width - mm(15.0), mm(20.0), page.height - mm(20.0));
        let mut in_top_margin = Vec::new();
        for w in page.lines.iter().flatten() {
            assert!(
                w.x_min >= left - tol && w.x_max <= right + tol,
                "page {}: {:?} outside the side margins",
                n + 1,
                w
            );
            assert!(w.y_max <= bottom + tol, "page {}: {:?} in the bottom margin", n + 1, w);
            if w.y_min < top - tol {
                in_top_margin.push(w);
            }
        }
        if n == 0 {
            assert!(in_top_margin.is_empty(), "no page number on page 1: {in_top_margin:?}");
        } else {
            assert_eq!(in_top_margin.len(), 1, "only the page number in the top margin of page {}", n + 1);
            let number = in_top_margin[0];
            assert_eq!(number.text, (n + 1).to_string());
            let centre = (number.x_min + number.x_max) / 2.0;
            assert!((centre - (left + right) / 2.0).abs() < 1.0, "page number centred: {centre}");
            assert!(number.y_max < top, "page number inside the top margin");
        }
    }
    let first = &pages[0];
    let motto = first.find_line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").expect("Quốc hiệu");
    assert_eq!(Page::line_text(motto), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "the Quốc hiệu on one line of its own");
    let number = first.lines.iter().flatten().find(|w| w.text == "Số:").expect("Số:");
    let date = first.lines.iter().flatten().find(|w| w.text == "Sơn,").expect("the date line");
    assert!((number.y_max - date.y_max).abs() < 0.5, "Số and the date on the same baseline: {number:?} {date:?}");
    assert!(number.x_max < date.x_min, "Số on the left, the date on the right");
    let page_of = |needle: &str| pages.iter().position(|p| p.find_line(needle).is_some()).expect(needle);
    assert_eq!(page_of("Nơi nhận:"), page_of("Phùng Thị Thanh Nga"), "signature and Nơi nhận on one page");
}

#[tokio::test]
async fn the_same_data_prints_the_same_bytes() {
    let (app, doc, first) = demo_pdf().await;
    let second = pdf_of(&app, &doc).await;
    assert!(first == second, "byte-identical PDFs");
}

const INJECTIONS: [&str; 9] = ["#read(\"/etc/passwd\")", "#panic()", "]", "$", "*", "@", "<", "1.", "- "];

#[tokio::test]
async fn text_that_looks_like_markup_prints_literally_in_every_field() {
    let app = spawn_app().await;
    let nasty = INJECTIONS.join(" x ");
    let mut issuer = crate::helpers::issuer_json("xa-a");
    for f in ["place_name", "full_name", "short_name"] {
        issuer[f] = json!(format!("{f} {nasty}"));
    }
    issuer["parent_lines"] = json!([format!("parent_name {nasty}")]);
    issuer["name_lines"] = json!([format!("name {nasty}")]);
    let issuer = app.post("/api/v1/issuers", issuer).await.expect(201)["id"].as_str().unwrap().to_owned();
    app.administer(&issuer).await;
    let (plan, group) = app.plan_with_group(&issuer, 2025).await;
    let g = json!({"plan_id": plan, "title": format!("group {nasty}"), "position": 1});
    app.put(&format!("/api/v1/groups/{group}"), g).await.expect(200);
    let task = app
        .post("/api/v1/tasks", json!({"group_id": group, "code": "1.1", "text": format!("task {nasty}")}))
        .await
        .expect(201);
    // In a narrative, a leading "1." or "- " is a paragraph mark; anywhere else it is text.
    let narrative = format!("narrative {nasty}");
    app.post("/api/v1/results", json!({"task_id": task["id"], "narrative": narrative, "self_score": 95}))
        .await
        .expect(201);
    app.post("/api/v1/proposals", json!({"plan_id": plan, "section": "issuer", "text": format!("proposal {nasty}")}))
        .await
        .expect(201);
    let doc = json!({
        "issuer_id": issuer, "plan_id": plan, "kind": "report",
        "subject": format!("subject {nasty}"),
        "legal_bases": [format!("basis {nasty}")],
        "opening": format!("opening {nasty}"),
        "sections": {"direction": format!("direction {nasty}"), "results_intro": format!("intro {nasty}")},
        "closing": format!("closing {nasty}"),
        "recipients": [{"label": format!("recipient {nasty}")}],
        "signer_collective": format!("collective {nasty}"), "signer_position": format!("position {nasty}"),
        "signer_name": format!("signer {nasty}")
    });
    let doc = app.post("/api/v1/documents", doc).await.expect(201);
    let pdf = pdf_of(&app, doc["id"].as_str().unwrap()).await;
    let Some(text) = poppler::reading_text(&pdf) else { return };
    let printed = normalise(&nasty);
    for field in [
        "parent_name",
        "name",
        "place_name",
        "full_name",
        "group",
        "task",
        "narrative",
        "proposal",
        "subject",
        "basis",
        "opening",
        "direction",
        "intro",
        "closing",
        "recipient",
        "collective",
        "position",
        "signer",
    ] {
        let want = normalise(&format!("{field} {nasty}"));
        let found = text.contains(&want) || text.to_uppercase().contains(&want.to_uppercase());
        assert!(found, "{field}: {printed:?} not printed literally in {text}");
    }
}

#[tokio::test]
async fn a_character_the_font_cannot_draw_is_refused_where_it_is_typed_and_old_text_is_named_by_its_record() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (plan, group) = app.plan_with_group(&issuer, 2025).await;
    // Refused at its field, with the character and where it is.
    let body = app
        .post("/api/v1/tasks", json!({"group_id": group, "code": "1.1", "text": "Nhiệm vụ 漢字"}))
        .await
        .expect_error(422, "validation_failed", Some("text"));
    let message = body["fields"]["text"].as_str().unwrap();
    assert!(message.contains("“漢”") && message.contains("U+6F22") && message.contains("vị trí 10"), "{message}");
    let task =
        app.post("/api/v1/tasks", json!({"group_id": group, "code": "1.1", "text": "Nhiệm vụ"})).await.expect(201);
    let id = task["id"].as_str().unwrap().to_owned();
    for odd in ["Đạt 100% 🎉", "٣ hồ sơ", "mã \u{E000}"] {
        let edit = json!({"group_id": group, "code": "1.1", "text": odd});
        app.put(&format!("/api/v1/tasks/{id}"), edit).await.expect_error(422, "validation_failed", Some("text"));
    }
    let doc = json!({"issuer_id": issuer, "plan_id": plan, "kind": "report", "subject": "Báo cáo 🙂", "signer_position": "CHỦ TỊCH", "signer_name": "A"});
    app.post("/api/v1/documents", doc).await.expect_error(422, "validation_failed", Some("subject"));

    // Text saved before the check (written straight to the database here): the
    // document still prints, with a placeholder, and its check names the record.
    let row = tasks::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&app.db.conn).await.unwrap().unwrap();
    let mut am: tasks::ActiveModel = row.into();
    am.text = Set("Nhiệm vụ 漢字 cũ".into());
    am.update(&app.db.conn).await.unwrap();
    let doc = json!({"issuer_id": issuer, "plan_id": plan, "kind": "report", "subject": "Báo cáo", "signer_position": "CHỦ TỊCH", "signer_name": "A"});
    let doc = app.post("/api/v1/documents", doc).await.expect(201);
    let doc = doc["id"].as_str().unwrap().to_owned();
    let (status, _, pdf) = app.get_bytes(&format!("/api/v1/documents/{doc}/pdf")).await;
    assert_eq!(status, 200, "the document still prints");
    if let Some(text) = poppler::reading_text(&pdf) {
        assert!(text.contains("Nhiệm vụ □□ cũ"), "a visible placeholder: {text}");
    }
    let check = app.get(&format!("/api/v1/documents/{doc}/check")).await.expect(200);
    let found = check["findings"].as_array().unwrap().iter().find(|f| f["code"] == "character_not_printable");
    let found = found.unwrap_or_else(|| panic!("the check names it: {check}"));
    assert_eq!(found["severity"], "error");
    let message = found["message"].as_str().unwrap();
    assert!(message.starts_with("Nhiệm vụ 1.1, nội dung") && message.contains("“漢”"), "{message}");
    assert!(!message.contains("tasks[") && !message.contains("heading"), "no internal path: {message}");
}

#[tokio::test]
async fn an_issued_report_prints_its_number_and_date_and_a_draft_prints_blanks() {
    let (app, doc, draft) = demo_pdf().await;
    let Some(text) = poppler::reading_text(&draft) else { return };
    assert!(text.contains("Số: /BC-UBND") && text.contains("Bắc Sơn, ngày tháng 12 năm 2024"), "draft blanks");
    let row =
        documents::Entity::find_by_id(doc.parse::<uuid::Uuid>().unwrap()).one(&app.db.conn).await.unwrap().unwrap();
    let mut am: documents::ActiveModel = row.into();
    am.state = Set(nhiemvu::domain::DocumentState::Issued);
    am.number = Set(Some(5));
    am.dated_on = Set(chrono::NaiveDate::from_ymd_opt(2025, 1, 5));
    am.update(&app.db.conn).await.unwrap();
    let issued = pdf_of(&app, &doc).await;
    let text = poppler::reading_text(&issued).unwrap();
    assert!(text.contains("Số: 05/BC-UBND"), "number with a leading zero");
    assert!(text.contains("Bắc Sơn, ngày 05 tháng 01 năm 2025"), "date with leading zeros for day and January");
}

async fn plan_fixture(app: &TestApp) -> (String, String, BTreeMap<&'static str, String>) {
    let issuer = app.issuer("xa-a").await;
    let mut units = BTreeMap::new();
    for short in ["TC", "NN", "VH"] {
        units.insert(short, app.unit(&issuer, short).await);
    }
    let (plan, group) = app.plan_with_group(&issuer, 2025).await;
    let t1 = json!({"group_id": group, "code": "1.1", "text": "Thu ngân sách tăng 10%", "lead_unit_id": units["TC"], "cooperating_unit_ids": [units["NN"]], "deadline": "2025-03-31"});
    let t2 = json!({"group_id": group, "code": "1.2", "text": "Trồng mới 600 ha rừng", "lead_unit_id": units["NN"], "deadline": "2025-04-15"});
    let t3 = json!({"group_id": group, "code": "1.3", "text": "Nhà văn hóa đạt chuẩn 77%", "lead_unit_id": units["VH"], "deadline": "2025-12-15"});
    for t in [t1, t2, t3] {
        app.post("/api/v1/tasks", t).await.expect(201);
    }
    (issuer, plan, units)
}

fn document(issuer: &str, plan: &str, kind: &str, subject: &str, extra: Value) -> Value {
    let mut d = json!({
        "issuer_id": issuer, "plan_id": plan, "kind": kind, "subject": subject,
        "recipients": [{"label": "Các đơn vị được giao nhiệm vụ"}, {"label": "Lưu: VT, VP"}],
        "signer_authority": "kt", "signer_head_title": "CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH", "signer_name": "Nguyễn Văn A",
        "dated_on": "2025-04-10"
    });
    d.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    d
}

#[tokio::test]
async fn the_assignment_plan_prints_its_tasks_as_a_table() {
    let app = spawn_app().await;
    let (issuer, plan, _) = plan_fixture(&app).await;
    let d = document(
        &issuer,
        &plan,
        "plan",
        "Thực hiện nhiệm vụ trọng tâm năm 2025",
        json!({"opening": "Ủy ban nhân dân xã ban hành Kế hoạch như sau:"}),
    );
    let doc = app.post("/api/v1/documents", d).await.expect(201);
    let pdf = pdf_of(&app, doc["id"].as_str().unwrap()).await;
    keep("plan.pdf", &pdf);
    let Some(text) = poppler::reading_text(&pdf) else { return };
    for want in [
        "KẾ HOẠCH",
        "Thực hiện nhiệm vụ trọng tâm năm 2025",
        "Số: /KH-UBND",
        "Chủ trì",
        "Phối hợp",
        "Thời hạn",
        "1.1",
        "Thu ngân sách tăng 10%",
        "Đơn vị TC",
        "Đơn vị NN",
        "31/03/2025",
        "15/04/2025",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
        "- Lưu: VT, VP.",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
}

#[tokio::test]
async fn the_urging_letter_names_the_late_units_and_their_tasks() {
    let app = spawn_app().await;
    let (issuer, plan, _) = plan_fixture(&app).await;
    let d = document(
        &issuer,
        &plan,
        "letter",
        "đôn đốc thực hiện nhiệm vụ trọng tâm năm 2025",
        json!({"drafting_unit": "VP", "opening": "Ủy ban nhân dân xã đề nghị các đơn vị khẩn trương thực hiện các nhiệm vụ sau:"}),
    );
    let doc = app.post("/api/v1/documents", d).await.expect(201);
    let pdf = pdf_of(&app, doc["id"].as_str().unwrap()).await;
    keep("letter.pdf", &pdf);
    let Some(text) = poppler::reading_text(&pdf) else { return };
    for want in [
        "Số: /UBND-VP",
        "V/v đôn đốc thực hiện nhiệm vụ trọng tâm năm 2025",
        "Kính gửi:",
        "- Đơn vị NN;",
        "- Đơn vị TC.",
        "Nhiệm vụ 1.1: Thu ngân sách tăng 10% (hạn 31/03/2025, đã quá hạn 10 ngày)",
        "Nhiệm vụ 1.2: Trồng mới 600 ha rừng (hạn 15/04/2025, còn 5 ngày)",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    assert!(!text.contains("Nhà văn hóa đạt chuẩn 77%"), "a task due in December is not chased in April");
}

#[tokio::test]
async fn commune_tasks_and_evidence_print_as_appendices_with_their_own_page_numbers() {
    let (app, doc, _) = demo_pdf().await;
    let report = app.get(&format!("/api/v1/documents/{doc}")).await.expect(200);
    let plan = report["plan_id"].as_str().unwrap().to_owned();
    let units = app
        .get(&format!("/api/v1/units?issuer_id={}&kind=commune", report["issuer_id"].as_str().unwrap()))
        .await
        .expect(200);
    for (i, u) in units["items"].as_array().unwrap().iter().enumerate() {
        let text = format!("Xây dựng {} mô hình kinh tế tại {}", i + 1, u["name"].as_str().unwrap());
        app.post(
            "/api/v1/proposals",
            json!({"plan_id": plan, "section": "commune_specific", "text": text, "unit_id": u["id"]}),
        )
        .await
        .expect(201);
    }
    let task = app.get(&format!("/api/v1/tasks?plan_id={plan}&per_page=1")).await.expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ev = app.upload(&task, "Quyết định giao dự toán.pdf", b"%PDF-1.4 quyet dinh".to_vec(), None).await.expect(201);
    let pdf = pdf_of(&app, &doc).await;
    keep("report-appendices.pdf", &pdf);
    let Some(text) = poppler::reading_text(&pdf) else { return };
    for want in [
        "3. Các nhiệm vụ riêng của UBND các xã, thị trấn năm 2025 (Có biểu chi tiết kèm theo).",
        "Phụ lục I",
        "BIỂU CHI TIẾT CÁC NHIỆM VỤ RIÊNG CỦA UBND CÁC XÃ, THỊ TRẤN NĂM 2025",
        "(Kèm theo Báo cáo số /BC-UBND ngày của Ủy ban nhân dân huyện Bắc Sơn)",
        "Xây dựng 1 mô hình kinh tế tại UBND xã",
        "Phụ lục II",
        "DANH MỤC MINH CHỨNG",
        "Quyết định giao dự toán.pdf",
    ] {
        assert!(text.contains(want), "{want:?} in the appendices");
    }
    let sha = ev["sha256"].as_str().unwrap();
    assert!(text.replace(' ', "").contains(sha), "the file's SHA-256 (it may wrap in its cell)");
    let Some(pages) = poppler::layout(&pdf) else { return };
    let first_appendix = pages.iter().position(|p| p.find_line("Phụ lục I").is_some()).unwrap();
    // Three columns fit a portrait page; landscape is for wide tables only.
    assert!(pages[first_appendix].width < pages[first_appendix].height, "the commune table is portrait");
    let second = pages.iter().position(|p| p.find_line("Phụ lục II").is_some()).unwrap();
    assert!(pages[second].width < pages[second].height, "the evidence list is portrait");
    for p in [first_appendix, second] {
        let top: Vec<&str> =
            pages[p].lines.iter().flatten().filter(|w| w.y_max < mm(20.0)).map(|w| w.text.as_str()).collect();
        assert!(top.is_empty(), "an appendix starts again at page 1, unnumbered: {top:?}");
    }
}
