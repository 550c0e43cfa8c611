//! The reference year loads as data and the API returns it as the report prints it.

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::spawn_app;

const XUAT_SAC: &str = "Hoàn thành xuất sắc nhiệm vụ";
const TOT: &str = "Hoàn thành tốt nhiệm vụ";

#[tokio::test]
async fn the_reference_year_loads_with_its_ten_tasks_scores_and_ratings() {
    let app = spawn_app().await;
    let (_, plan_id, _) = app.load_demo().await;

    let tasks = app.get(&format!("/api/v1/tasks?plan_id={plan_id}&per_page=100")).await.expect(200);
    let codes: Vec<&str> = tasks["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]);
    assert_eq!(tasks["total"], 10);

    let results = app.get(&format!("/api/v1/results?plan_id={plan_id}&per_page=100")).await.expect(200);
    let by_task: BTreeMap<String, (i64, String)> = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["task_id"].as_str().unwrap().to_owned(),
                (r["self_score"].as_i64().unwrap(), r["final_rating"].as_str().unwrap().to_owned()),
            )
        })
        .collect();
    let expected = [
        ("1.1", 100, XUAT_SAC),
        ("1.2", 80, TOT),
        ("1.3", 90, TOT),
        ("1.4", 100, XUAT_SAC),
        ("1.5", 100, XUAT_SAC),
        ("2.1", 100, XUAT_SAC),
        ("2.2", 91, XUAT_SAC),
        ("2.3", 97, XUAT_SAC),
        ("2.4", 100, XUAT_SAC),
        ("2.5", 100, XUAT_SAC),
    ];
    for (task, (code, score, rating)) in tasks["items"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(task["code"], code);
        let (s, r) = &by_task[task["id"].as_str().unwrap()];
        assert_eq!((*s, r.as_str()), (score, rating), "task {code}");
    }
    let excellent = by_task.values().filter(|(_, r)| r == XUAT_SAC).count();
    assert_eq!((excellent, by_task.len() - excellent), (8, 2));
}

#[tokio::test]
async fn the_reference_year_keeps_its_groups_targets_footnote_and_proposals() {
    let app = spawn_app().await;
    let (issuer_id, plan_id, document_id) = app.load_demo().await;

    let groups = app.get(&format!("/api/v1/groups?plan_id={plan_id}")).await.expect(200);
    assert_eq!(groups[0]["title"], "Nhóm nhiệm vụ về phát triển kinh tế");
    assert_eq!(groups[1]["title"], "Nhóm nhiệm vụ về văn hóa, xã hội; cải cách hành chính");
    assert_eq!(groups[1]["summary_title"], "Nhóm nhiệm vụ về văn hóa, xã hội và cải cách hành chính");

    let t13 =
        app.get(&format!("/api/v1/tasks?plan_id={plan_id}&per_page=3&page=1")).await.expect(200)["items"][2].clone();
    assert_eq!(t13["code"], "1.3");
    let statuses: Vec<&str> =
        t13["targets"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["expected_met", "met", "expected_met", "expected_met", "exceeded", "exceeded"]);
    let forest = &t13["targets"][4];
    assert_eq!((forest["goal_value"].as_f64(), forest["actual_value"].as_f64()), (Some(600.0), Some(715.96)));

    let results = app.get(&format!("/api/v1/results?plan_id={plan_id}&per_page=100")).await.expect(200);
    let with_footnote: Vec<&serde_json::Value> = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["narrative"].as_str().unwrap().contains("[^1]:"))
        .collect();
    assert_eq!(with_footnote.len(), 1);
    assert!(with_footnote[0]["narrative"].as_str().unwrap().contains("(**không đạt**[^1])"));

    let proposals = app.get(&format!("/api/v1/proposals?plan_id={plan_id}")).await.expect(200);
    let sections: Vec<&str> = proposals.as_array().unwrap().iter().map(|p| p["section"].as_str().unwrap()).collect();
    assert_eq!(sections.iter().filter(|s| **s == "issuer").count(), 16);
    assert_eq!(sections.iter().filter(|s| **s == "communes_common").count(), 3);
    assert_eq!(proposals[2]["text"], "Trồng mới thêm 600 ha rừng.");

    let doc = app.get(&format!("/api/v1/documents/{document_id}")).await.expect(200);
    assert_eq!(doc["issuer_id"], issuer_id.as_str());
    assert_eq!(doc["symbol"], "BC-UBND");
    assert_eq!(doc["state"], "draft");
    assert!(doc["number"].is_null());
    assert_eq!(doc["signer_name"], "Phùng Thị Thanh Nga");
    let labels: Vec<&str> =
        doc["recipients"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels.first(), Some(&"TT. Huyện ủy"));
    assert_eq!(labels.last(), Some(&"Lưu:VT"));
    assert_eq!(doc["recipients"].as_array().unwrap().last().unwrap()["emails"], serde_json::json!([]));
    assert!(doc["closing"].as_str().unwrap().ends_with("./."));
}

#[tokio::test]
async fn loading_the_reference_year_twice_changes_nothing() {
    let app = spawn_app().await;
    let first = app.load_demo().await;
    let second = app.load_demo().await;
    assert_eq!(first, second);
    let plans = app.get("/api/v1/plans").await.expect(200);
    assert_eq!(plans["total"], 1);
}

#[tokio::test]
async fn the_issuer_name_comes_from_data_not_from_code() {
    let app = spawn_app().await;
    let (issuer_id, _, _) = app.load_demo().await;
    let issuer = app.get(&format!("/api/v1/issuers/{issuer_id}")).await.expect(200);
    // A People's Committee: its own name over two lines, no parent body.
    assert_eq!(issuer["name_lines"], json!(["ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"]));
    assert_eq!(issuer["parent_lines"], json!([]));
    assert_eq!(issuer["place_name"], "Bắc Sơn");
}
