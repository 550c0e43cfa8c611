//! Tasks, targets and results: rules, filters and paging.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_task_code_is_unique_in_its_plan_and_its_deadline_falls_in_the_plan_year() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let unit = app.unit(&issuer, "A").await;
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    app.task(&group, "1.1", Some(&unit), "2025-12-15").await;

    let dup = json!({"group_id": group, "code": "1.1", "text": "Khác"});
    app.post("/api/v1/tasks", dup).await.expect_error(409, "duplicate_task_code", None);
    let late = json!({"group_id": group, "code": "1.2", "text": "Khác", "deadline": "2026-01-05"});
    app.post("/api/v1/tasks", late).await.expect_error(422, "validation_failed", Some("deadline"));
    let ghost = json!({"group_id": group, "code": "1.2", "text": "Khác", "lead_unit_id": uuid::Uuid::now_v7()});
    app.post("/api/v1/tasks", ghost).await.expect_error(422, "validation_failed", Some("lead_unit_id"));
    let both =
        json!({"group_id": group, "code": "1.2", "text": "Khác", "lead_unit_id": unit, "cooperating_unit_ids": [unit]});
    app.post("/api/v1/tasks", both).await.expect_error(422, "validation_failed", Some("cooperating_unit_ids[0]"));
    let empty = json!({"group_id": group, "code": "", "text": ""});
    let body = app.post("/api/v1/tasks", empty).await.expect_error(422, "validation_failed", Some("code"));
    assert!(body["fields"]["text"].is_string());

    // The same code in another issuer's plan is fine.
    let other = app.issuer("xa-b").await;
    let (_, other_group) = app.plan_with_group(&other, 2025).await;
    app.task(&other_group, "1.1", None, "2025-03-01").await;
}

#[tokio::test]
async fn tasks_filter_by_unit_deadline_and_result_state_and_paginate() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let a = app.unit(&issuer, "A").await;
    let b = app.unit(&issuer, "B").await;
    let (plan, group) = app.plan_with_group(&issuer, 2025).await;
    for n in 1..=12 {
        let lead = if n % 2 == 0 { &a } else { &b };
        app.task(&group, &format!("1.{n}"), Some(lead), &format!("2025-{n:02}-10")).await;
    }
    let t3 = app.get(&format!("/api/v1/tasks?plan_id={plan}&per_page=1&page=3")).await.expect(200);
    assert_eq!(t3["items"][0]["code"], "1.3");
    assert_eq!(t3["total"], 12);
    let id3 = t3["items"][0]["id"].as_str().unwrap();
    let with_helper = json!({"group_id": group, "code": "1.3", "text": "Nhiệm vụ 1.3", "lead_unit_id": b, "cooperating_unit_ids": [a], "deadline": "2025-03-10"});
    app.put(&format!("/api/v1/tasks/{id3}"), with_helper).await.expect(200);

    let of_a = app.get(&format!("/api/v1/tasks?unit_id={a}&per_page=100")).await.expect(200);
    let codes: Vec<&str> = of_a["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["1.2", "1.3", "1.4", "1.6", "1.8", "1.10", "1.12"], "lead or co-operating, in plan order");

    let spring = app
        .get(&format!("/api/v1/tasks?plan_id={plan}&deadline_from=2025-03-01&deadline_to=2025-05-31"))
        .await
        .expect(200);
    assert_eq!(spring["total"], 3);

    let page2 = app.get(&format!("/api/v1/tasks?plan_id={plan}&per_page=5&page=2")).await.expect(200);
    assert_eq!((page2["items"].as_array().unwrap().len(), page2["page"].as_u64()), (5, Some(2)));
    assert_eq!(page2["items"][0]["code"], "1.6");

    let result = app
        .post("/api/v1/results", json!({"task_id": id3, "narrative": "Đã xong.", "self_score": 95}))
        .await
        .expect(201);
    app.post(&format!("/api/v1/results/{}/submit", result["id"].as_str().unwrap()), json!({})).await.expect(200);
    let submitted = app.get(&format!("/api/v1/tasks?plan_id={plan}&result_state=submitted")).await.expect(200);
    assert_eq!(submitted["total"], 1);

    app.get(&format!("/api/v1/tasks?plan_id={plan}&per_page=0")).await.expect_error(
        422,
        "invalid_parameter",
        Some("per_page"),
    );
    app.get(&format!("/api/v1/tasks?plan_id={plan}&per_page=501")).await.expect_error(
        422,
        "invalid_parameter",
        Some("per_page"),
    );
    app.get("/api/v1/tasks?deadline_from=tomorrow").await.expect_error(400, "invalid_parameter", Some("deadline_from"));
}

#[tokio::test]
async fn targets_belong_to_a_task_and_use_the_fixed_status_vocabulary() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    let task = app.task(&group, "1.1", None, "2025-12-01").await;
    let bad = json!({"task_id": task, "description": "Trồng rừng mới", "status": "vuot"});
    let body = app.post("/api/v1/targets", bad).await.expect_error(422, "validation_failed", Some("status"));
    assert!(body["fields"]["status"].as_str().unwrap().contains("exceeded"));

    let ok = json!({"task_id": task, "description": "Trồng rừng mới", "measure_unit": "ha", "goal_value": 600, "actual_value": 715.96, "status": "exceeded"});
    let target = app.post("/api/v1/targets", ok.clone()).await.expect(201);
    assert_eq!(target["suggested_status"], "exceeded");
    assert_eq!(target["position"], 1);
    let id = target["id"].as_str().unwrap();
    let mut changed = ok;
    changed["actual_value"] = json!(590);
    changed["status"] = json!("not_met");
    let t = app.put(&format!("/api/v1/targets/{id}"), changed).await.expect(200);
    assert_eq!((t["suggested_status"].as_str(), t["status"].as_str()), (Some("not_met"), Some("not_met")));
    assert_eq!(app.get(&format!("/api/v1/targets?task_id={task}")).await.expect(200).as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/tasks/{task}")).await.expect(200)["targets"][0]["id"], id);
    app.delete(&format!("/api/v1/targets/{id}")).await.expect(204);
    app.get(&format!("/api/v1/targets/{id}")).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn a_result_is_rated_by_the_plan_rubric_and_an_override_needs_a_reason() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    let task = app.task(&group, "1.1", None, "2025-12-01").await;

    app.post("/api/v1/results", json!({"task_id": task, "narrative": "x", "self_score": 101})).await.expect_error(
        422,
        "validation_failed",
        Some("self_score"),
    );
    app.post("/api/v1/results", json!({"task_id": task, "narrative": "x", "self_score": -1})).await.expect_error(
        422,
        "validation_failed",
        Some("self_score"),
    );
    app.post("/api/v1/results", json!({"task_id": task, "narrative": "x", "state": "done"})).await.expect_error(
        422,
        "validation_failed",
        Some("state"),
    );

    let r = app
        .post("/api/v1/results", json!({"task_id": task, "narrative": "Đã xong.", "self_score": 90}))
        .await
        .expect(201);
    assert_eq!(r["proposed_rating"], "Hoàn thành tốt nhiệm vụ", "90 is tốt in the reference rubric");
    assert_eq!(r["state"], "draft");
    let id = r["id"].as_str().unwrap();

    app.post("/api/v1/results", json!({"task_id": task, "narrative": "again"})).await.expect_error(
        409,
        "duplicate_result",
        None,
    );

    let no_reason = json!({"task_id": task, "narrative": "Đã xong.", "self_score": 90, "rating_override": "Hoàn thành xuất sắc nhiệm vụ"});
    app.put(&format!("/api/v1/results/{id}"), no_reason).await.expect_error(
        422,
        "validation_failed",
        Some("override_reason"),
    );
    let unknown = json!({"task_id": task, "narrative": "Đã xong.", "self_score": 90, "rating_override": "Tuyệt vời", "override_reason": "x"});
    app.put(&format!("/api/v1/results/{id}"), unknown).await.expect_error(
        422,
        "validation_failed",
        Some("rating_override"),
    );
    let with_reason = json!({"task_id": task, "narrative": "Đã xong.", "self_score": 90, "rating_override": "Hoàn thành xuất sắc nhiệm vụ", "override_reason": "Vượt tiến độ cả năm"});
    let r = app.put(&format!("/api/v1/results/{id}"), with_reason).await.expect(200);
    assert_eq!(r["final_rating"], "Hoàn thành xuất sắc nhiệm vụ");
    assert_eq!(r["proposed_rating"], "Hoàn thành tốt nhiệm vụ");

    // The same score under the 2026 preset is xuất sắc.
    let plan_id = app.get(&format!("/api/v1/tasks/{task}")).await.expect(200)["plan_id"].clone();
    let rubrics = app.get(&format!("/api/v1/rubrics?issuer_id={issuer}")).await.expect(200);
    let mut plan = app.get(&format!("/api/v1/plans/{}", plan_id.as_str().unwrap())).await.expect(200);
    plan["rubric_id"] = rubrics["items"][1]["id"].clone();
    app.put(&format!("/api/v1/plans/{}", plan_id.as_str().unwrap()), plan).await.expect(200);
    let plain = json!({"task_id": task, "narrative": "Đã xong.", "self_score": 90});
    assert_eq!(
        app.put(&format!("/api/v1/results/{id}"), plain).await.expect(200)["final_rating"],
        "Hoàn thành xuất sắc nhiệm vụ"
    );

    assert_eq!(app.get(&format!("/api/v1/results?task_id={task}")).await.expect(200)["total"], 1);
    app.delete(&format!("/api/v1/results/{id}")).await.expect(204);
}
