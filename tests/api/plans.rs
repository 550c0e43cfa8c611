//! Plans, groups, proposals and carrying proposals forward.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_issuer_has_one_plan_per_year() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let plan = json!({"issuer_id": issuer, "year": 2025, "title": "Nhiệm vụ trọng tâm năm 2025", "based_on": ["Quyết định số 1/QĐ-UBND"]});
    let created = app.post("/api/v1/plans", plan.clone()).await.expect(201);
    assert!(created["rubric_id"].is_string(), "the default rubric is chosen");
    app.post("/api/v1/plans", plan).await.expect_error(409, "duplicate_plan_year", None);
    let bad = json!({"issuer_id": issuer, "year": 1999, "title": "Năm cũ"});
    app.post("/api/v1/plans", bad).await.expect_error(422, "validation_failed", Some("year"));
    let bad = json!({"issuer_id": issuer, "year": 2030, "title": ""});
    app.post("/api/v1/plans", bad).await.expect_error(422, "validation_failed", Some("title"));
    assert_eq!(app.get(&format!("/api/v1/plans?issuer_id={issuer}&year=2025")).await.expect(200)["total"], 1);
}

#[tokio::test]
async fn a_plan_cannot_move_to_a_year_that_leaves_deadlines_outside() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (plan, group) = app.plan_with_group(&issuer, 2025).await;
    app.task(&group, "1.1", None, "2025-10-01").await;
    let moved = json!({"issuer_id": issuer, "year": 2026, "title": "Năm 2026"});
    app.put(&format!("/api/v1/plans/{plan}"), moved).await.expect_error(422, "validation_failed", Some("year"));
    app.delete(&format!("/api/v1/plans/{plan}")).await.expect(204);
    assert_eq!(app.get("/api/v1/tasks").await.expect(200)["total"], 0, "tasks go with their plan");
}

#[tokio::test]
async fn groups_and_proposals_keep_their_order() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (plan, first) = app.plan_with_group(&issuer, 2025).await;
    let second = app.post("/api/v1/groups", json!({"plan_id": plan, "title": "Nhóm hai"})).await.expect(201);
    assert_eq!(second["position"], 2);
    let renamed = json!({"plan_id": plan, "title": "Nhóm một", "position": 3});
    app.put(&format!("/api/v1/groups/{first}"), renamed).await.expect(200);
    let groups = app.get(&format!("/api/v1/groups?plan_id={plan}")).await.expect(200);
    assert_eq!((groups[0]["title"].as_str(), groups[1]["title"].as_str()), (Some("Nhóm hai"), Some("Nhóm một")));

    app.post("/api/v1/proposals", json!({"plan_id": plan, "section": "communes_common", "text": "Chung các xã"}))
        .await
        .expect(201);
    app.post("/api/v1/proposals", json!({"plan_id": plan, "section": "issuer", "text": "Một"})).await.expect(201);
    let p2 =
        app.post("/api/v1/proposals", json!({"plan_id": plan, "section": "issuer", "text": "Hai"})).await.expect(201);
    assert_eq!(p2["position"], 2);
    app.post("/api/v1/proposals", json!({"plan_id": plan, "section": "elsewhere", "text": "x"})).await.expect_error(
        422,
        "validation_failed",
        Some("section"),
    );
    let listed = app.get(&format!("/api/v1/proposals?plan_id={plan}")).await.expect(200);
    let texts: Vec<&str> = listed.as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Một", "Hai", "Chung các xã"]);
    let id = p2["id"].as_str().unwrap();
    let edited = json!({"plan_id": plan, "section": "issuer", "text": "Hai (sửa)"});
    assert_eq!(app.put(&format!("/api/v1/proposals/{id}"), edited).await.expect(200)["text"], "Hai (sửa)");
    app.delete(&format!("/api/v1/proposals/{id}")).await.expect(204);
    app.delete(&format!("/api/v1/groups/{first}")).await.expect(204);
    app.get(&format!("/api/v1/groups/{first}")).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn carrying_forward_turns_the_reference_proposals_into_next_years_draft_plan() {
    let app = spawn_app().await;
    let (issuer, plan, _) = app.load_demo().await;
    let carried = app.post(&format!("/api/v1/plans/{plan}/carry-forward"), json!({})).await.expect(201);
    assert_eq!((carried["groups"].as_u64(), carried["tasks"].as_u64()), (Some(2), Some(19)));
    assert_eq!(carried["plan"]["year"], 2025);
    assert_eq!(carried["plan"]["issuer_id"], issuer.as_str());
    let next = carried["plan"]["id"].as_str().unwrap();

    let groups = app.get(&format!("/api/v1/groups?plan_id={next}")).await.expect(200);
    assert_eq!(groups[0]["title"], "Các nhiệm vụ chung của UBND huyện năm 2025");
    assert_eq!(groups[1]["title"], "Các nhiệm vụ chung của UBND các xã, thị trấn năm 2025");
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={next}&per_page=100")).await.expect(200);
    let first = &tasks["items"][0];
    assert_eq!(first["code"], "1.1");
    assert!(first["deadline"].is_null());
    assert!(first["text"].as_str().unwrap().starts_with("Phân đấu xây dựng thêm 01 xã đạt chuẩn nông thôn mới 2025"));
    assert_eq!(tasks["items"][16]["code"], "2.1");

    app.post(&format!("/api/v1/plans/{plan}/carry-forward"), json!({})).await.expect_error(
        409,
        "duplicate_plan_year",
        None,
    );
    app.post(&format!("/api/v1/plans/{next}/carry-forward"), json!({})).await.expect_error(409, "no_proposals", None);
}
