//! Spreadsheets in and out: the register exported reads back, a file typed in Excel
//! imports all or nothing with every problem by cell, the same file twice changes
//! nothing, CSV opens in Excel with its diacritics, the CLI imports too.

use nhiemvu::sheet::{self, Cell, Table};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn file(rows: Vec<Vec<Cell>>) -> Vec<u8> {
    let headers =
        vec!["Nhóm", "Mã", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch"];
    sheet::to_xlsx(&[Table { name: "Nhiệm vụ".into(), headers, rows }]).unwrap()
}

fn row(cells: [&str; 9]) -> Vec<Cell> {
    cells.iter().map(|c| Cell::from(*c)).collect()
}

/// An issuer with two units and an empty 2025 plan: (issuer, plan).
async fn office(app: &TestApp) -> (String, String) {
    let issuer = app.issuer("xa-bang-tinh").await;
    for (name, short) in [("Phòng Nông nghiệp và Môi trường", "NNMT"), ("Phòng Văn hóa - Xã hội", "VHXH")]
    {
        let body = json!({"issuer_id": issuer, "name": name, "short_name": short, "kind": "department", "emails": []});
        app.post("/api/v1/units", body).await.expect(201);
    }
    let plan = app
        .post("/api/v1/plans", json!({"issuer_id": issuer, "year": 2025, "title": "Nhiệm vụ trọng tâm năm 2025"}))
        .await
        .expect(201);
    (issuer, plan["id"].as_str().unwrap().to_owned())
}

fn good_file() -> Vec<u8> {
    let mut rows = vec![
        row([
            "I. Phát triển kinh tế",
            "1.1",
            "Trồng rừng tập trung",
            "NNMT",
            "Phòng Văn hóa - Xã hội",
            "15/12/2025",
            "Diện tích trồng rừng mới",
            "ha",
            "1.234,5",
        ]),
        row(["", "1.1", "", "", "", "", "Tỷ lệ che phủ rừng", "%", "65"]),
        row(["II. Văn hóa - xã hội", "2.1", "Xây dựng gia đình văn hóa", "phòng văn hóa - xã hội", "", "", "", "", ""]),
    ];
    rows[0][5] = Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap());
    rows[1][8] = Cell::Number(65.0);
    rows.push(row([
        "II. Văn hóa - xã hội",
        "2.2",
        "Phổ cập giáo dục",
        "VHXH",
        "",
        "2025-06-30",
        "Số trường đạt chuẩn",
        "trường",
        "1,234.5",
    ]));
    file(rows)
}

#[tokio::test]
async fn a_register_typed_in_excel_imports_once_and_again_changes_nothing() {
    let app = spawn_app().await;
    let (_, plan) = office(&app).await;
    let dry = app.post_bytes(&format!("/api/v1/plans/{plan}/import?dry_run=true"), XLSX, good_file()).await.expect(200);
    assert_eq!(dry["problems"], json!([]), "{dry}");
    assert_eq!(
        (dry["tasks"].as_u64(), dry["tasks_created"].as_u64(), dry["groups_created"].as_u64()),
        (Some(3), Some(3), Some(2))
    );
    assert_eq!(
        app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200)["total"],
        0,
        "a dry run writes nothing"
    );

    let done = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, good_file()).await.expect(200);
    assert_eq!((done["tasks_created"].as_u64(), done["dry_run"].as_bool()), (Some(3), Some(false)));
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200);
    assert_eq!(tasks["total"], 3);
    let first = &tasks["items"][0];
    assert_eq!(first["code"], "1.1");
    assert_eq!(first["deadline"], "2025-12-15");
    assert_eq!(first["cooperating_unit_ids"].as_array().unwrap().len(), 1);
    let targets = first["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "the second row of 1.1 is its second target");
    assert_eq!((targets[0]["goal_value"].as_f64(), targets[1]["goal_value"].as_f64()), (Some(1234.5), Some(65.0)));
    assert_eq!(tasks["items"][2]["targets"][0]["goal_value"], 1234.5, "English notation read too");
    assert!(tasks["items"][1].get("deadline").is_none());
    // Written together, each new task and target still has its own event, and the chain holds.
    assert_eq!(nhiemvu::storage::audit::verify(&app.db.conn).await.unwrap(), None, "the audit chain is intact");
    let trail = app.get(&format!("/api/v1/audit?entity_id={}", first["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(trail["items"][0]["action"], "create");
    assert_eq!(trail["items"][0]["after"][1].as_array().map(Vec::len), Some(1), "with its co-operating unit: {trail}");
    let target_trail =
        app.get(&format!("/api/v1/audit?entity_id={}", targets[1]["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(target_trail["total"], 1);
    let events = app.get("/api/v1/audit?per_page=1").await.expect(200)["total"].clone();

    let again = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, good_file()).await.expect(200);
    assert_eq!(
        (again["tasks_unchanged"].as_u64(), again["tasks_updated"].as_u64(), again["tasks_created"].as_u64()),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(
        app.get("/api/v1/audit?per_page=1").await.expect(200)["total"],
        events,
        "nothing written the second time"
    );

    // An edited file updates by code and keeps the targets' ids.
    let mut rows = sheet::read_xlsx(&good_file()).unwrap();
    rows[2][8] = Cell::Number(70.0);
    rows[1][2] = Cell::from("Trồng rừng tập trung và chăm sóc rừng");
    let edited = file(rows.into_iter().skip(1).collect());
    let changed = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, edited).await.expect(200);
    assert_eq!((changed["tasks_updated"].as_u64(), changed["tasks_unchanged"].as_u64()), (Some(1), Some(2)));
    // The report lists what it read, each task with what it does and what changed.
    let items = changed["items"].as_array().unwrap();
    let listed: Vec<(&str, &str)> =
        items.iter().map(|i| (i["code"].as_str().unwrap(), i["action"].as_str().unwrap())).collect();
    assert_eq!(listed, [("1.1", "updated"), ("2.1", "unchanged"), ("2.2", "unchanged")], "{changed}");
    assert_eq!(items[0]["changes"], json!(["nội dung", "chỉ tiêu"]));
    assert_eq!(items[0]["row"], 2, "where the task starts in the file");
    let after = app.get(&format!("/api/v1/tasks/{}", first["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(after["text"], "Trồng rừng tập trung và chăm sóc rừng");
    assert_eq!(after["targets"][1]["goal_value"], 70.0);
    assert_eq!(after["targets"][0]["id"], targets[0]["id"], "the unchanged target kept its id");

    // The register exported reads back with the same columns and numbers.
    let (status, ct, bytes) = app.get_bytes(&format!("/api/v1/plans/{plan}/register.xlsx")).await;
    assert_eq!((status, ct.as_str()), (200, XLSX));
    let back = sheet::read_xlsx(&bytes).unwrap();
    assert_eq!(
        back[0][..9].iter().map(Cell::text).collect::<Vec<_>>(),
        ["Nhóm", "Mã", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch"]
    );
    assert_eq!(back.len(), 1 + 4, "a row per target");
    assert_eq!(back[1][5], Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap()));
    assert_eq!(back[1][8], Cell::Number(1234.5));
    assert_eq!(back[1][3], Cell::from("Phòng Nông nghiệp và Môi trường"));
    let reimport = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, bytes).await.expect(200);
    assert_eq!(reimport["tasks_unchanged"], 3, "an exported register imports back unchanged: {reimport}");

    let (status, ct, csv) = app.get_bytes(&format!("/api/v1/plans/{plan}/register.csv")).await;
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}Nhóm,Mã,Nội dung,"), "{csv}");
    assert!(csv.contains("\"1.234,5\""), "Vietnamese numbers: {csv}");
}

#[tokio::test]
async fn every_problem_of_a_file_is_named_by_cell_and_nothing_is_imported() {
    let app = spawn_app().await;
    let (_, plan) = office(&app).await;
    let bad = file(vec![
        row(["I. Kinh tế", "1.1", "Trồng rừng", "Phòng Không Có", "", "15/12/2024", "Diện tích", "ha", "12abc"]),
        row(["I. Kinh tế", "1.2", "Làm đường", "NNMT", "VHXH; Phòng Ma", "31/02/2025", "", "km", "5"]),
        row(["I. Kinh tế", "1.2", "Một việc khác", "NNMT", "", "", "", "", ""]),
        row(["I. Kinh tế", "1.3", "Đúng hết", "NNMT", "", "01/03/2025", "", "", ""]),
    ]);
    let dry = app.post_bytes(&format!("/api/v1/plans/{plan}/import?dry_run=true"), XLSX, bad.clone()).await.expect(200);
    let cells: Vec<&str> = dry["problems"].as_array().unwrap().iter().map(|p| p["cell"].as_str().unwrap()).collect();
    assert_eq!(cells, ["D2", "F2", "I2", "E3", "F3", "G3", "B4"], "{dry}");
    let by_cell = |c: &str| {
        dry["problems"].as_array().unwrap().iter().find(|p| p["cell"] == c).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(by_cell("D2").contains("Không có đơn vị “Phòng Không Có”"));
    assert!(by_cell("F2").contains("ngoài năm 2025"));
    assert!(by_cell("F3").contains("Không có ngày này"));
    assert!(by_cell("B4").contains("đã dùng ở dòng 3"));
    assert_eq!(dry["problems"][0]["column"], "Đơn vị chủ trì");
    assert_eq!(dry["problems"][0]["row"], 2);

    let refused = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, bad).await.expect_error(
        422,
        "validation_failed",
        Some("file.D2"),
    );
    assert!(refused["fields"]["file.G3"].as_str().unwrap().contains("thiếu tên chỉ tiêu"));
    assert_eq!(
        app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200)["total"],
        0,
        "all or nothing: 1.3 was fine but not imported"
    );

    let body = app
        .post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, b"PK\x03\x04 not really".to_vec())
        .await
        .expect_error(422, "validation_failed", Some("file"));
    assert!(body["fields"]["file"].as_str().unwrap().contains(".xlsx"));
    let no_code = file(vec![]);
    let headers_only = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, no_code).await.expect(200);
    assert_eq!(headers_only["tasks"], 0);
    let wrong = sheet::to_xlsx(&[Table { name: "x".into(), headers: vec!["Tên", "Ngày"], rows: vec![] }]).unwrap();
    let missing = app.post_bytes(&format!("/api/v1/plans/{plan}/import?dry_run=true"), XLSX, wrong).await.expect(200);
    assert_eq!(missing["problems"].as_array().unwrap().len(), 3, "Nhóm, Mã and Nội dung columns are missing");
}

#[tokio::test]
async fn the_template_figures_and_delivery_report_download_as_spreadsheets() {
    let app = spawn_app().await;
    let (issuer, plan) = office(&app).await;
    let (status, ct, bytes) = app.get_bytes("/api/v1/import-template.xlsx?year=2025").await;
    assert_eq!((status, ct.as_str()), (200, XLSX));
    let rows = sheet::read_xlsx(&bytes).unwrap();
    assert_eq!(rows[0][1], Cell::from("Mã"));
    assert_eq!(rows[1][5], Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap()));
    app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, good_file()).await.expect(200);
    let (status, _, bytes) = app.get_bytes(&format!("/api/v1/plans/{plan}/figures.xlsx")).await;
    assert_eq!(status, 200);
    let by_unit = sheet::read_xlsx(&bytes).unwrap();
    assert_eq!(by_unit[0][0], Cell::from("Đơn vị chủ trì"));
    let total = by_unit.iter().find(|r| r[0] == Cell::from("Tổng cộng")).expect("a total row");
    let col = |name: &str| by_unit[0].iter().position(|c| *c == Cell::from(name)).expect(name);
    assert_eq!(total[col("Tổng số")], Cell::Number(3.0));
    // The two dated tasks (deadlines in 2025) are not done and late; the third has no deadline.
    assert_eq!(total[col("Chưa hoàn thành, quá hạn")], Cell::Number(2.0));
    assert_eq!(total[col("Hoàn thành đúng hạn")], Cell::Number(0.0));
    let (status, _, csv) = app.get_bytes(&format!("/api/v1/plans/{plan}/figures.csv?table=group")).await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}Nhóm nhiệm vụ,Chưa giao,"), "{csv}");
    assert!(csv.contains("II. Văn hóa - xã hội,"));
    assert_eq!(app.get_bytes(&format!("/api/v1/plans/{plan}/figures.csv?table=nope")).await.0, 400);

    // A letter to two addresses, issued: two messages queued.
    let (_, signer) = app.user(issuer.parse().unwrap(), "signer", None).await;
    let letter = json!({"issuer_id": issuer, "plan_id": plan, "kind": "letter", "subject": "V/v gửi số liệu", "drafting_unit": "VP",
        "signer_position": "CHỦ TỊCH", "signer_name": "A",
        "recipients": [{"label": "Phòng Nông nghiệp và Môi trường", "emails": ["nnmt@example.vn", "nnmt2@example.vn"]}, {"label": "Lưu: VT, VP"}]});
    let doc = app.post("/api/v1/documents", letter).await.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect(200);
    app.act_as(&signer).post(&format!("/api/v1/documents/{doc}/approve"), json!({})).await.expect(200);
    app.as_admin().post(&format!("/api/v1/documents/{doc}/issue"), json!({})).await.expect(200);
    let (status, ct, bytes) = app.get_bytes(&format!("/api/v1/documents/{doc}/deliveries.xlsx")).await;
    assert_eq!((status, ct.as_str()), (200, XLSX));
    let report = sheet::read_xlsx(&bytes).unwrap();
    assert_eq!(report[0][0], Cell::from("Nơi nhận"));
    let addresses: Vec<String> = report[1..].iter().map(|r| r[1].text()).collect();
    assert_eq!(addresses, ["nnmt@example.vn", "nnmt2@example.vn"], "a row per message: {report:?}");
    assert_eq!(report[1][0], Cell::from("Phòng Nông nghiệp và Môi trường"));
    assert_eq!(report[1][2], Cell::from("Chờ gửi"));
}

#[test]
fn the_cli_imports_a_file_and_lists_its_problems() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_nhiemvu");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .env("APP__STORAGE__DATA_DIR", dir.path())
            .env("APP__LOG__FILTER", "warn")
            .output()
            .unwrap()
    };
    let demo = run(&["demo"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let out = String::from_utf8_lossy(&demo.stdout).to_string();
    let plan = out.split(" — plan ").nth(1).and_then(|s| s.split_whitespace().next()).map(str::to_owned);
    let Some(plan) = plan else { panic!("the demo prints its plan id: {out}") };
    let bad = file(vec![row(["I. Kinh tế", "9.1", "Việc mới", "Phòng Không Có", "", "", "", "", ""])]);
    let path = dir.path().join("bad.xlsx");
    std::fs::write(&path, bad).unwrap();
    let r = run(&["import", path.to_str().unwrap(), "--plan", &plan, "--dry-run"]);
    assert!(!r.status.success());
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("D2 (Đơn vị chủ trì)") && text.contains("Phòng Không Có"), "{text}");
    let good = file(vec![row(["I. Kinh tế", "9.1", "Việc mới", "", "", "", "", "", ""])]);
    std::fs::write(&path, good).unwrap();
    let r = run(&["import", path.to_str().unwrap(), "--plan", &plan]);
    let said = format!("{}{}", String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&r.stderr));
    assert!(r.status.success() && said.contains("1 nhiệm vụ: 1 thêm"), "{said}");
    let r = run(&["import", path.to_str().unwrap(), "--plan", &plan]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("0 thêm, 0 sửa, 1 giữ nguyên"));
}

#[tokio::test]
async fn the_import_page_checks_the_file_then_imports_it_in_one_step() {
    use poem::test::{TestForm, TestFormField};
    let app = spawn_app().await;
    let (issuer, plan) = office(&app).await;
    let (office_id, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = crate::helpers::Browser::login(&app, office_id).await;
    let csrf = browser.csrf().await;
    let (status, html) = browser.get(&format!("/plans/{plan}/import")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tải tệp mẫu") && html.contains("multipart/form-data"));
    let upload = |bytes: Vec<u8>, token: &str| {
        let form = TestForm::new()
            .text("csrf", token)
            .field(TestFormField::bytes(bytes).name("file").filename("nhiem-vu.xlsx").content_type(XLSX));
        app.client.post(format!("/plans/{plan}/import")).header("cookie", &browser.cookie).multipart(form).send()
    };
    // A wrong token is refused before the file is read.
    assert_eq!(upload(good_file(), "wrong").await.0.status(), 403);
    let bad = file(vec![row(["I. Kinh tế", "1.1", "Trồng rừng", "Phòng Không Có", "", "", "", "", ""])]);
    let resp = upload(bad, &csrf).await;
    assert_eq!(resp.0.status(), 422);
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("import-problems") && html.contains("D2") && html.contains("Phòng Không Có"));
    assert!(!html.contains(" / no unit"), "the page speaks Vietnamese only");
    assert!(!html.contains("Nhập vào kế hoạch"));

    let resp = upload(good_file(), &csrf).await;
    assert_eq!(resp.0.status(), 200);
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("3 nhiệm vụ mới"), "{html}");
    let at = html.find("name=\"token\" value=\"").expect("the checked file's token") + 20;
    let token = &html[at..at + 36];
    assert_eq!(
        app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200)["total"],
        0,
        "checking writes nothing"
    );
    let (status, _) =
        browser.post(&format!("/plans/{plan}/import/confirm"), &[("csrf", &csrf), ("token", token)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200)["total"], 3);
    // The kept file is used once.
    let (status, html) =
        browser.post(&format!("/plans/{plan}/import/confirm"), &[("csrf", &csrf), ("token", token)]).await;
    assert_eq!(status, 409);
    assert!(html.contains("không còn"), "{html}");
}

#[tokio::test]
async fn a_group_heading_row_or_a_merged_group_cell_names_the_group_of_the_rows_below() {
    let app = spawn_app().await;
    let (_, plan) = office(&app).await;
    let mut rows = vec![
        // A heading row, as offices type it (merged across in Excel: only its first cell holds text).
        row(["I. Phát triển kinh tế", "", "", "", "", "", "", "", ""]),
        row(["", "1.1", "Trồng rừng tập trung", "NNMT", "", "", "Diện tích", "ha", "120"]),
        row(["", "1.1", "", "", "", "", "Tỷ lệ che phủ", "%", "65"]),
        row(["", "1.2", "Làm đường giao thông nông thôn", "NNMT", "", "", "", "", ""]),
        // A heading typed in the text column.
        row(["", "", "II. Văn hóa - xã hội", "", "", "", "", "", ""]),
        row(["", "2.1", "Xây dựng gia đình văn hóa", "VHXH", "", "", "", "", ""]),
        // A group cell merged down: named on its first row only.
        row(["III. Quốc phòng - an ninh", "3.1", "Diễn tập phòng thủ", "VHXH", "", "", "", "", ""]),
        row(["", "3.2", "Tuyển quân", "VHXH", "", "", "", "", ""]),
    ];
    // A row that is neither a heading nor a task is still named.
    rows.push(row(["", "", "Ghi chú", "NNMT", "", "", "", "", ""]));
    let dry = app
        .post_bytes(&format!("/api/v1/plans/{plan}/import?dry_run=true"), XLSX, file(rows.clone()))
        .await
        .expect(200);
    let cells: Vec<&str> = dry["problems"].as_array().unwrap().iter().map(|p| p["cell"].as_str().unwrap()).collect();
    assert_eq!(cells, ["B10"], "{dry}");
    rows.pop();
    let done = app.post_bytes(&format!("/api/v1/plans/{plan}/import"), XLSX, file(rows)).await.expect(200);
    assert_eq!((done["tasks_created"].as_u64(), done["groups_created"].as_u64()), (Some(5), Some(3)), "{done}");
    let groups = app.get(&format!("/api/v1/groups?plan_id={plan}")).await.expect(200);
    let title_of = |id: &serde_json::Value| {
        groups.as_array().unwrap().iter().find(|g| g["id"] == *id).unwrap()["title"].as_str().unwrap().to_owned()
    };
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200);
    let placed: Vec<(String, String)> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["code"].as_str().unwrap().to_owned(), title_of(&t["group_id"])))
        .collect();
    assert_eq!(
        placed,
        [
            ("1.1".to_owned(), "I. Phát triển kinh tế".to_owned()),
            ("1.2".to_owned(), "I. Phát triển kinh tế".to_owned()),
            ("2.1".to_owned(), "II. Văn hóa - xã hội".to_owned()),
            ("3.1".to_owned(), "III. Quốc phòng - an ninh".to_owned()),
            ("3.2".to_owned(), "III. Quốc phòng - an ninh".to_owned()),
        ]
    );
    assert_eq!(tasks["items"][0]["targets"].as_array().unwrap().len(), 2);
}
