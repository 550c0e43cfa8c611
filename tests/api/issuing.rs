//! Sign-off and issuing: numbering under concurrency, the frozen PDF, corrections.

use serde_json::{Value, json};

use crate::helpers::{Browser, People, TestApp, spawn_app};
use crate::poppler;

pub(crate) async fn approved_report(app: &TestApp, p: &People, subject: &str) -> String {
    approved(app, p, "report", subject).await
}

/// A document of `kind` about the reference plan, submitted and approved.
async fn approved(app: &TestApp, p: &People, kind: &str, subject: &str) -> String {
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": kind, "subject": subject,
        "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga",
        "signer_user_id": p.ids["signer"], "recipients": [{"label": "TT. Huyện ủy"}, {"label": "Lưu: VT"}]});
    let id = app.act_as(p.token("office")).post("/api/v1/documents", body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/api/v1/documents/{id}/submit"), json!({})).await.expect(200);
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect(200);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn offices_issuing_at_the_same_moment_never_get_the_same_number() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let mut ids = Vec::new();
    // Plans, not reports: a plan has one year-end report (the check refuses a second).
    for n in 0..8 {
        ids.push(approved(&app, &p, "plan", &format!("Thực hiện nhiệm vụ đợt {n}")).await);
    }
    app.act_as(p.token("office"));
    let paths: Vec<String> = ids.iter().map(|id| format!("/api/v1/documents/{id}/issue")).collect();
    let replies = futures::future::join_all(paths.iter().map(|path| app.post_as(p.token("office"), path))).await;
    let mut numbers: Vec<i64> = replies.into_iter().map(|r| r.expect(200)["number"].as_i64().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    // Another kind has its own counter.
    let letter = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "letter", "subject": "V/v đôn đốc", "signer_position": "CHỦ TỊCH", "signer_name": "A", "drafting_unit": "VP", "recipients": [{"label": "Lưu: VT"}]});
    let l = app.post("/api/v1/documents", letter).await.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/documents/{l}/submit"), json!({})).await.expect(200);
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{l}/approve"), json!({})).await.expect(200);
    let issued =
        app.act_as(p.token("office")).post(&format!("/api/v1/documents/{l}/issue"), json!({})).await.expect(200);
    assert_eq!((issued["number"].as_i64(), issued["symbol"].as_str()), (Some(1), Some("UBND-VP")));
}

#[tokio::test]
async fn an_issued_document_is_frozen_and_a_correction_replaces_it() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    app.as_admin()
        .put_bytes(
            &format!("/api/v1/users/{}/signature-image", p.ids["signer"]),
            include_bytes!("../fixtures/signature.png").to_vec(),
        )
        .await
        .expect(204);
    app.put_bytes(&format!("/api/v1/issuers/{}/seal-image", p.issuer), include_bytes!("../fixtures/seal.png").to_vec())
        .await
        .expect(204);
    app.put_bytes(&format!("/api/v1/issuers/{}/seal-image", p.issuer), b"GIF89a".to_vec()).await.expect_error(
        415,
        "file_type_refused",
        None,
    );
    let id = approved_report(&app, &p, "Báo cáo kết quả năm 2024").await;
    let issued =
        app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    assert_eq!((issued["state"].as_str(), issued["number"].as_i64()), (Some("issued"), Some(1)));
    let sha = issued["pdf_sha256"].as_str().unwrap().to_owned();
    let (status, _, pdf) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert_eq!(status, 200);
    assert_eq!(hex(&pdf), sha, "the served PDF is the frozen one");

    let doc: Value = issued.clone();
    app.put(&format!("/api/v1/documents/{id}"), crate::helpers::doc_input(&doc)).await.expect_error(
        409,
        "document_not_draft",
        None,
    );
    app.delete(&format!("/api/v1/documents/{id}")).await.expect_error(409, "document_not_draft", None);
    app.post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect_error(409, "invalid_transition", None);

    // The year is closed: its tasks no longer change.
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={}&per_page=1", p.plan)).await.expect(200);
    let mut t = tasks["items"][0].clone();
    t["text"] = json!("Nội dung đã sửa sau khi ban hành");
    app.put(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), t.clone()).await.expect_error(
        409,
        "plan_closed",
        None,
    );
    // Data outside the plan changes; the issued PDF does not.
    let mut issuer = app.as_admin().get(&format!("/api/v1/issuers/{}", p.issuer)).await.expect(200);
    for k in ["id", "created_at", "updated_at"] {
        issuer.as_object_mut().unwrap().remove(k);
    }
    issuer["place_name"] = json!("Nội dung đã sửa sau khi ban hành");
    app.put(&format!("/api/v1/issuers/{}", p.issuer), issuer).await.expect(200);
    app.act_as(p.token("office"));
    let (_, _, again) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert!(again == pdf, "frozen bytes");

    if let Some(text) = poppler::reading_text(&pdf) {
        let today = nhiemvu::services::local_date(chrono::Utc::now());
        assert!(text.contains("Số: 01/BC-UBND"), "{text}");
        assert!(text.contains(&format!("Bắc Sơn, {}", nhiemvu::domain::format::long_date(today))));
        assert!(text.contains("TM. ỦY BAN NHÂN DÂN") && !text.contains("Nội dung đã sửa sau khi ban hành"));
    }
    if let Some(images) = poppler::run("pdfimages", &["-list"], &pdf) {
        let placed: Vec<&str> =
            images.lines().skip(2).filter(|l| l.split_whitespace().nth(2) == Some("image")).collect();
        assert_eq!(placed.len(), 2, "the signature and the seal are placed: {images}");
        assert!(
            placed.iter().all(|l| l.split_whitespace().next() == Some(pages_of(&pdf).as_str())),
            "on the last page"
        );
    }

    let plan = app.get(&format!("/api/v1/plans/{}", p.plan)).await.expect(200);
    assert_eq!(plan["closed_by"]["report_id"], id.as_str());
    assert!(plan["closed_by"]["report_number"].as_str().unwrap().starts_with("01/"), "{plan}");
    assert!(plan["closed_by"].get("correction_id").is_none());
    // The plan's page and a task's form say the year is closed, and where to correct it.
    let tid = t["id"].as_str().unwrap().to_owned();
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, page) = office.get(&format!("/plans/{}", p.plan)).await;
    let banner = |html: &str, id: &str| {
        let at = html.find(&format!("id=\"{id}\"")).map(|at| &html[at..]);
        at.map(|b| b[..b.find("</div>").unwrap()].to_owned())
    };
    let closed = banner(&page, "plan-closure").expect("the plan says it is closed");
    assert!(closed.contains("Năm đã khóa") && closed.contains(&format!("href=\"/documents/{id}\"")), "{closed}");
    let (_, form) = office.get(&format!("/tasks/{tid}/edit")).await;
    let closed = banner(&form, "plan-closed").expect("the task's form says the year is closed");
    assert!(closed.contains("đính chính") && closed.contains(&format!("href=\"/documents/{id}\"")), "{closed}");
    // A correction states its reason.
    app.post(&format!("/api/v1/documents/{id}/correction"), json!({"reason": "  "})).await.expect_error(
        422,
        "validation_failed",
        Some("reason"),
    );
    let reason = "Sửa nội dung nhiệm vụ theo ý kiến của Thường trực";
    let correction =
        app.post(&format!("/api/v1/documents/{id}/correction"), json!({"reason": reason})).await.expect(201);
    let cid = correction["id"].as_str().unwrap().to_owned();
    assert_eq!((correction["state"].as_str(), correction["replaces_id"].as_str()), (Some("draft"), Some(id.as_str())));
    assert_eq!(correction["correction_reason"], reason);
    app.post(&format!("/api/v1/documents/{id}/correction"), json!({"reason": "Lần nữa"})).await.expect_error(
        409,
        "correction_exists",
        None,
    );
    // While the correction is prepared, the year's tasks change again, and the plan says why.
    let plan = app.get(&format!("/api/v1/plans/{}", p.plan)).await.expect(200);
    assert_eq!(
        (plan["closed_by"]["correction_id"].as_str(), plan["closed_by"]["correction_reason"].as_str()),
        (Some(cid.as_str()), Some(reason))
    );
    let (_, page) = office.get(&format!("/plans/{}", p.plan)).await;
    let open = banner(&page, "plan-closure").expect("the plan says a correction is under way");
    assert!(
        open.contains("Đang đính chính") && open.contains(reason) && open.contains(&format!("/documents/{cid}")),
        "{open}"
    );
    assert!(banner(&office.get(&format!("/tasks/{tid}/edit")).await.1, "plan-closed").is_none(), "editable again");
    let mut edit = app.get(&format!("/api/v1/tasks/{tid}")).await.expect(200);
    for k in ["id", "plan_id", "targets", "created_at", "updated_at"] {
        edit.as_object_mut().unwrap().remove(k);
    }
    edit["text"] = json!("Nội dung sửa theo bản đính chính");
    app.put(&format!("/api/v1/tasks/{tid}"), edit.clone()).await.expect(200);
    app.post(&format!("/api/v1/documents/{cid}/submit"), json!({})).await.expect(200);
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{cid}/approve"), json!({})).await.expect(200);
    let second =
        app.act_as(p.token("office")).post(&format!("/api/v1/documents/{cid}/issue"), json!({})).await.expect(200);
    assert_eq!(second["number"], 2);
    let old = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!(old["state"], "replaced", "the corrected document is kept, marked replaced");
    // Issued, the correction closes the year again.
    let plan = app.get(&format!("/api/v1/plans/{}", p.plan)).await.expect(200);
    assert_eq!(
        (
            plan["closed_by"]["report_id"].as_str(),
            plan["closed_by"]["report_number"].as_str().map(|n| n.starts_with("02/"))
        ),
        (Some(cid.as_str()), Some(true))
    );
    edit["text"] = json!("Sửa lần nữa");
    app.put(&format!("/api/v1/tasks/{tid}"), edit).await.expect_error(409, "plan_closed", None);
    let (_, page) = office.get(&format!("/plans/{}", p.plan)).await;
    let closed = banner(&page, "plan-closure").expect("closed again");
    assert!(closed.contains("Năm đã khóa") && closed.contains(&format!("href=\"/documents/{cid}\"")), "{closed}");
    let (_, _, second_pdf) = app.get_bytes(&format!("/api/v1/documents/{cid}/pdf")).await;
    if let Some(text) = poppler::reading_text(&second_pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Số: 02/BC-UBND"), "{flat}");
    }
    let (_, _, old_pdf) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert!(old_pdf == pdf);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join("report-issued.pdf"), &pdf));
}

#[tokio::test]
async fn a_signer_signs_only_their_issuers_documents_and_sending_back_needs_a_comment() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let other = app.other_issuer("xa-khac").await;
    let (_, stranger) = app.user(other.parse().unwrap(), "signer", None).await;
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report", "subject": "Báo cáo", "signer_position": "CHỦ TỊCH", "signer_name": "A", "recipients": [{"label": "Lưu: VT"}]});
    let id = app.act_as(p.token("office")).post("/api/v1/documents", body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect_error(
        409,
        "invalid_transition",
        None,
    );
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/submit"), json!({})).await.expect(200);
    app.act_as(&stranger).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect_error(
        404,
        "not_found",
        None,
    );
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/send-back"), json!({})).await.expect_error(
        422,
        "validation_failed",
        Some("comment"),
    );
    let back =
        app.post(&format!("/api/v1/documents/{id}/send-back"), json!({"comment": "Bổ sung số liệu"})).await.expect(200);
    assert_eq!((back["state"].as_str(), back["review_comment"].as_str()), (Some("draft"), Some("Bổ sung số liệu")));
}

fn pages_of(pdf: &[u8]) -> String {
    let info = poppler::run("pdfinfo", &[], pdf).unwrap_or_default();
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap_or("").trim().to_owned()
}

fn hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
