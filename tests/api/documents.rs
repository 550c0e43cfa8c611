//! Documents: drafts with their recipients and signer.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_draft_document_can_be_written_listed_and_deleted() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (plan, _) = app.plan_with_group(&issuer, 2025).await;
    let body = json!({
        "issuer_id": issuer, "plan_id": plan, "kind": "letter",
        "subject": "V/v đôn đốc thực hiện nhiệm vụ trọng tâm năm 2025",
        "drafting_unit": "VP",
        "recipients": [{"label": "Các phòng chuyên môn", "emails": ["a@example.vn"]}, {"label": "Lưu: VT, VP"}],
        "signer_authority": "kt", "signer_head_title": "CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH", "signer_name": "Nguyễn Văn A",
        "sections": {"body": "Đề nghị các đơn vị khẩn trương hoàn thành."},
        "dated_on": "2025-06-29"
    });
    let doc = app.post("/api/v1/documents", body.clone()).await.expect(201);
    assert_eq!((doc["symbol"].as_str(), doc["state"].as_str()), (Some("UBND-VP"), Some("draft")));
    assert_eq!(doc["recipients"][1]["emails"], json!([]));
    let id = doc["id"].as_str().unwrap();

    let mut report = body.clone();
    report["kind"] = json!("report");
    assert_eq!(app.put(&format!("/api/v1/documents/{id}"), report).await.expect(200)["symbol"], "BC-UBND");
    let listed = app.get(&format!("/api/v1/documents?plan_id={plan}&kind=report&state=draft")).await.expect(200);
    assert_eq!(listed["total"], 1);
    app.delete(&format!("/api/v1/documents/{id}")).await.expect(204);
}

#[tokio::test]
async fn a_document_names_its_bad_fields() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let other = app.issuer("xa-b").await;
    let (other_plan, _) = app.plan_with_group(&other, 2025).await;
    app.administer(&issuer).await;
    let bad = json!({
        "issuer_id": issuer, "kind": "memo", "subject": " ",
        "recipients": [{"label": "", "emails": ["nope"]}],
        // The head does not sign "KT." for themselves.
        "signer_authority": "kt", "signer_head_title": "CHỦ TỊCH", "signer_position": "CHỦ TỊCH", "signer_name": "A"
    });
    let body = app.post("/api/v1/documents", bad).await.expect_error(422, "validation_failed", Some("kind"));
    for f in ["subject", "recipients[0].label", "recipients[0].emails[0]", "signer_position"] {
        assert!(body["fields"][f].is_string(), "{f} in {body}");
    }
    let foreign_plan = json!({"issuer_id": issuer, "plan_id": other_plan, "kind": "report", "subject": "Báo cáo", "signer_position": "CHỦ TỊCH", "signer_name": "A"});
    app.post("/api/v1/documents", foreign_plan).await.expect_error(422, "validation_failed", Some("plan_id"));
}
