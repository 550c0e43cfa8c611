//! Documents right for any office, read back the way a văn thư reads them: a
//! second real report entered through the API as a new office would (a commune
//! after the 2025 reform, a deputy signing "KT. CHỦ TỊCH" under "TM. ỦY BAN NHÂN
//! DÂN", a footnote, an appendix per village, the 2026 rubric), the reference
//! report, a plan and a letter — each passes the Nghị định 30 check, and poppler
//! measures what the decree asks: line pitch, paragraph spacing, bold header
//! lines, nothing split, no Markdown left over.

use std::io::Write;
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::poppler;

const SEAL: &[u8] = include_bytes!("../../config/demo/images/seal-sample.png");
const SIGNATURE: &[u8] = include_bytes!("../../config/demo/images/signature-sample.png");

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The commune of Tân Hương, its year 2026 and its year-end report; returns (office token, report id).
async fn tan_huong(app: &TestApp) -> (String, String) {
    let issuer = id(&app
        .as_admin()
        .post(
            "/api/v1/issuers",
            json!({
                "code": "tan-huong",
                "name_lines": ["ỦY BAN NHÂN DÂN", "XÃ TÂN HƯƠNG"],
                "abbreviation": "UBND",
                "place_name": "Tân Hương",
                "full_name": "Ủy ban nhân dân xã",
                "short_name": "UBND xã",
                "subordinates_name": "các thôn",
                "collective_title": "ỦY BAN NHÂN DÂN",
                "head_title": "CHỦ TỊCH",
                "deputy_title": "PHÓ CHỦ TỊCH"
            }),
        )
        .await
        .expect(201));
    app.administer(&issuer).await;
    let issuer_uuid: uuid::Uuid = issuer.parse().unwrap();
    app.put_bytes(&format!("/api/v1/issuers/{issuer}/seal-image"), SEAL.to_vec()).await.expect(204);
    let (_, office) = app.user(issuer_uuid, "office", None).await;
    let (deputy, _) = app.user(issuer_uuid, "signer", None).await;
    app.as_admin().put_bytes(&format!("/api/v1/users/{deputy}/signature-image"), SIGNATURE.to_vec()).await.expect(204);
    let unit = |short: &str, name: &str| json!({"issuer_id": issuer, "short_name": short, "name": name, "kind": "department", "emails": []});
    let vp = id(&app.post("/api/v1/units", unit("VP", "Văn phòng HĐND và UBND xã")).await.expect(201));
    let kt = id(&app.post("/api/v1/units", unit("KT", "Phòng Kinh tế")).await.expect(201));
    let vhxh = id(&app.post("/api/v1/units", unit("VH-XH", "Phòng Văn hóa - Xã hội")).await.expect(201));
    let rubrics = app.get(&format!("/api/v1/rubrics?issuer_id={issuer}")).await.expect(200);
    let state_2026 = rubrics["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().contains("335"))
        .unwrap()["id"]
        .clone();
    app.act_as(&office);
    let plan = id(&app
        .post(
            "/api/v1/plans",
            json!({"issuer_id": issuer, "year": 2026, "title": "Nhiệm vụ trọng tâm năm 2026", "rubric_id": state_2026,
                "based_on": ["Kế hoạch số 12/KH-UBND ngày 15/01/2026 của UBND xã về thực hiện nhiệm vụ trọng tâm năm 2026"]}),
        )
        .await
        .expect(201));
    let group = |title: &str| json!({"plan_id": plan, "title": title});
    let econ = id(&app.post("/api/v1/groups", group("Nhóm nhiệm vụ về phát triển kinh tế")).await.expect(201));
    let social = id(&app.post("/api/v1/groups", group("Nhóm nhiệm vụ về văn hóa - xã hội")).await.expect(201));
    let tasks = [
        (
            &econ,
            "1.1",
            "Thu ngân sách nhà nước trên địa bàn đạt **4.150 triệu đồng**, tăng 8% so với dự toán được giao.",
            &kt,
            "2026-11-30",
            92,
            "Thu ngân sách đến ngày 20/11/2026 đạt 4.380 triệu đồng, bằng 105,5% dự toán (**vượt**).",
        ),
        (
            &econ,
            "1.2",
            "Hoàn thành cứng hóa 3,5 km đường giao thông nông thôn theo Kế hoạch số 133/KH-UBND ngày 11/4/2026.",
            &kt,
            "2026-10-31",
            85,
            "Đã cứng hóa 3,2 km (đạt 91,4%)[^1]; phần còn lại hoàn thành trong tháng 12/2026 (*dự kiến đạt*).\n\n[^1]: Do mưa lũ tháng 9/2026, hai tuyến ở thôn Khuổi Bó phải tạm dừng thi công.",
        ),
        (
            &social,
            "2.1",
            "Giảm tỷ lệ hộ nghèo đa chiều từ 3% trở lên; hỗ trợ xây mới 12 nhà ở cho hộ nghèo.",
            &vhxh,
            "2026-12-15",
            78,
            "Tỷ lệ hộ nghèo dự kiến giảm 3,2%; đã bàn giao 10/12 nhà (**đạt**).",
        ),
        (
            &social,
            "2.2",
            "Giữ vững chuẩn quốc gia về y tế xã; tỷ lệ người dân có hồ sơ sức khỏe điện tử đạt 95%.",
            &vp,
            "2026-12-20",
            95,
            "Tỷ lệ hồ sơ sức khỏe điện tử đạt 96,1% (**vượt**).",
        ),
    ];
    for (g, code, text, lead, deadline, score, narrative) in tasks {
        let t = id(&app
            .post(
                "/api/v1/tasks",
                json!({"group_id": g, "code": code, "text": text, "lead_unit_id": lead, "deadline": deadline}),
            )
            .await
            .expect(201));
        app.post(
            "/api/v1/targets",
            json!({"task_id": t, "description": "Chỉ tiêu chính", "measure_unit": "%", "goal_value": 100}),
        )
        .await
        .expect(201);
        let r = id(&app
            .post("/api/v1/results", json!({"task_id": t, "narrative": narrative, "self_score": score}))
            .await
            .expect(201));
        app.post(&format!("/api/v1/results/{r}/submit"), json!({})).await.expect(200);
        app.post(&format!("/api/v1/results/{r}/accept"), json!({})).await.expect(200);
    }
    for (section, text, place) in [
        ("issuer", "Phấn đấu thu ngân sách năm 2027 tăng 10% so với dự toán giao.", None),
        ("issuer", "Hoàn thành cứng hóa các tuyến đường còn lại ở thôn Khuổi Bó.", None),
        ("commune_specific", "Xây dựng nhà văn hóa thôn đạt chuẩn.", Some("Thôn Khuổi Bó")),
        ("commune_specific", "Phát triển mô hình trồng quýt theo chuỗi giá trị.", Some("Thôn Nà Lay")),
        ("commune_specific", "Kiên cố hóa 1,2 km kênh mương nội đồng.", Some("Thôn Tân Lập")),
    ] {
        app.post("/api/v1/proposals", json!({"plan_id": plan, "section": section, "text": text, "place": place}))
            .await
            .expect(201);
    }
    let report = id(&app
        .post(
            "/api/v1/documents",
            json!({
                "issuer_id": issuer, "plan_id": plan, "kind": "report",
                "subject": "Kết quả thực hiện các nhiệm vụ trọng tâm năm 2026 và đề xuất nhiệm vụ trọng tâm năm 2027",
                "legal_bases": ["Căn cứ Nghị quyết số 05/NQ-HĐND ngày 20/12/2025 của Hội đồng nhân dân xã về nhiệm vụ phát triển kinh tế - xã hội năm 2026;"],
                "sections": {
                    "direction": "Ngay từ đầu năm, Ủy ban nhân dân xã ban hành Kế hoạch số 12/KH-UBND ngày 15/01/2026, giao nhiệm vụ cho từng bộ phận, thôn; định kỳ hằng quý kiểm tra, đôn đốc tiến độ.",
                    "results_intro": "Tiến độ, kết quả thực hiện (tính đến ngày 20/11/2026), như sau:"
                },
                "recipients": [
                    {"label": "TT. Đảng ủy xã", "emails": ["dangu@tanhuong.example.vn"]},
                    {"label": "TT. HĐND xã"},
                    {"label": "CT, các PCT UBND xã"},
                    {"label": "Lưu: VT, VP"}
                ],
                "signer_collective": "ỦY BAN NHÂN DÂN",
                "signer_authority": "kt",
                "signer_head_title": "CHỦ TỊCH",
                "signer_position": "PHÓ CHỦ TỊCH",
                "signer_name": "Hoàng Văn Tuấn",
                "signer_user_id": deputy,
                "dated_on": "2026-11-25"
            }),
        )
        .await
        .expect(201));
    (office, report)
}

async fn check(app: &TestApp, doc: &str) -> Value {
    app.get(&format!("/api/v1/documents/{doc}/check")).await.expect(200)
}

fn errors(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{}: {}", f["code"], f["message"]))
        .collect()
}

async fn pdf(app: &TestApp, doc: &str) -> Vec<u8> {
    let (status, _, body) = app.get_bytes(&format!("/api/v1/documents/{doc}/pdf")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    body
}

/// Body lines' baseline pitch (as a multiple of the size) and the extra space
/// between paragraphs (points), measured on every page with `pdftotext -bbox-layout`.
fn spacing(pdf: &[u8]) -> Option<(Vec<f64>, Vec<f64>)> {
    let pages = poppler::layout(pdf)?;
    let left = 30.0 * 72.0 / 25.4;
    let (mut pitches, mut gaps) = (Vec::new(), Vec::new());
    for page in &pages {
        let right = page.width - 15.0 * 72.0 / 25.4;
        // A centred line (a title, a caption) is not a paragraph's.
        let centred = |l: &Vec<poppler::Word>| {
            let (gap_left, gap_right) = (l[0].x_min - left, right - l[l.len() - 1].x_max);
            gap_left > 10.0 && gap_right > 10.0 && (gap_left - gap_right).abs() < 12.0
        };
        // 14 pt body text: poppler's word boxes are 0.89 em tall, 12.5 pt (13 pt lines 11.6, 12 pt 10.7).
        let body: Vec<&Vec<poppler::Word>> = page
            .lines
            .iter()
            .filter(|l| !l.is_empty() && (l[0].y_max - l[0].y_min) > 12.2 && l[0].x_min < left + 40.0 && !centred(l))
            .collect();
        for w in body.windows(2) {
            let (a, b) = (&w[0][0], &w[1][0]);
            let size = a.y_max - a.y_min;
            let pitch = b.y_max - a.y_max;
            if pitch <= 0.0 || pitch > 3.0 * size {
                continue;
            }
            if b.x_min > left + 20.0 {
                gaps.push(pitch);
            } else {
                pitches.push(pitch / 14.0);
            }
        }
    }
    Some((pitches, gaps))
}

/// pdftohtml's XML: every text run with its font, to see which lines are bold.
fn runs(pdf: &[u8]) -> Option<Vec<(String, bool)>> {
    if Command::new("pdftohtml").arg("-v").output().is_err() {
        crate::helpers::skip("`pdftohtml` (poppler-utils); tests/run.sh installs it");
        return None;
    }
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(pdf).unwrap();
    let out = Command::new("pdftohtml").args(["-xml", "-i", "-stdout", "-q"]).arg(f.path()).output().unwrap();
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut bold_fonts = Vec::new();
    for spec in xml.split("<fontspec ").skip(1) {
        let id = spec.split("id=\"").nth(1)?.split('"').next()?.to_owned();
        let family = spec.split("family=\"").nth(1)?.split('"').next()?;
        if family.to_lowercase().contains("bold") {
            bold_fonts.push(id);
        }
    }
    let mut out = Vec::new();
    for t in xml.split("<text ").skip(1) {
        let font = t.split("font=\"").nth(1)?.split('"').next()?;
        let body = t.split_once('>')?.1.split("</text>").next()?;
        let text = body.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "");
        let bold = bold_fonts.iter().any(|b| b == font) || body.contains("<b>");
        out.push((text.trim().to_owned(), bold));
    }
    Some(out)
}

fn assert_reads_right(name: &str, pdf: &[u8]) {
    let Some(text) = poppler::reading_text(pdf) else { return };
    assert!(!text.contains('*'), "{name}: no Markdown asterisk is printed: {text}");
    assert!(!text.contains('\u{2060}') && !text.contains('\u{200B}'), "{name}: no invisible characters in the text");
    if let Some((pitches, gaps)) = spacing(pdf) {
        assert!(pitches.len() + gaps.len() >= 2, "{name}: body lines measured");
        for p in &pitches {
            assert!(
                (1.15 - 0.03..=1.5 * 1.15 + 0.03).contains(p),
                "{name}: line pitch {p:.3} em outside single–1.5 lines"
            );
        }
        for g in &gaps {
            // Baseline to baseline across a paragraph break: one line plus at least 6 pt.
            assert!(*g >= 1.15 * 14.0 + 6.0 - 1.0, "{name}: paragraphs {g:.1} pt apart, less than a line and 6 pt");
        }
    }
    if let Some(pages) = poppler::layout(pdf) {
        for page in &pages {
            for w in page.lines.windows(2) {
                let a = poppler::Page::line_text(&w[0]);
                let b = poppler::Page::line_text(&w[1]);
                let last = a.split_whitespace().last().unwrap_or("");
                let symbol_cut =
                    (last.ends_with('/') || last.ends_with('-')) && last.starts_with(|c: char| c.is_ascii_digit());
                let split = symbol_cut || (a.ends_with("số") && b.chars().next().is_some_and(|c| c.is_ascii_digit()));
                assert!(!split, "{name}: a number or date is split: {a:?} | {b:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_commune_report_signed_by_a_deputy_passes_the_check_and_reads_as_the_decree_asks() {
    let app = spawn_app().await;
    let (office, report) = tan_huong(&app).await;
    let found = check(app.act_as(&office), &report).await;
    assert_eq!(errors(&found), Vec::<String>::new(), "the check finds no error: {found}");
    let draft = pdf(&app, &report).await;
    crate::render::keep("nd30-commune-report.pdf", &draft);
    assert_reads_right("commune report", &draft);
    if let Some(text) = poppler::reading_text(&draft) {
        for want in [
            "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "Hoàng Văn Tuấn",
            "Thu ngân sách nhà nước trên địa bàn đạt 4.150 triệu đồng",
            "2. Các nhiệm vụ riêng của các thôn năm 2027 (Có biểu chi tiết kèm theo).",
            "(Kèm theo Báo cáo số /BC-UBND ngày của Ủy ban nhân dân xã Tân Hương)",
            "Thôn Khuổi Bó",
            "Xếp loại mức độ hoàn thành: Hoàn thành xuất sắc nhiệm vụ",
            "Trên đây là báo cáo tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm 2026 của Ủy ban nhân dân xã./.",
            "- Lưu: VT, VP.",
        ] {
            assert!(text.contains(want), "{want:?} in:\n{text}");
        }
        assert!(!text.contains("HUYỆN") && !text.contains("huyện"), "nothing says huyện");
    }
    // The footnote's text stands a space apart from its mark at the foot of the page.
    if let Some(pages) = poppler::layout(&draft) {
        let words: Vec<&poppler::Word> = pages.iter().flat_map(|p| p.lines.iter().flatten()).collect();
        let at = words.iter().position(|w| {
            w.text == "Do"
                && words
                    .get(words.iter().position(|x| std::ptr::eq(*x, *w)).unwrap() + 1)
                    .is_some_and(|n| n.text == "mưa")
        });
        let text = words[at.expect("the footnote's text")];
        let mark = words
            .iter()
            .filter(|w| w.text == "1" && (w.y_max - text.y_max).abs() < 8.0 && w.x_max <= text.x_min)
            .max_by(|a, b| a.x_max.total_cmp(&b.x_max))
            .expect("the footnote's mark before its text");
        assert!(
            text.x_min - mark.x_max >= 1.5,
            "a space between the mark and the text: {:.1} pt",
            text.x_min - mark.x_max
        );
    }
    if let Some(runs) = runs(&draft) {
        for line in ["ỦY BAN NHÂN DÂN", "XÃ TÂN HƯƠNG"] {
            let run = runs.iter().find(|(t, _)| t == line).unwrap_or_else(|| panic!("{line} in {runs:?}"));
            assert!(run.1, "{line} is bold, like the rest of the issuer's name");
        }
    }
    // Through the workflow: the deputy approves, the office issues; the issued file passes too.
    app.post(&format!("/api/v1/documents/{report}/submit"), json!({})).await.expect(200);
    let signer = app.get(&format!("/api/v1/documents/{report}")).await.expect(200)["signer_user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let signer_token = {
        let actor = nhiemvu::storage::audit::Actor {
            user_id: Some(signer.parse().unwrap()),
            client_addr: None,
            seen_rev: None,
            role: Some(nhiemvu::domain::Role::Signer),
            issuer_id: app.get(&format!("/api/v1/documents/{report}")).await.expect(200)["issuer_id"]
                .as_str()
                .unwrap()
                .parse()
                .ok(),
            unit_id: None,
            server_admin: false,
        };
        nhiemvu::services::auth::create_token(&app.db, &actor, nhiemvu::services::now(), "ký").await.unwrap().token
    };
    app.act_as(&signer_token).post(&format!("/api/v1/documents/{report}/approve"), json!({})).await.expect(200);
    app.act_as(&office).post(&format!("/api/v1/documents/{report}/issue"), json!({})).await.expect(200);
    let issued = pdf(&app, &report).await;
    crate::render::keep("nd30-commune-report-issued.pdf", &issued);
    assert_eq!(errors(&check(&app, &report).await), Vec::<String>::new());
    assert_reads_right("issued commune report", &issued);
    if let Some(images) = poppler::run("pdfimages", &["-list"], &issued) {
        let placed = images.lines().skip(2).filter(|l| l.split_whitespace().nth(2) == Some("image")).count();
        assert_eq!(placed, 2, "the signature and the seal are on the page: {images}");
    }
}

#[tokio::test]
async fn the_reference_report_a_plan_and_a_letter_pass_the_check() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    app.act_as(p.token("office"));
    let found = check(&app, &p.report).await;
    assert_eq!(errors(&found), Vec::<String>::new(), "{found}");
    assert_reads_right("reference report", &pdf(&app, &p.report).await);
    for (kind, subject, extra) in [
        ("plan", "Kế hoạch thực hiện các nhiệm vụ trọng tâm năm 2024 của Ủy ban nhân dân huyện Bắc Sơn", json!({})),
        (
            "letter",
            "Đôn đốc thực hiện các nhiệm vụ trọng tâm năm 2024 còn chậm tiến độ",
            json!({"drafting_unit": "VP", "opening": "Thực hiện Kế hoạch số 43/KH-UBND ngày 07/02/2024 của UBND huyện về thực hiện nhiệm vụ trọng tâm năm 2024, đến nay một số nhiệm vụ còn chậm so với tiến độ đề ra. Để hoàn thành các nhiệm vụ trong năm, Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị được giao chủ trì tập trung chỉ đạo, báo cáo kết quả về Văn phòng HĐND và UBND huyện trước ngày 15/12/2024."}),
        ),
    ] {
        let mut body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": kind, "subject": subject,
            "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga",
            "signer_user_id": p.ids["signer"], "recipients": [{"label": "Các cơ quan chuyên môn"}, {"label": "Lưu: VT"}],
            "dated_on": "2024-06-10"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let doc = id(&app.post("/api/v1/documents", body).await.expect(201));
        let found = check(&app, &doc).await;
        assert_eq!(errors(&found), Vec::<String>::new(), "{kind}: {found}");
        let file = pdf(&app, &doc).await;
        crate::render::keep(&format!("nd30-{kind}.pdf"), &file);
        assert_reads_right(kind, &file);
    }
}

#[tokio::test]
async fn a_document_with_errors_is_not_submitted_and_the_findings_name_the_fields() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report", "subject": "Báo cáo",
        "signer_position": "CHỦ TỊCH", "signer_name": "", "closing": "Trên đây là báo cáo.",
        "recipients": [{"label": "TT. Huyện ủy"}], "dated_on": "2023-01-05"});
    let doc = id(&app.act_as(p.token("office")).post("/api/v1/documents", body).await.expect(201));
    let refused = app.post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect_error(
        409,
        "nd30_check_failed",
        None,
    );
    let codes: Vec<&str> =
        refused["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    for code in ["signer_block", "recipients_without_archive", "closing_without_end_mark", "date_outside_plan_year"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    assert!(refused["fields"]["signer_name"].is_string(), "{refused}");
    assert_eq!(app.get(&format!("/api/v1/documents/{doc}")).await.expect(200)["state"], "draft", "nothing changed");
    // A signer block the decree does not allow is refused when it is saved.
    let mut wrong = crate::helpers::doc_input(&app.get(&format!("/api/v1/documents/{doc}")).await.expect(200));
    wrong["signer_authority"] = json!("kt");
    wrong["signer_head_title"] = json!("CHỦ TỊCH");
    wrong["signer_position"] = json!("CHỦ TỊCH");
    app.put(&format!("/api/v1/documents/{doc}"), wrong).await.expect_error(
        422,
        "validation_failed",
        Some("signer_position"),
    );
}

#[test]
fn any_pdf_can_be_checked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khong-phai-a4.pdf");
    // A PDF that is not A4 and has no header: the check says so and exits 1.
    let letter = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF";
    std::fs::write(&path, letter).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nhiemvu")).arg("check").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("không phải A4") && text.contains("page_not_a4"), "{text}");
}

#[test]
fn a_pdf_nested_a_hundred_thousand_deep_is_refused_by_the_check_without_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sau.pdf");
    let mut deep = b"%PDF-1.7\n1 0 obj\n".to_vec();
    deep.extend(std::iter::repeat_n(&b"<</A "[..], 100_000).flatten());
    deep.extend(std::iter::repeat_n(&b">>"[..], 100_000).flatten());
    deep.extend(b"\nendobj\ntrailer <</Root 1 0 R>>\n%%EOF");
    std::fs::write(&path, &deep).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nhiemvu")).arg("check").arg(&path).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "refused, not aborted: {said}");
    assert!(said.contains("lồng đối tượng sâu"), "says why: {said}");
}

#[test]
fn printing_the_openapi_document_creates_no_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .arg("openapi")
        .current_dir(dir.path())
        .env_remove("APP__STORAGE__DATA_DIR")
        .env_remove("APP__DATABASE__URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the document is JSON");
    assert!(doc["paths"]["/tasks"].is_object(), "the task operations are listed");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "nothing written where it ran: {left:?}");
}

#[tokio::test]
async fn approving_and_issuing_need_the_signature_and_seal_images_when_the_office_requires_them() {
    let signing = nhiemvu::services::signatures::Signing {
        images_required: true,
        ..nhiemvu::services::signatures::Signing::disabled()
    };
    let app = crate::helpers::spawn_app_with(signing).await;
    let issuer = id(&app.post("/api/v1/issuers", crate::helpers::issuer_json("xa-khong-dau")).await.expect(201));
    app.administer(&issuer).await;
    let issuer_uuid: uuid::Uuid = issuer.parse().unwrap();
    let (_, office) = app.user(issuer_uuid, "office", None).await;
    let (signer, signer_token) = app.user(issuer_uuid, "signer", None).await;
    let body = json!({"issuer_id": issuer, "kind": "letter", "subject": "Về việc chuẩn bị hội nghị tổng kết năm 2026",
        "drafting_unit": "VP", "opening": "Ủy ban nhân dân xã đề nghị các bộ phận chuẩn bị báo cáo tổng kết.",
        "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn An",
        "signer_user_id": signer, "recipients": [{"label": "Các bộ phận chuyên môn"}, {"label": "Lưu: VT"}]});
    let doc = id(&app.act_as(&office).post("/api/v1/documents", body).await.expect(201));
    // Required images are errors of the check: the office sees them before submitting.
    let found = check(&app, &doc).await;
    let codes: Vec<&str> = found["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"signature_image_missing") && codes.contains(&"seal_image_missing"), "{codes:?}");
    app.post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect_error(409, "nd30_check_failed", None);
    app.as_admin().put_bytes(&format!("/api/v1/users/{signer}/signature-image"), SIGNATURE.to_vec()).await.expect(204);
    app.put_bytes(&format!("/api/v1/issuers/{issuer}/seal-image"), SEAL.to_vec()).await.expect(204);
    app.act_as(&office).post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect(200);
    app.act_as(&signer_token).post(&format!("/api/v1/documents/{doc}/approve"), json!({})).await.expect(200);
    let issued = app.act_as(&office).post(&format!("/api/v1/documents/{doc}/issue"), json!({})).await.expect(200);
    assert_eq!(issued["number"], 1);
}

#[tokio::test]
async fn without_images_an_approval_is_refused_before_anything_changes() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    // Submitted where images were optional; the server now requires them.
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report", "subject": "Báo cáo chưa có chữ ký",
        "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga",
        "signer_user_id": p.ids["signer"], "recipients": [{"label": "Lưu: VT"}]});
    let doc = id(&app.act_as(p.token("office")).post("/api/v1/documents", body).await.expect(201));
    app.post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect(200);
    let required = nhiemvu::services::signatures::Signing {
        images_required: true,
        ..nhiemvu::services::signatures::Signing::disabled()
    };
    let signer = nhiemvu::storage::audit::Actor {
        user_id: Some(p.ids["signer"]),
        client_addr: None,
        seen_rev: None,
        role: Some(nhiemvu::domain::Role::Signer),
        issuer_id: p.issuer.parse().ok(),
        unit_id: None,
        server_admin: false,
    };
    let renderer = crate::helpers::renderer();
    let tools = nhiemvu::services::Tools { db: &app.db, renderer: &renderer, files: &app.files, signing: &required };
    let e =
        nhiemvu::services::issuing::approve_document(tools, &signer, nhiemvu::services::now(), doc.parse().unwrap())
            .await
            .unwrap_err();
    assert!(matches!(e, nhiemvu::error::AppError::Conflict { code: "signature_image_missing", .. }), "{e:?}");
    assert_eq!(app.get(&format!("/api/v1/documents/{doc}")).await.expect(200)["state"], "submitted");
}
