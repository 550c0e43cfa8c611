//! Every role against every mutating endpoint: allowed roles succeed, the others
//! get 403. Each role runs on a fresh copy of the reference year, with its own
//! records prepared in the states each endpoint needs.

use serde_json::{Value, json};

use crate::helpers::{People, TestApp, spawn_app};

const ROLES: [&str; 5] = ["admin", "office", "unit_officer", "signer", "viewer"];
const ADMIN: &[&str] = &["admin"];
const OFFICE: &[&str] = &["admin", "office"];
const REPORTING: &[&str] = &["admin", "office", "unit_officer"];
const SIGNER: &[&str] = &["signer"];
/// Offices are the server administrator's (tests/api/offices.rs): no office role.
const NOBODY: &[&str] = &[];
const EVERYONE: &[&str] = &ROLES;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// A task led by TC-KH (the unit officer's unit) in the reference plan.
async fn tckh_task(app: &TestApp, p: &People, group: &str, code: &str) -> String {
    let body = json!({"group_id": group, "code": code, "text": format!("Nhiệm vụ {code}"), "lead_unit_id": p.tckh, "deadline": "2024-12-20"});
    id(&app.as_admin().post("/api/v1/tasks", body).await.expect(201))
}

/// A result on a new TC-KH task, moved to `state` through the workflow.
async fn result_in(app: &TestApp, p: &People, group: &str, code: &str, state: &str) -> (String, String) {
    let task = tckh_task(app, p, group, code).await;
    let r = id(&app
        .as_admin()
        .post("/api/v1/results", json!({"task_id": task, "narrative": "Đã làm.", "self_score": 95}))
        .await
        .expect(201));
    if state != "draft" {
        app.post(&format!("/api/v1/results/{r}/submit"), json!({})).await.expect(200);
    }
    if state == "accepted" {
        app.post(&format!("/api/v1/results/{r}/accept"), json!({})).await.expect(200);
    }
    (task, r)
}

/// A report draft moved to `state`.
async fn document_in(app: &TestApp, p: &People, state: &str) -> String {
    // An issued report would close the year for the cases run after it: these are assignment plans.
    let kind = "plan";
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": kind, "subject": "Văn bản thử", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga", "recipients": [{"label": "Lưu: VT"}]});
    let d = id(&app.as_admin().post("/api/v1/documents", body).await.expect(201));
    let steps: &[(&str, &str)] = match state {
        "draft" => &[],
        "submitted" => &[("admin", "submit")],
        "approved" => &[("admin", "submit"), ("signer", "approve")],
        "issued" => &[("admin", "submit"), ("signer", "approve"), ("admin", "issue")],
        other => panic!("{other}"),
    };
    for (who, step) in steps {
        app.act_as(p.token(who)).post(&format!("/api/v1/documents/{d}/{step}"), json!({})).await.expect(200);
    }
    d
}

const PNG: &[u8] = include_bytes!("../fixtures/signature.png");

#[tokio::test]
async fn every_role_may_do_exactly_what_it_is_given_and_nothing_else() {
    for role in ROLES {
        let app = spawn_app().await;
        let p = app.demo_people().await;
        app.as_admin();
        let issuer = app.other_issuer("xa-du-phong").await;
        let spare_unit = app.unit(&p.issuer, "DU-PHONG").await;
        let spare_user = id(&app.post("/api/v1/users", json!({"issuer_id": p.issuer, "username": "du-phong", "name": "Dự phòng", "email": "dp@example.vn", "role": "viewer"})).await.expect(201));
        let bands =
            json!([{"label": "Đạt", "lower": 50, "lower_inclusive": true}, {"label": "Không đạt", "upper": 50}]);
        let rubric = id(&app
            .post("/api/v1/rubrics", json!({"issuer_id": p.issuer, "name": "Hai mức", "bands": bands}))
            .await
            .expect(201));
        let (spare_plan, spare_group) = app.plan_with_group(&p.issuer, 2030).await;
        let group = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let spare_task = tckh_task(&app, &p, &group, "9.1").await;
        let target = id(&app
            .post("/api/v1/targets", json!({"task_id": spare_task, "description": "Thu ngân sách", "goal_value": 100}))
            .await
            .expect(201));
        let new_task = tckh_task(&app, &p, &group, "9.2").await;
        let (draft_task, draft) = result_in(&app, &p, &group, "9.3", "draft").await;
        let (_, deletable) = result_in(&app, &p, &group, "9.4", "draft").await;
        let (_, to_submit) = result_in(&app, &p, &group, "9.5", "draft").await;
        let (_, to_accept) = result_in(&app, &p, &group, "9.6", "submitted").await;
        let (_, to_return) = result_in(&app, &p, &group, "9.7", "submitted").await;
        let (_, to_reopen) = result_in(&app, &p, &group, "9.8", "accepted").await;
        let proposal = id(&app
            .post("/api/v1/proposals", json!({"plan_id": p.plan, "section": "issuer", "text": "Dự phòng"}))
            .await
            .expect(201));
        let d_edit = document_in(&app, &p, "draft").await;
        let d_delete = document_in(&app, &p, "draft").await;
        let d_submit = document_in(&app, &p, "draft").await;
        let d_approve = document_in(&app, &p, "submitted").await;
        let d_send_back = document_in(&app, &p, "submitted").await;
        let d_issue = document_in(&app, &p, "approved").await;
        let d_correct = document_in(&app, &p, "issued").await;
        let evidence =
            id(&app.upload(&draft_task, "minh-chung.pdf", b"%PDF-1.4 minh chung".to_vec(), None).await.expect(201));
        let me = p.ids.get(role).map(|u| u.to_string()).unwrap_or_default();
        // Deadlines: a task of this decade to ask more time on, a request to decide and
        // an explanation request to answer.
        let (fu_plan, fu_group) = app.plan_with_group(&p.issuer, 2029).await;
        let later = |code: &str| json!({"group_id": fu_group, "code": code, "text": format!("Nhiệm vụ {code}"), "lead_unit_id": p.tckh, "deadline": "2029-06-30"});
        let fu_task = id(&app.post("/api/v1/tasks", later("8.1")).await.expect(201));
        let asked_task = id(&app.post("/api/v1/tasks", later("8.2")).await.expect(201));
        let ext = json!({"kind": "extension", "asked_on": "2029-07-31", "reason": "Chờ vốn"});
        let request = id(&app.post(&format!("/api/v1/tasks/{asked_task}/requests"), ext.clone()).await.expect(201));
        let by = nhiemvu::services::local_date(chrono::Utc::now()) + chrono::Duration::days(10);
        let question = json!({"kind": "explanation", "body": "Vì sao chậm?", "answer_by": by.to_string()});
        let explanation = id(&app.post(&format!("/api/v1/tasks/{asked_task}/asks"), question).await.expect(201));
        let rules = app.get(&format!("/api/v1/issuers/{}/deadline-rules", p.issuer)).await.expect(200);

        let doc = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report", "subject": "Sửa", "signer_position": "CHỦ TỊCH", "signer_name": "A"});
        let cases: Vec<(&str, &[&str], &str, String, Value)> = vec![
            ("create issuer", NOBODY, "POST", "/api/v1/issuers".into(), crate::helpers::issuer_json("xa-moi")),
            (
                "update own issuer",
                ADMIN,
                "PUT",
                format!("/api/v1/issuers/{}", p.issuer),
                crate::helpers::issuer_json("bac-son"),
            ),
            ("delete issuer", NOBODY, "DELETE", format!("/api/v1/issuers/{issuer}"), json!({})),
            (
                "create unit",
                ADMIN,
                "POST",
                "/api/v1/units".into(),
                json!({"issuer_id": p.issuer, "name": "Mới", "short_name": "MOI", "kind": "department"}),
            ),
            (
                "update unit",
                ADMIN,
                "PUT",
                format!("/api/v1/units/{spare_unit}"),
                json!({"issuer_id": p.issuer, "name": "Sửa", "short_name": "DU-PHONG", "kind": "department"}),
            ),
            ("delete unit", ADMIN, "DELETE", format!("/api/v1/units/{spare_unit}"), json!({})),
            (
                "create user",
                ADMIN,
                "POST",
                "/api/v1/users".into(),
                json!({"issuer_id": p.issuer, "username": "moi", "name": "Mới", "email": "moi@example.vn", "role": "viewer"}),
            ),
            (
                "update user",
                ADMIN,
                "PUT",
                format!("/api/v1/users/{spare_user}"),
                json!({"issuer_id": p.issuer, "username": "du-phong", "name": "Sửa", "email": "dp@example.vn", "role": "viewer"}),
            ),
            (
                "another user's password",
                ADMIN,
                "PUT",
                format!("/api/v1/users/{spare_user}/password"),
                json!({"password": "mật khẩu mới dài"}),
            ),
            ("invite user", ADMIN, "POST", format!("/api/v1/users/{spare_user}/invitation"), json!(null)),
            ("delete user", ADMIN, "DELETE", format!("/api/v1/users/{spare_user}"), json!({})),
            (
                "own password",
                EVERYONE,
                "PUT",
                format!("/api/v1/users/{me}/password"),
                json!({"password": "mật khẩu mới dài"}),
            ),
            ("own api token", EVERYONE, "POST", "/api/v1/auth/tokens".into(), json!({"name": "thử"})),
            ("seal image", ADMIN, "PUT", format!("/api/v1/issuers/{}/seal-image", p.issuer), json!(null)),
            (
                "signer's signature image",
                &["admin", "signer"],
                "PUT",
                format!("/api/v1/users/{}/signature-image", p.ids["signer"]),
                json!(null),
            ),
            (
                "create rubric",
                OFFICE,
                "POST",
                "/api/v1/rubrics".into(),
                json!({"issuer_id": p.issuer, "name": "Mới", "bands": bands}),
            ),
            (
                "update rubric",
                OFFICE,
                "PUT",
                format!("/api/v1/rubrics/{rubric}"),
                json!({"issuer_id": p.issuer, "name": "Sửa", "bands": bands}),
            ),
            ("delete rubric", OFFICE, "DELETE", format!("/api/v1/rubrics/{rubric}"), json!({})),
            (
                "create plan",
                OFFICE,
                "POST",
                "/api/v1/plans".into(),
                json!({"issuer_id": p.issuer, "year": 2031, "title": "Năm 2031"}),
            ),
            (
                "update plan",
                OFFICE,
                "PUT",
                format!("/api/v1/plans/{spare_plan}"),
                json!({"issuer_id": p.issuer, "year": 2030, "title": "Sửa"}),
            ),
            ("carry forward", OFFICE, "POST", format!("/api/v1/plans/{}/carry-forward", p.plan), json!({})),
            (
                "create group",
                OFFICE,
                "POST",
                "/api/v1/groups".into(),
                json!({"plan_id": spare_plan, "title": "Nhóm mới"}),
            ),
            (
                "update group",
                OFFICE,
                "PUT",
                format!("/api/v1/groups/{spare_group}"),
                json!({"plan_id": spare_plan, "title": "Sửa"}),
            ),
            (
                "create task",
                OFFICE,
                "POST",
                "/api/v1/tasks".into(),
                json!({"group_id": group, "code": "9.9", "text": "Mới"}),
            ),
            (
                "update task",
                OFFICE,
                "PUT",
                format!("/api/v1/tasks/{spare_task}"),
                json!({"group_id": group, "code": "9.1", "text": "Sửa", "lead_unit_id": p.tckh}),
            ),
            (
                "create target",
                OFFICE,
                "POST",
                "/api/v1/targets".into(),
                json!({"task_id": spare_task, "description": "Mới"}),
            ),
            (
                "report a target's actual value",
                REPORTING,
                "PUT",
                format!("/api/v1/targets/{target}"),
                json!({"task_id": spare_task, "description": "Thu ngân sách", "goal_value": 100, "actual_value": 120, "status": "exceeded"}),
            ),
            (
                "change a target's goal",
                OFFICE,
                "PUT",
                format!("/api/v1/targets/{target}"),
                json!({"task_id": spare_task, "description": "Thu ngân sách", "goal_value": 90}),
            ),
            ("delete target", OFFICE, "DELETE", format!("/api/v1/targets/{target}"), json!({})),
            (
                "create result",
                REPORTING,
                "POST",
                "/api/v1/results".into(),
                json!({"task_id": new_task, "narrative": "Mới", "self_score": 90}),
            ),
            (
                "update result",
                REPORTING,
                "PUT",
                format!("/api/v1/results/{draft}"),
                json!({"task_id": draft_task, "narrative": "Sửa", "self_score": 91}),
            ),
            ("delete result", REPORTING, "DELETE", format!("/api/v1/results/{deletable}"), json!({})),
            ("submit result", REPORTING, "POST", format!("/api/v1/results/{to_submit}/submit"), json!({})),
            ("accept result", OFFICE, "POST", format!("/api/v1/results/{to_accept}/accept"), json!({})),
            (
                "return result",
                OFFICE,
                "POST",
                format!("/api/v1/results/{to_return}/return"),
                json!({"comment": "Bổ sung"}),
            ),
            (
                "reopen result",
                OFFICE,
                "POST",
                format!("/api/v1/results/{to_reopen}/reopen"),
                json!({"comment": "Mở lại"}),
            ),
            ("upload evidence", REPORTING, "POST", format!("/api/v1/tasks/{draft_task}/evidence"), json!(null)),
            ("delete evidence", REPORTING, "DELETE", format!("/api/v1/evidence/{evidence}"), json!({})),
            (
                "create proposal",
                OFFICE,
                "POST",
                "/api/v1/proposals".into(),
                json!({"plan_id": p.plan, "section": "issuer", "text": "Mới"}),
            ),
            (
                "update proposal",
                OFFICE,
                "PUT",
                format!("/api/v1/proposals/{proposal}"),
                json!({"plan_id": p.plan, "section": "issuer", "text": "Sửa"}),
            ),
            ("delete proposal", OFFICE, "DELETE", format!("/api/v1/proposals/{proposal}"), json!({})),
            ("create document", OFFICE, "POST", "/api/v1/documents".into(), doc.clone()),
            ("update document", OFFICE, "PUT", format!("/api/v1/documents/{d_edit}"), doc.clone()),
            ("delete document", OFFICE, "DELETE", format!("/api/v1/documents/{d_delete}"), json!({})),
            ("submit document", OFFICE, "POST", format!("/api/v1/documents/{d_submit}/submit"), json!({})),
            ("approve document", SIGNER, "POST", format!("/api/v1/documents/{d_approve}/approve"), json!({})),
            (
                "send back document",
                SIGNER,
                "POST",
                format!("/api/v1/documents/{d_send_back}/send-back"),
                json!({"comment": "Sửa lại"}),
            ),
            ("issue document", OFFICE, "POST", format!("/api/v1/documents/{d_issue}/issue"), json!({})),
            (
                "correct document",
                OFFICE,
                "POST",
                format!("/api/v1/documents/{d_correct}/correction"),
                json!({"reason": "Sửa"}),
            ),
            ("delete group", OFFICE, "DELETE", format!("/api/v1/groups/{spare_group}"), json!({})),
            ("delete task", OFFICE, "DELETE", format!("/api/v1/tasks/{spare_task}"), json!({})),
            ("ask for more time", REPORTING, "POST", format!("/api/v1/tasks/{fu_task}/requests"), ext),
            (
                "decide a request",
                &["admin", "office", "signer"],
                "POST",
                format!("/api/v1/follow-ups/{request}/decision"),
                json!({"decision": "approve"}),
            ),
            (
                "give a direction",
                &["admin", "office", "signer"],
                "POST",
                format!("/api/v1/tasks/{fu_task}/asks"),
                json!({"kind": "direction", "body": "Khẩn trương"}),
            ),
            (
                "ask a unit",
                &["admin", "office", "signer"],
                "POST",
                format!("/api/v1/plans/{fu_plan}/units/{}/asks", p.tckh),
                json!({"kind": "direction", "body": "Rà soát"}),
            ),
            (
                "answer an explanation request",
                REPORTING,
                "POST",
                format!("/api/v1/follow-ups/{explanation}/answer"),
                json!({"answer": "Chờ vốn"}),
            ),
            (
                "urge a unit",
                OFFICE,
                "POST",
                format!("/api/v1/plans/{}/urge", p.plan),
                json!({"unit_ids": [p.tckh], "by": "mail"}),
            ),
            ("deadline rules", ADMIN, "PUT", format!("/api/v1/issuers/{}/deadline-rules", p.issuer), rules),
            ("delete plan", OFFICE, "DELETE", format!("/api/v1/plans/{spare_plan}"), json!({})),
        ];
        app.act_as(p.token(role));
        for (name, allowed, method, path, body) in cases {
            let reply = match (method, name) {
                (_, "upload evidence") => app.upload(&draft_task, "them.pdf", b"%PDF-1.4 them".to_vec(), None).await,
                (_, "seal image" | "signer's signature image") => app.put_bytes(&path, PNG.to_vec()).await,
                ("POST", _) => app.post(&path, body).await,
                ("PUT", _) => app.put(&path, body).await,
                ("DELETE", _) => app.delete(&path).await,
                _ => unreachable!(),
            };
            if allowed.contains(&role) {
                assert!(reply.status.is_success(), "{role} may {name}: {} {}", reply.status, reply.body);
            } else {
                assert_eq!(reply.status.as_u16(), 403, "{role} may not {name}: {}", reply.body);
                assert_eq!(reply.body["code"], "forbidden", "{role} / {name}");
            }
        }
    }
}
