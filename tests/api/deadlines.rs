//! Deadlines as offices move them: extension and withdrawal requests and their
//! decisions, the Government's four-way counts, explanation requests and directions,
//! urging (mail and công văn đôn đốc) and escalation by working days — on a fixed day
//! of 2026 so the calendar is the same whenever the tests run.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app_at};

/// 12:00 in Vietnam on `day` of 2026.
fn noon(month: u32, day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 5, 0, 0).unwrap()
}

/// An office on a fixed day: two units, an officer each, the office, a signer and a
/// viewer, a 2026 plan with one group.
pub(crate) struct Office {
    pub app: TestApp,
    pub issuer: String,
    pub plan: String,
    pub group: String,
    pub units: [String; 2],
    pub officers: [String; 2],
    pub office: String,
    pub signer: String,
    pub viewer: String,
    /// The people's ids: the first unit's officer, the office, the signer.
    pub ids: [Uuid; 3],
}

pub(crate) async fn office_on(month: u32, day: u32) -> Office {
    let app = spawn_app_at(
        nhiemvu::services::signatures::Signing::disabled(),
        nhiemvu::services::Clock::fixed(noon(month, day)),
    )
    .await;
    let issuer = app.issuer("xa-theo-doi-han").await;
    let a = app.unit(&issuer, "KT").await;
    let b = app.unit(&issuer, "VH").await;
    let id = |s: &str| s.parse::<Uuid>().unwrap();
    let (officer_id, officer_a) = app.user(id(&issuer), "unit_officer", Some(id(&a))).await;
    let (_, officer_b) = app.user(id(&issuer), "unit_officer", Some(id(&b))).await;
    let (office_id, office) = app.user(id(&issuer), "office", None).await;
    let (signer_id, signer) = app.user(id(&issuer), "signer", None).await;
    let (_, viewer) = app.user(id(&issuer), "viewer", None).await;
    let (plan, group) = app.plan_with_group(&issuer, 2026).await;
    let ids = [officer_id, office_id, signer_id];
    Office { app, issuer, plan, group, units: [a, b], officers: [officer_a, officer_b], office, signer, viewer, ids }
}

pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

async fn follow_ups(o: &Office, task: &str) -> Vec<Value> {
    let v = o.app.act_as(&o.office).get(&format!("/api/v1/tasks/{task}/follow-ups")).await.expect(200);
    v.as_array().unwrap().clone()
}

async fn outbox_with(o: &Office, prefix: &str) -> u64 {
    nhiemvu::storage::outbox::count_with_key_prefix(&o.app.db.conn, prefix).await.unwrap()
}

#[tokio::test]
async fn an_extension_is_asked_and_approved_and_the_task_keeps_its_original_deadline() {
    let o = office_on(6, 15).await;
    let t = o.app.task(&o.group, "1.1", Some(&o.units[0]), "2026-06-30").await;
    let path = format!("/api/v1/tasks/{t}/requests");
    let ask = |asked_on: &str, reason: &str| json!({"kind": "extension", "asked_on": asked_on, "reason": reason});
    // Bad input, each named; nothing written.
    let officer = o.app.act_as(&o.officers[0]);
    officer.post(&path, ask("2026-06-01", "Chờ vốn")).await.expect_error(422, "validation_failed", Some("asked_on"));
    officer.post(&path, ask("2027-01-10", "Chờ vốn")).await.expect_error(422, "validation_failed", Some("asked_on"));
    officer.post(&path, ask("2026-07-31", "   ")).await.expect_error(422, "validation_failed", Some("reason"));
    officer.post(&path, json!({"kind": "direction", "reason": "x"})).await.expect_error(
        422,
        "validation_failed",
        Some("kind"),
    );
    // Another unit's officer does not see the task.
    o.app.act_as(&o.officers[1]).post(&path, ask("2026-07-31", "Chờ vốn")).await.expect(404);
    o.app.act_as(&o.viewer).post(&path, ask("2026-07-31", "Chờ vốn")).await.expect(403);
    assert!(follow_ups(&o, &t).await.is_empty(), "refused requests leave nothing");

    let r = o.app.act_as(&o.officers[0]).post(&path, ask("2026-07-31", "Chờ bố trí vốn")).await.expect(201);
    assert_eq!((s(&r["kind"]), s(&r["state"]), s(&r["asked_on"])), ("extension", "open", "2026-07-31"));
    o.app.post(&path, ask("2026-08-31", "Lần nữa")).await.expect_error(409, "request_open", None);
    assert_eq!(outbox_with(&o, &format!("follow_up:{}:open", s(&r["id"]))).await, 1, "the office is told");
    // It waits on the office.
    let waiting = o.app.act_as(&o.office).get("/api/v1/follow-ups/awaiting").await.expect(200);
    assert!(waiting.as_array().unwrap().iter().any(|f| f["id"] == r["id"]), "{waiting}");

    let decision = format!("/api/v1/follow-ups/{}/decision", s(&r["id"]));
    for who in [&o.officers[0], &o.viewer] {
        o.app.act_as(who).post(&decision, json!({"decision": "approve"})).await.expect(403);
    }
    let d = o.app.act_as(&o.office).post(&decision, json!({"decision": "approve"})).await.expect(200);
    assert_eq!((s(&d["state"]), s(&d["granted_on"])), ("approved", "2026-07-31"));
    o.app.post(&decision, json!({"decision": "refuse", "reason": "x"})).await.expect_error(
        409,
        "request_decided",
        None,
    );
    let task = o.app.get(&format!("/api/v1/tasks/{t}")).await.expect(200);
    assert_eq!((s(&task["deadline"]), s(&task["original_deadline"])), ("2026-07-31", "2026-06-30"));
    let lines = follow_ups(&o, &t).await;
    assert_eq!(s(&lines[0]["summary"]), "Đề xuất gia hạn đến 31/07/2026: Chờ bố trí vốn — Đồng ý, hạn mới 31/07/2026");
    assert!(s(&lines[0]["closed_by"]).contains("office"), "who decided: {}", lines[0]);
    assert_eq!(outbox_with(&o, &format!("follow_up:{}:decided", s(&r["id"]))).await, 1, "the unit is told");
    // A second extension keeps the first deadline as the original one.
    let r2 = o.app.act_as(&o.officers[0]).post(&path, ask("2026-08-31", "Thêm thời gian")).await.expect(201);
    let d2 = format!("/api/v1/follow-ups/{}/decision", s(&r2["id"]));
    o.app.act_as(&o.office).post(&d2, json!({"decision": "approve"})).await.expect(200);
    let task = o.app.get(&format!("/api/v1/tasks/{t}")).await.expect(200);
    assert_eq!((s(&task["deadline"]), s(&task["original_deadline"])), ("2026-08-31", "2026-06-30"));
}

#[tokio::test]
async fn a_refusal_needs_a_reason_and_a_partial_approval_another_date() {
    let o = office_on(6, 15).await;
    let t = o.app.task(&o.group, "1.2", Some(&o.units[0]), "2026-06-30").await;
    let path = format!("/api/v1/tasks/{t}/requests");
    let ask = json!({"kind": "extension", "asked_on": "2026-09-30", "reason": "Chờ hướng dẫn"});
    let r = o.app.act_as(&o.officers[0]).post(&path, ask.clone()).await.expect(201);
    let decision = format!("/api/v1/follow-ups/{}/decision", s(&r["id"]));
    let office = o.app.act_as(&o.office);
    office.post(&decision, json!({"decision": "refuse"})).await.expect_error(422, "validation_failed", Some("reason"));
    office.post(&decision, json!({"decision": "maybe"})).await.expect_error(422, "validation_failed", Some("decision"));
    let d = office.post(&decision, json!({"decision": "refuse", "reason": "Không có căn cứ"})).await.expect(200);
    assert_eq!(s(&d["state"]), "refused");
    let task = o.app.get(&format!("/api/v1/tasks/{t}")).await.expect(200);
    assert_eq!(s(&task["deadline"]), "2026-06-30");
    assert!(task.get("original_deadline").is_none_or(Value::is_null), "a refusal moves nothing: {task}");

    let r = o.app.act_as(&o.officers[0]).post(&path, ask).await.expect(201);
    let decision = format!("/api/v1/follow-ups/{}/decision", s(&r["id"]));
    let office = o.app.act_as(&o.office);
    office.post(&decision, json!({"decision": "partly", "reason": "Chỉ đến giữa tháng 8"})).await.expect_error(
        422,
        "validation_failed",
        Some("granted_on"),
    );
    office
        .post(&decision, json!({"decision": "partly", "granted_on": "2026-06-10", "reason": "x"}))
        .await
        .expect_error(422, "validation_failed", Some("granted_on"));
    let d = office
        .post(&decision, json!({"decision": "partly", "granted_on": "2026-08-15", "reason": "Chỉ đến giữa tháng 8"}))
        .await
        .expect(200);
    assert_eq!((s(&d["state"]), s(&d["granted_on"])), ("partly_approved", "2026-08-15"));
    let task = o.app.get(&format!("/api/v1/tasks/{t}")).await.expect(200);
    assert_eq!((s(&task["deadline"]), s(&task["original_deadline"])), ("2026-08-15", "2026-06-30"));
    let lines = follow_ups(&o, &t).await;
    assert_eq!(
        s(&lines[1]["summary"]),
        "Đề xuất gia hạn đến 30/09/2026: Chờ hướng dẫn — Đồng ý một phần, hạn mới 15/08/2026 (Chỉ đến giữa tháng 8)"
    );
}

#[tokio::test]
async fn where_the_rules_say_so_only_the_chairman_decides() {
    let o = office_on(6, 15).await;
    let rules = format!("/api/v1/issuers/{}/deadline-rules", o.issuer);
    let mut r = o.app.as_admin().get(&rules).await.expect(200);
    assert_eq!(r["tell_chairman_after"], 5, "defaults: {r}");
    r["signer_decides"] = json!(true);
    o.app.act_as(&o.office).put(&rules, r.clone()).await.expect(403);
    o.app.as_admin().put(&rules, r.clone()).await.expect(200);
    let mut bad = r.clone();
    bad["risk_time_percent"] = json!(0);
    o.app.as_admin().put(&rules, bad).await.expect_error(422, "validation_failed", Some("risk_time_percent"));

    let t = o.app.task(&o.group, "1.3", Some(&o.units[0]), "2026-06-30").await;
    let req = json!({"kind": "withdrawal", "reason": "Nhiệm vụ không còn phù hợp"});
    let r = o.app.act_as(&o.officers[0]).post(&format!("/api/v1/tasks/{t}/requests"), req).await.expect(201);
    let decision = format!("/api/v1/follow-ups/{}/decision", s(&r["id"]));
    o.app.act_as(&o.office).post(&decision, json!({"decision": "approve"})).await.expect(403);
    let office_waits = o.app.act_as(&o.office).get("/api/v1/follow-ups/awaiting").await.expect(200);
    assert_eq!(office_waits, json!([]), "the office has nothing to decide");
    let chair_waits = o.app.act_as(&o.signer).get("/api/v1/follow-ups/awaiting").await.expect(200);
    assert_eq!(chair_waits.as_array().unwrap().len(), 1, "{chair_waits}");
    o.app
        .act_as(&o.signer)
        .post(&decision, json!({"decision": "partly", "granted_on": "2026-08-01", "reason": "x"}))
        .await
        .expect_error(422, "validation_failed", Some("decision"));
    o.app.act_as(&o.signer).post(&decision, json!({"decision": "approve"})).await.expect(200);
}

#[tokio::test]
async fn a_withdrawn_task_leaves_the_counts_and_keeps_its_history() {
    let o = office_on(6, 15).await;
    let keep = o.app.task(&o.group, "1.1", Some(&o.units[0]), "2026-06-30").await;
    let gone = o.app.task(&o.group, "1.2", Some(&o.units[0]), "2026-06-30").await;
    let figures = format!("/api/v1/plans/{}/figures", o.plan);
    assert_eq!(o.app.as_admin().get(&figures).await.expect(200)["totals"]["total"], 2);
    let req = json!({"kind": "withdrawal", "reason": "Đã sáp nhập vào nhiệm vụ 1.1"});
    let r = o.app.act_as(&o.officers[0]).post(&format!("/api/v1/tasks/{gone}/requests"), req).await.expect(201);
    o.app
        .act_as(&o.office)
        .post(&format!("/api/v1/follow-ups/{}/decision", s(&r["id"])), json!({"decision": "approve"}))
        .await
        .expect(200);
    let f = o.app.as_admin().get(&figures).await.expect(200);
    assert_eq!((f["totals"]["total"].as_u64(), f["totals"]["open_in_time"].as_u64()), (Some(1), Some(1)), "{f}");
    let task = o.app.get(&format!("/api/v1/tasks/{gone}")).await.expect(200);
    assert!(task["withdrawn_at"].is_string() && task["archived_at"].is_string(), "{task}");
    assert_eq!(s(&task["archive_reason"]), "Rút nhiệm vụ: Đã sáp nhập vào nhiệm vụ 1.1");
    let lines = follow_ups(&o, &gone).await;
    assert_eq!(s(&lines[0]["summary"]), "Đề xuất rút nhiệm vụ: Đã sáp nhập vào nhiệm vụ 1.1 — Đồng ý rút nhiệm vụ");
    // A withdrawn (archived) task takes no new request.
    let again = json!({"kind": "extension", "asked_on": "2026-07-31", "reason": "x"});
    o.app.as_admin().post(&format!("/api/v1/tasks/{gone}/requests"), again).await.expect_error(
        409,
        "task_archived",
        None,
    );
    let _ = keep;
}

/// Reports `task` as `o`'s administrator, has it accepted, and dates the report `on`.
async fn accepted(o: &Office, task: &str, on: NaiveDate) {
    let r = o
        .app
        .as_admin()
        .put(&format!("/api/v1/tasks/{task}/report"), json!({"narrative": "Đã hoàn thành", "submit": true}))
        .await
        .expect(200);
    o.app.post(&format!("/api/v1/results/{}/accept", s(&r["id"])), json!({})).await.expect(200);
    let id: Uuid = s(&r["id"]).parse().unwrap();
    let row = nhiemvu::storage::results::get(&o.app.db.conn, id).await.unwrap();
    let at = on.and_hms_opt(3, 0, 0).unwrap().and_utc();
    nhiemvu::storage::results::save(&o.app.db.conn, nhiemvu::storage::results::Model { submitted_at: Some(at), ..row })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_four_ways_count_one_task_in_each_and_flag_the_one_at_risk() {
    let o = office_on(6, 15).await;
    let a = Some(o.units[0].as_str());
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let on_time = o.app.task(&o.group, "1", a, "2026-06-10").await;
    let late = o.app.task(&o.group, "2", a, "2026-06-01").await;
    let open = o.app.task(&o.group, "3", a, "2026-06-30").await;
    let open_late = o.app.task(&o.group, "4", a, "2026-06-05").await;
    let extended = o.app.task(&o.group, "5", a, "2026-06-10").await;
    // 91 % of the time from 1 January gone, 10 % of the goal reached: "Nguy cơ chậm".
    let risky = o.app.task(&o.group, "6", a, "2026-06-30").await;
    o.app
        .post(
            "/api/v1/targets",
            json!({"task_id": risky, "description": "Trồng rừng mới", "measure_unit": "ha", "goal_value": 100.0, "actual_value": 10.0}),
        )
        .await
        .expect(201);
    let r = o
        .app
        .act_as(&o.officers[0])
        .post(
            &format!("/api/v1/tasks/{extended}/requests"),
            json!({"kind": "extension", "asked_on": "2026-06-20", "reason": "Chờ số liệu"}),
        )
        .await
        .expect(201);
    o.app
        .act_as(&o.office)
        .post(&format!("/api/v1/follow-ups/{}/decision", s(&r["id"])), json!({"decision": "approve"}))
        .await
        .expect(200);
    accepted(&o, &on_time, d(6, 9)).await;
    accepted(&o, &late, d(6, 5)).await;
    // Reported after its first deadline but by the extended one.
    accepted(&o, &extended, d(6, 12)).await;

    let f = o.app.as_admin().get(&format!("/api/v1/plans/{}/figures", o.plan)).await.expect(200);
    let t = &f["totals"];
    let four = ["done_on_time", "done_on_time_extended", "done_late", "open_in_time", "open_late", "at_risk"];
    assert_eq!(four.map(|k| t[k].as_u64().unwrap()), [2, 1, 1, 2, 1, 1], "{t}");
    let risky_list: Vec<&str> = f["at_risk"].as_array().unwrap().iter().map(|x| s(&x["task_id"])).collect();
    assert_eq!(risky_list, [risky.as_str()]);
    // The unit's row counts the same.
    let row = f["by_unit"].as_array().unwrap().iter().find(|r| r["id"] == json!(o.units[0])).unwrap().clone();
    assert_eq!(four.map(|k| row["counts"][k].as_u64().unwrap()), [2, 1, 1, 2, 1, 1]);
    let _ = (open, open_late);
}

#[tokio::test]
async fn an_explanation_and_a_direction_are_answered_on_the_task() {
    let o = office_on(6, 15).await;
    let t = o.app.task(&o.group, "1.1", Some(&o.units[0]), "2026-06-05").await;
    let asks = format!("/api/v1/tasks/{t}/asks");
    let q = json!({"kind": "explanation", "body": "Đề nghị giải trình nguyên nhân chậm", "answer_by": "2026-06-20"});
    o.app.act_as(&o.viewer).post(&asks, q.clone()).await.expect(403);
    o.app.act_as(&o.officers[0]).post(&asks, q.clone()).await.expect(403);
    o.app.act_as(&o.office).post(&asks, json!({"kind": "explanation", "body": "Vì sao?"})).await.expect_error(
        422,
        "validation_failed",
        Some("answer_by"),
    );
    let e = o.app.act_as(&o.office).post(&asks, q).await.expect(201);
    assert_eq!(outbox_with(&o, &format!("follow_up:{}:open", s(&e["id"]))).await, 1, "the unit is told");
    let waiting = o.app.act_as(&o.officers[0]).get("/api/v1/follow-ups/awaiting").await.expect(200);
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(o.app.act_as(&o.officers[1]).get("/api/v1/follow-ups/awaiting").await.expect(200), json!([]));

    let answer = format!("/api/v1/follow-ups/{}/answer", s(&e["id"]));
    o.app.act_as(&o.officers[1]).post(&answer, json!({"answer": "Không phải việc của tôi"})).await.expect(404);
    o.app.act_as(&o.officers[0]).post(&answer, json!({"answer": " "})).await.expect_error(
        422,
        "validation_failed",
        Some("answer"),
    );
    let a = o.app.act_as(&o.officers[0]).post(&answer, json!({"answer": "Chờ vốn tỉnh phân bổ"})).await.expect(200);
    assert_eq!(s(&a["state"]), "answered");
    o.app.act_as(&o.officers[0]).post(&answer, json!({"answer": "Lần hai"})).await.expect_error(
        409,
        "already_answered",
        None,
    );

    let dir = o
        .app
        .act_as(&o.signer)
        .post(&asks, json!({"kind": "direction", "body": "Tập trung hoàn thành trong tháng 6"}))
        .await
        .expect(201);
    o.app
        .act_as(&o.officers[0])
        .post(&format!("/api/v1/follow-ups/{}/answer", s(&dir["id"])), json!({"answer": "Đơn vị xin tiếp thu"}))
        .await
        .expect(200);
    let lines: Vec<String> = follow_ups(&o, &t).await.iter().map(|l| s(&l["summary"]).to_owned()).collect();
    assert_eq!(
        lines,
        [
            "Yêu cầu giải trình (trả lời trước 20/06/2026): Đề nghị giải trình nguyên nhân chậm — Trả lời: Chờ vốn tỉnh phân bổ",
            "Ý kiến chỉ đạo: Tập trung hoàn thành trong tháng 6 — Trả lời: Đơn vị xin tiếp thu",
        ]
    );
    // On a unit's row: every open task it leads, one line each.
    o.app.task(&o.group, "1.2", Some(&o.units[0]), "2026-07-05").await;
    let all = o
        .app
        .act_as(&o.office)
        .post(
            &format!("/api/v1/plans/{}/units/{}/asks", o.plan, o.units[0]),
            json!({"kind": "direction", "body": "Rà soát toàn bộ nhiệm vụ"}),
        )
        .await
        .expect(201);
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
}

#[tokio::test]
async fn urging_two_units_drafts_one_letter_with_a_table_each_or_mails_each_unit_once() {
    let o = office_on(6, 15).await;
    let [a, b] = &o.units;
    let c = o.app.unit(&o.issuer, "TP").await;
    let ta = o.app.task(&o.group, "1.1", Some(a), "2026-06-01").await;
    let tb = o.app.task(&o.group, "1.2", Some(b), "2026-06-10").await;
    o.app.task(&o.group, "1.3", Some(&c), "2026-12-31").await;
    let urge = format!("/api/v1/plans/{}/urge", o.plan);
    o.app.act_as(&o.viewer).post(&urge, json!({"unit_ids": [a], "by": "mail"})).await.expect(403);
    o.app.act_as(&o.officers[0]).post(&urge, json!({"unit_ids": [a], "by": "mail"})).await.expect(403);
    let office = o.app.act_as(&o.office);
    office.post(&urge, json!({"unit_ids": [c], "by": "mail"})).await.expect_error(
        422,
        "validation_failed",
        Some("unit_ids"),
    );
    office.post(&urge, json!({"unit_ids": [a], "by": "fax"})).await.expect_error(422, "validation_failed", Some("by"));
    office.post(&urge, json!({"unit_ids": [a], "by": "mail", "report_by": "2026-06-01"})).await.expect_error(
        422,
        "validation_failed",
        Some("report_by"),
    );

    let out =
        office.post(&urge, json!({"unit_ids": [a, b, c], "by": "letter", "report_by": "2026-06-25"})).await.expect(200);
    assert_eq!((out["units"].as_u64(), out["tasks"].as_u64()), (Some(2), Some(2)), "{out}");
    let doc = s(&out["documents"][0]).to_owned();
    let d = o.app.get(&format!("/api/v1/documents/{doc}")).await.expect(200);
    let labels: Vec<&str> = d["recipients"].as_array().unwrap().iter().map(|r| s(&r["label"])).collect();
    assert_eq!(labels, ["Đơn vị KT", "Đơn vị VH", "Lưu: VT, VP"]);
    assert!(s(&d["closing"]).contains("trước ngày 25/06/2026"), "{d}");
    for t in [&ta, &tb] {
        let lines = follow_ups(&o, t).await;
        assert_eq!(s(&lines[0]["summary"]), "Đôn đốc ngày 15/06/2026 bằng công văn (dự thảo, chưa ban hành)");
    }
    // The letter passes the Nghị định 30 check on submitting.
    o.app.act_as(&o.office).post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect(200);

    let each = o
        .app
        .act_as(&o.office)
        .post(&urge, json!({"unit_ids": [a, b], "by": "letter", "one_each": true}))
        .await
        .expect(200);
    assert_eq!(each["documents"].as_array().unwrap().len(), 2);

    let mailed = o.app.act_as(&o.office).post(&urge, json!({"unit_ids": [a, b], "by": "mail"})).await.expect(200);
    // Each unit's officer gets one digest.
    assert_eq!(mailed["mails"].as_u64(), Some(2), "{mailed}");
    assert_eq!(outbox_with(&o, "urge:").await, 2);
    let lines = follow_ups(&o, &ta).await;
    assert_eq!(s(&lines.last().unwrap()["summary"]), "Đã đôn đốc ngày 15/06/2026 bằng thư nhắc");
}

#[tokio::test]
async fn escalation_counts_working_days_over_a_weekend_and_the_holidays_and_escalates_once() {
    // Deadline Tuesday 28 April 2026; 30/4 and 1/5 are holidays, 2–3 May a weekend.
    let o = office_on(4, 20).await;
    let t = o.app.task(&o.group, "1.1", Some(&o.units[0]), "2026-04-28").await;
    o.app.task(&o.group, "1.2", Some(&o.units[1]), "2026-12-31").await;
    let q = json!({"kind": "explanation", "body": "Giải trình tiến độ", "answer_by": "2026-04-30"});
    o.app.act_as(&o.office).post(&format!("/api/v1/tasks/{t}/asks"), q).await.expect(201);
    let policy = nhiemvu::domain::reminder::Policy::default();
    let run = |m: u32, d: u32| nhiemvu::services::escalation::escalate(&o.app.db, &policy, noon(m, d));
    // Monday 4 May: two working days late; the explanation is overdue: the chairman is told once.
    let e = run(5, 4).await.unwrap();
    assert_eq!((e.told, e.letters, e.unanswered), (0, 0, 1), "{e:?}");
    assert_eq!(run(5, 4).await.unwrap(), Default::default(), "a second run raises nothing");
    // Wednesday 6 May: four working days late.
    assert_eq!(run(5, 6).await.unwrap().told, 0);
    // Thursday 7 May: five.
    let e = run(5, 7).await.unwrap();
    assert_eq!((e.told, e.letters), (1, 0), "{e:?}");
    assert_eq!(run(5, 8).await.unwrap(), Default::default(), "once per level");
    let chair = o.app.act_as(&o.signer).get("/api/v1/follow-ups/awaiting").await.expect(200);
    assert_eq!(chair.as_array().unwrap().len(), 1, "{chair}");
    assert_eq!(s(&chair[0]["summary"]), "Quá hạn 5 ngày làm việc: đã báo Chủ tịch");
    // Wednesday 13 May: nine working days; Thursday 14 May: ten, an urging letter drafted.
    assert_eq!(run(5, 13).await.unwrap().letters, 0);
    let e = run(5, 14).await.unwrap();
    assert_eq!((e.letters, e.drafted), (1, 1), "{e:?}");
    assert_eq!(run(5, 14).await.unwrap(), Default::default());
    let lines: Vec<String> = follow_ups(&o, &t).await.iter().map(|l| s(&l["summary"]).to_owned()).collect();
    assert!(lines.iter().any(|l| l == "Quá hạn 10 ngày làm việc: đã dự thảo công văn đôn đốc"), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Đôn đốc ngày 14/05/2026 bằng công văn")), "{lines:?}");
    assert!(outbox_with(&o, &format!("escalate:{}", o.issuer)).await >= 2, "the chairman and the office are told");
    // Once the task is reported the chairman's list lets it go.
    o.app
        .as_admin()
        .put(&format!("/api/v1/tasks/{t}/report"), json!({"narrative": "Đã xong", "submit": true}))
        .await
        .expect(200);
    run(5, 15).await.unwrap();
    assert_eq!(o.app.act_as(&o.signer).get("/api/v1/follow-ups/awaiting").await.expect(200), json!([]));
}
