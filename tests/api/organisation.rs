//! Issuers, units, users and rubrics: success and failure paths.

use serde_json::json;

use crate::helpers::{issuer_json, spawn_app};

#[tokio::test]
async fn an_issuer_can_be_created_read_changed_listed_and_deleted() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/issuers", issuer_json("xa-bac-son")).await.expect(201);
    let id = created["id"].as_str().unwrap();
    assert_eq!(&id[14..15], "7", "UUID v7 ids");
    assert_eq!(
        app.get(&format!("/api/v1/issuers/{id}")).await.expect(200)["name_lines"],
        json!(["ỦY BAN NHÂN DÂN", "XÃ BẮC SƠN"])
    );

    let mut changed = issuer_json("xa-bac-son");
    changed["name_lines"] = json!(["SỞ NỘI VỤ"]);
    changed["parent_lines"] = json!(["UBND TỈNH LẠNG SƠN"]);
    let put = app.put(&format!("/api/v1/issuers/{id}"), changed).await.expect(200);
    assert_eq!(
        (put["name_lines"][0].as_str(), put["parent_lines"][0].as_str()),
        (Some("SỞ NỘI VỤ"), Some("UBND TỈNH LẠNG SƠN"))
    );
    // A People's Committee's first line is its own name, not a parent body.
    let mut wrong = issuer_json("xa-bac-son");
    wrong["parent_lines"] = json!(["ỦY BAN NHÂN DÂN"]);
    wrong["name_lines"] = json!(["XÃ BẮC SƠN"]);
    app.put(&format!("/api/v1/issuers/{id}"), wrong).await.expect_error(422, "validation_failed", Some("parent_lines"));
    assert_eq!(app.get("/api/v1/issuers").await.expect(200)["total"], 2, "the host issuer and this one");

    app.delete(&format!("/api/v1/issuers/{id}")).await.expect(204);
    app.get(&format!("/api/v1/issuers/{id}")).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn a_new_issuer_gets_the_reference_rubric_and_the_2026_preset() {
    let app = spawn_app().await;
    let id = app.issuer("xa-a").await;
    let rubrics = app.get(&format!("/api/v1/rubrics?issuer_id={id}")).await.expect(200);
    assert_eq!(rubrics["total"], 2);
    let first_band = &rubrics["items"][0]["bands"][0];
    assert_eq!(first_band["label"], "Hoàn thành xuất sắc nhiệm vụ");
    assert_eq!((first_band["lower"].as_i64(), first_band["lower_inclusive"].as_bool()), (Some(90), Some(false)));
    let state = &rubrics["items"][1]["bands"][0];
    assert_eq!((state["lower"].as_i64(), state["lower_inclusive"].as_bool()), (Some(90), Some(true)));
}

#[tokio::test]
async fn a_duplicate_issuer_code_is_a_conflict_and_missing_fields_are_named() {
    let app = spawn_app().await;
    app.other_issuer("xa-a").await;
    app.post("/api/v1/issuers", issuer_json("xa-a")).await.expect_error(409, "duplicate_issuer_code", None);
    let mut bad = issuer_json("Xã A");
    bad["name_lines"] = json!(["  "]);
    let body = app.post("/api/v1/issuers", bad).await.expect_error(422, "validation_failed", Some("code"));
    assert!(body["fields"]["name_lines[0]"].is_string(), "{body}");
}

#[tokio::test]
async fn units_are_checked_for_kind_addresses_and_issuer() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let bad = json!({"issuer_id": issuer, "name": "Phòng X", "short_name": "X", "kind": "phong", "emails": ["ok@example.vn", "not-an-address"]});
    let body = app.post("/api/v1/units", bad).await.expect_error(422, "validation_failed", Some("kind"));
    assert!(body["fields"]["emails[1]"].is_string());
    assert!(body["fields"].get("emails[0]").is_none());

    let ghost = json!({"issuer_id": uuid::Uuid::now_v7(), "name": "Phòng X", "short_name": "X", "kind": "department"});
    app.post("/api/v1/units", ghost).await.expect_error(422, "validation_failed", Some("issuer_id"));

    let id = app.unit(&issuer, "TC-KH").await;
    let dup = json!({"issuer_id": issuer, "name": "Khác", "short_name": "TC-KH", "kind": "department"});
    app.post("/api/v1/units", dup).await.expect_error(409, "duplicate_unit", None);

    let renamed = json!({"issuer_id": issuer, "name": "Phòng Tài chính - Kế hoạch", "short_name": "TC-KH", "kind": "department", "emails": ["tckh@example.vn"]});
    let unit = app.put(&format!("/api/v1/units/{id}"), renamed).await.expect(200);
    assert_eq!(unit["emails"], json!(["tckh@example.vn"]));
    let list = app.get(&format!("/api/v1/units?issuer_id={issuer}&kind=department")).await.expect(200);
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn a_unit_that_still_leads_or_helps_on_tasks_cannot_be_deleted() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let lead = app.unit(&issuer, "A").await;
    let helper = app.unit(&issuer, "B").await;
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    let task = app.task(&group, "1.1", Some(&lead), "2025-06-30").await;
    let body = json!({"group_id": group, "code": "1.1", "text": "Nhiệm vụ", "lead_unit_id": lead, "cooperating_unit_ids": [helper]});
    app.put(&format!("/api/v1/tasks/{task}"), body).await.expect(200);

    app.delete(&format!("/api/v1/units/{lead}")).await.expect_error(409, "unit_has_tasks", None);
    app.delete(&format!("/api/v1/units/{helper}")).await.expect_error(409, "unit_has_tasks", None);
    app.delete(&format!("/api/v1/tasks/{task}")).await.expect(204);
    app.delete(&format!("/api/v1/units/{helper}")).await.expect(204);
}

#[tokio::test]
async fn users_need_a_known_role_and_unit_officers_need_a_unit() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let unit = app.unit(&issuer, "VP").await;
    let bad = json!({"issuer_id": issuer, "username": "lan", "name": "Lan", "email": "lan@example.vn", "role": "boss"});
    app.post("/api/v1/users", bad).await.expect_error(422, "validation_failed", Some("role"));
    let no_unit = json!({"issuer_id": issuer, "username": "lan", "name": "Lan", "email": "lan@example.vn", "role": "unit_officer"});
    app.post("/api/v1/users", no_unit).await.expect_error(422, "validation_failed", Some("unit_id"));

    let ok = json!({"issuer_id": issuer, "username": "lan", "name": "Lan", "email": "lan@example.vn", "role": "unit_officer", "unit_id": unit});
    let user = app.post("/api/v1/users", ok.clone()).await.expect(201);
    assert!(user.get("password_hash").is_none(), "no hash leaves the server");
    app.post("/api/v1/users", ok).await.expect_error(409, "duplicate_username", None);
    let listed = app.get(&format!("/api/v1/users?unit_id={unit}&role=unit_officer")).await.expect(200);
    assert_eq!(listed["total"], 1);
    let id = user["id"].as_str().unwrap();
    let viewer =
        json!({"issuer_id": issuer, "username": "lan", "name": "Lan", "email": "lan@example.vn", "role": "viewer"});
    assert_eq!(app.put(&format!("/api/v1/users/{id}"), viewer).await.expect(200)["role"], "viewer");
    app.delete(&format!("/api/v1/users/{id}")).await.expect(204);
}

#[tokio::test]
async fn a_rubric_must_cover_every_score_exactly_once() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let gap = json!({"issuer_id": issuer, "name": "Lỗ hổng", "bands": [
        {"label": "Đạt", "lower": 50, "lower_inclusive": false},
        {"label": "Không đạt", "upper": 50, "upper_inclusive": false}
    ]});
    let body = app.post("/api/v1/rubrics", gap).await.expect_error(422, "validation_failed", Some("bands"));
    assert!(body["fields"]["bands"].as_str().unwrap().contains("50"));

    let ok = json!({"issuer_id": issuer, "name": "Hai mức", "bands": [
        {"label": "Đạt", "lower": 50, "lower_inclusive": true},
        {"label": "Không đạt", "upper": 50, "upper_inclusive": false}
    ]});
    let rubric = app.post("/api/v1/rubrics", ok).await.expect(201);
    let id = rubric["id"].as_str().unwrap();
    let (plan, _) = app.plan_with_group(&issuer, 2025).await;
    let mut plan_body = app.get(&format!("/api/v1/plans/{plan}")).await.expect(200);
    plan_body["rubric_id"] = json!(id);
    app.put(&format!("/api/v1/plans/{plan}"), plan_body).await.expect(200);
    app.delete(&format!("/api/v1/rubrics/{id}")).await.expect_error(409, "rubric_in_use", None);
}
