//! One user action, one transaction: a task with its targets, a report with its
//! values and step, a co-operating unit's contribution; a refused part writes
//! nothing, not even an audit event.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::{People, TestApp, spawn_app};
use nhiemvu::storage::entities::{audit_events, results, targets};

async fn events(app: &TestApp) -> u64 {
    audit_events::Entity::find().count(&app.db.conn).await.unwrap()
}

/// A task led by TC-KH with VH-TT co-operating, two targets; returns (task, group, vhtt).
async fn shared_task(app: &TestApp, p: &People) -> (String, String, String) {
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap().to_owned();
    let units = app.get(&format!("/api/v1/units?issuer_id={}&per_page=100", p.issuer)).await.expect(200);
    let vhtt = units["items"].as_array().unwrap().iter().find(|u| u["short_name"] == "VH-TT").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let task = app
        .post(
            "/api/v1/tasks",
            json!({"group_id": group, "code": "9.1", "text": "Xây dựng nhà văn hóa thôn", "lead_unit_id": p.tckh,
                "cooperating_unit_ids": [vhtt],
                "set_targets": [{"description": "Nhà văn hóa xây mới", "measure_unit": "nhà", "goal_value": 4},
                                {"description": "Kinh phí giải ngân", "measure_unit": "%", "goal_value": 95}]}),
        )
        .await
        .expect(201);
    assert_eq!(task["targets"].as_array().unwrap().len(), 2, "{task}");
    (task["id"].as_str().unwrap().to_owned(), group, vhtt)
}

#[tokio::test]
async fn a_task_and_its_targets_are_saved_together_or_not_at_all() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, group, _) = shared_task(&app, &p).await;
    let t = app.get(&format!("/api/v1/tasks/{task}")).await.expect(200);
    let first = t["targets"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(t["targets"][1]["description"], "Kinh phí giải ngân");

    // The first target gets a reported value; an edit that keeps it by id keeps the value.
    app.act_as(p.token("unit_officer"))
        .put(
            &format!("/api/v1/tasks/{task}/report"),
            json!({"narrative": "Đã xây 3 nhà.", "actuals": [{"target_id": first, "value": 3}]}),
        )
        .await
        .expect(200);
    let body = |lines: serde_json::Value| {
        json!({"group_id": group, "code": "9.1", "text": "Xây dựng nhà văn hóa thôn", "lead_unit_id": p.tckh,
            "set_targets": lines})
    };
    let updated = app
        .as_admin()
        .put(
            &format!("/api/v1/tasks/{task}"),
            body(
                json!([{"id": first, "description": "Nhà văn hóa thôn xây mới", "measure_unit": "nhà", "goal_value": 5},
                        {"description": "Thôn có sân thể thao", "goal_value": 10}]),
            ),
        )
        .await
        .expect(200);
    let lines = updated["targets"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "the unlisted target is removed: {updated}");
    assert_eq!(lines[0]["id"], first.as_str());
    assert_eq!(lines[0]["goal_value"], 5.0);
    assert_eq!(lines[0]["actual_value"], 3.0, "the reported value stays");
    assert_eq!(lines[1]["description"], "Thôn có sân thể thao");

    // A refused line (no description; a target of another task) changes nothing at all.
    let before = (events(&app).await, app.as_admin().get(&format!("/api/v1/tasks/{task}")).await.expect(200));
    app.put(
        &format!("/api/v1/tasks/{task}"),
        body(json!([{"description": "Được", "goal_value": 1}, {"description": ""}])),
    )
    .await
    .expect_error(422, "validation_failed", Some("set_targets[1].description"));
    let other = app.task(&group, "9.2", Some(&p.tckh), "2024-12-01").await;
    let stranger = app
        .put(
            &format!("/api/v1/tasks/{other}"),
            json!({"group_id": group, "code": "9.2", "text": "Khác", "set_targets": [{"description": "Của nhiệm vụ khác"}]}),
        )
        .await
        .expect(200)["targets"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before_events = events(&app).await;
    let mut b = body(json!([{"id": stranger, "description": "Lấy chỉ tiêu của nhiệm vụ khác"}]));
    b["text"] = json!("Nội dung đổi theo");
    app.put(&format!("/api/v1/tasks/{task}"), b).await.expect_error(
        422,
        "validation_failed",
        Some("set_targets[0].id"),
    );
    assert_eq!(events(&app).await, before_events, "no audit event for a refused save");
    let after = app.get(&format!("/api/v1/tasks/{task}")).await.expect(200);
    assert_eq!(after["text"], before.1["text"], "the task's own change was rolled back with its targets");
    assert_eq!(after["targets"], before.1["targets"]);
    assert!(before.0 < before_events, "the other task's save was audited");
}

#[tokio::test]
async fn a_report_with_a_refused_value_writes_nothing() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, group, _) = shared_task(&app, &p).await;
    let t = app.get(&format!("/api/v1/tasks/{task}")).await.expect(200);
    let mine = t["targets"][0]["id"].as_str().unwrap().to_owned();
    let other = app.task(&group, "9.2", Some(&p.tckh), "2024-12-01").await;
    let foreign = app
        .put(
            &format!("/api/v1/tasks/{other}"),
            json!({"group_id": group, "code": "9.2", "text": "Khác", "set_targets": [{"description": "Khác"}]}),
        )
        .await
        .expect(200)["targets"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unit = app.act_as(p.token("unit_officer"));
    let (results_before, targets_before, events_before) = (
        results::Entity::find().count(&app.db.conn).await.unwrap(),
        targets::Entity::find().all(&app.db.conn).await.unwrap(),
        events(&app).await,
    );
    unit.put(
        &format!("/api/v1/tasks/{task}/report"),
        json!({"narrative": "Đã xây 3 nhà.", "self_score": 90, "submit": true,
            "actuals": [{"target_id": mine, "value": 3}, {"target_id": foreign, "value": 7}]}),
    )
    .await
    .expect_error(422, "validation_failed", Some(&format!("actual_{foreign}")));
    assert_eq!(results::Entity::find().count(&app.db.conn).await.unwrap(), results_before, "no result");
    assert_eq!(targets::Entity::find().all(&app.db.conn).await.unwrap(), targets_before, "no value written");
    assert_eq!(events(&app).await, events_before, "no audit event");

    // The same report without the stranger's value: result, value and step together.
    let r = unit
        .put(
            &format!("/api/v1/tasks/{task}/report"),
            json!({"narrative": "Đã xây 3 nhà.", "self_score": 90, "submit": true,
                "actuals": [{"target_id": mine, "value": 3}]}),
        )
        .await
        .expect(200);
    assert_eq!(r["state"], "submitted");
    assert!(r["submitted_at"].is_string());
    let t = app.as_admin().get(&format!("/api/v1/tasks/{task}")).await.expect(200);
    assert_eq!(t["targets"][0]["actual_value"], 3.0);
    // Submitted: the lead unit can no longer change it.
    unit.put(&format!("/api/v1/tasks/{task}/report"), json!({"narrative": "Sửa sau khi gửi"})).await.expect_error(
        409,
        "result_locked",
        None,
    );
}

#[tokio::test]
async fn a_co_operating_unit_writes_its_contribution_and_the_lead_reads_it() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, _, vhtt) = shared_task(&app, &p).await;
    let coop = app.act_as(p.token("other_unit_officer"));
    // The co-operator may not write the lead's result …
    coop.put(&format!("/api/v1/tasks/{task}/report"), json!({"narrative": "Không phải việc của tôi"}))
        .await
        .expect_error(403, "forbidden", None);
    // … but writes its own contribution, replaced on the next save.
    let first = coop
        .put(&format!("/api/v1/tasks/{task}/contribution"), json!({"text": "Phối hợp tuyên truyền tại 4 thôn."}))
        .await
        .expect(200);
    assert_eq!(first["unit_id"], vhtt.as_str());
    let second = coop
        .put(&format!("/api/v1/tasks/{task}/contribution"), json!({"text": "Phối hợp tuyên truyền tại **5** thôn."}))
        .await
        .expect(200);
    assert_eq!(second["id"], first["id"], "one contribution per unit and task");
    coop.put(&format!("/api/v1/tasks/{task}/contribution"), json!({"text": "  "})).await.expect_error(
        422,
        "validation_failed",
        Some("text"),
    );
    // The lead unit is not a co-operator; the office must name the unit.
    app.act_as(p.token("unit_officer"))
        .put(&format!("/api/v1/tasks/{task}/contribution"), json!({"text": "Chủ trì"}))
        .await
        .expect_error(422, "validation_failed", Some("unit_id"));
    app.act_as(p.token("office"))
        .put(&format!("/api/v1/tasks/{task}/contribution"), json!({"text": "Thay đơn vị"}))
        .await
        .expect_error(422, "validation_failed", Some("unit_id"));
    let list =
        app.act_as(p.token("unit_officer")).get(&format!("/api/v1/tasks/{task}/contributions")).await.expect(200);
    app.as_admin();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["text"], "Phối hợp tuyên truyền tại **5** thôn.");
    // A unit that takes no part sees neither the task nor its contributions.
    let (_, outsider) = app.user(p.issuer.parse().unwrap(), "unit_officer", Some(other_unit(&app, &p).await)).await;
    app.act_as(&outsider).get(&format!("/api/v1/tasks/{task}/contributions")).await.expect_error(
        404,
        "not_found",
        None,
    );
}

async fn other_unit(app: &TestApp, p: &People) -> uuid::Uuid {
    let units = app.get(&format!("/api/v1/units?issuer_id={}&per_page=100", p.issuer)).await.expect(200);
    units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["short_name"] != "VH-TT" && u["short_name"] != "TC-KH")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_review_history_lists_each_submission_and_return_with_its_comment() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, _, _) = shared_task(&app, &p).await;
    let (unit, office) = (p.token("unit_officer"), p.token("office"));
    let report = |text: &str| json!({"narrative": text, "self_score": 90, "submit": true});
    let r = app.act_as(unit).put(&format!("/api/v1/tasks/{task}/report"), report("Lần đầu.")).await.expect(200);
    let id = r["id"].as_str().unwrap().to_owned();
    app.act_as(office)
        .post(&format!("/api/v1/results/{id}/return"), json!({"comment": "Bổ sung số liệu quý IV"}))
        .await
        .expect(200);
    app.act_as(unit).put(&format!("/api/v1/tasks/{task}/report"), report("Đã bổ sung.")).await.expect(200);
    app.act_as(office).post(&format!("/api/v1/results/{id}/accept"), json!({})).await.expect(200);
    let history = app.act_as(unit).get(&format!("/api/v1/results/{id}/history")).await.expect(200);
    let steps: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["submit", "return", "submit", "accept"], "{history}");
    assert_eq!(history[1]["comment"], "Bổ sung số liệu quý IV");
    assert_eq!(history[1]["action_label"], "Văn phòng trả lại");
    assert_ne!(history[0]["by"], history[1]["by"], "the unit sent it, the office returned it: {history}");
    // The co-operating unit reads it too (it sees the task); the history is read-only.
    app.act_as(p.token("other_unit_officer")).get(&format!("/api/v1/results/{id}/history")).await.expect(200);
}
