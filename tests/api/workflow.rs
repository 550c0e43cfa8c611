//! Logins, sessions, tokens, and the result and document workflows through the API.

use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_login_sets_a_secure_httponly_cookie_and_changes_need_the_csrf_token() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let office = app.act_as(people.token("office")).get("/api/v1/auth/session").await.expect(200);
    let username = office["username"].as_str().unwrap().to_owned();

    let (reply, cookies) =
        app.raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD}))).await;
    let session = reply.expect(200);
    assert_eq!(session["role"], "office");
    let cookie = cookies.iter().find(|c| c.starts_with("nhiemvu_session=")).expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();

    let (me, _) = app.raw("GET", "/api/v1/auth/session", &[("cookie", &pair)], None).await;
    assert_eq!(me.expect(200)["csrf_token"], csrf.as_str());
    let body = json!({"plan_id": people.plan, "section": "issuer", "text": "Đề xuất mới"});
    let (no_csrf, _) = app.raw("POST", "/api/v1/proposals", &[("cookie", &pair)], Some(body.clone())).await;
    no_csrf.expect_error(403, "csrf_token_invalid", None);
    let (wrong, _) =
        app.raw("POST", "/api/v1/proposals", &[("cookie", &pair), ("x-csrf-token", "nope")], Some(body.clone())).await;
    wrong.expect_error(403, "csrf_token_invalid", None);
    let (ok, _) = app.raw("POST", "/api/v1/proposals", &[("cookie", &pair), ("x-csrf-token", &csrf)], Some(body)).await;
    ok.expect(201);

    let (out, cleared) =
        app.raw("POST", "/api/v1/auth/logout", &[("cookie", &pair), ("x-csrf-token", &csrf)], None).await;
    out.expect(204);
    assert!(cleared.iter().any(|c| c.starts_with("nhiemvu_session=;") && c.contains("Max-Age=0")));
    let (after, _) = app.raw("GET", "/api/v1/auth/session", &[("cookie", &pair)], None).await;
    after.expect_error(401, "unauthorized", None);
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let username = app.act_as(people.token("viewer")).get("/api/v1/auth/session").await.expect(200)["username"].clone();
    for _ in 0..5 {
        let (r, _) = app
            .raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": username, "password": "sai mật khẩu"})))
            .await;
        r.expect_error(401, "invalid_credentials", None);
    }
    let (locked, _) =
        app.raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD}))).await;
    let body = locked.expect_error(429, "too_many_attempts", None);
    assert!(body["message"].as_str().unwrap().contains("giây"));
    let (unknown, _) =
        app.raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": "khong-co", "password": PASSWORD}))).await;
    unknown.expect_error(401, "invalid_credentials", None);
}

#[tokio::test]
async fn every_endpoint_but_login_and_health_needs_credentials() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json").await.expect(200);
    let id = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            if path == "/auth/login" || path == "/health" {
                continue;
            }
            if path.starts_with("/signing/handoff/") {
                // The secret in the path is the credential: a wrong one is refused alike.
                let url = format!("/api/v1{}", path.replace("{secret}", &"0".repeat(64)));
                let body = json!({"signature": "AAAA"});
                let (reply, _) = app.raw(&method.to_uppercase(), &url, &[], Some(body)).await;
                reply.expect_error(409, "signing_handoff_gone", None);
                continue;
            }
            let url = format!("/api/v1{}", path.replace("{id}", &id));
            let (reply, _) = app.raw(&method.to_uppercase(), &url, &[], Some(json!({}))).await;
            assert_eq!(reply.status.as_u16(), 401, "{method} {path}: {}", reply.body);
            assert_eq!(reply.body["code"], "unauthorized", "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked > 60, "checked {checked} endpoints");
    let (bad, _) = app.raw("GET", "/api/v1/tasks", &[("authorization", "Bearer forged")], None).await;
    bad.expect_error(401, "unauthorized", None);
}

#[tokio::test]
async fn api_tokens_can_be_listed_and_revoked() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/auth/tokens", json!({"name": "đồng bộ"})).await.expect(201);
    let token = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    app.act_as(&token).get("/api/v1/plans").await.expect(200);
    let listed = app.get("/api/v1/auth/tokens").await.expect(200);
    assert!(listed.as_array().unwrap().iter().any(|t| t["id"] == id.as_str() && t["name"] == "đồng bộ"));
    assert!(listed.as_array().unwrap().iter().all(|t| t.get("token").is_none()), "secrets are shown once");
    app.delete(&format!("/api/v1/auth/tokens/{id}")).await.expect(204);
    app.get("/api/v1/plans").await.expect_error(401, "unauthorized", None);
    app.as_admin().post("/api/v1/auth/tokens", json!({"name": " "})).await.expect_error(
        422,
        "validation_failed",
        Some("name"),
    );
}

/// The id of the demo task with `code`, and its result's id.
async fn task_and_result(app: &crate::helpers::TestApp, plan: &str, code: &str) -> (String, String) {
    let tasks = app.as_admin().get(&format!("/api/v1/tasks?plan_id={plan}&per_page=100")).await.expect(200);
    let task = tasks["items"].as_array().unwrap().iter().find(|t| t["code"] == code).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let results = app.get(&format!("/api/v1/results?task_id={task}")).await.expect(200);
    (task, results["items"][0]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_result_goes_from_the_unit_to_the_office_and_back_until_accepted() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, old) = task_and_result(&app, &p.plan, "1.1").await;
    app.delete(&format!("/api/v1/results/{old}")).await.expect_error(409, "result_locked", None);
    app.post(&format!("/api/v1/results/{old}/reopen"), json!({})).await.expect_error(
        422,
        "validation_failed",
        Some("comment"),
    );
    app.post(&format!("/api/v1/results/{old}/reopen"), json!({"comment": "Cập nhật số liệu cuối năm"}))
        .await
        .expect(200);

    let unit = p.token("unit_officer");
    let body = json!({"task_id": task, "narrative": "Thu ngân sách đạt 191% dự toán. (**vượt**)", "self_score": 100});
    let draft = app.act_as(unit).put(&format!("/api/v1/results/{old}"), body.clone()).await.expect(200);
    assert_eq!(draft["state"], "returned");
    assert_eq!(draft["review_comment"], "Cập nhật số liệu cuối năm");
    let mut sneaky = body.clone();
    sneaky["state"] = json!("accepted");
    app.put(&format!("/api/v1/results/{old}"), sneaky).await.expect_error(422, "validation_failed", Some("state"));

    app.post(&format!("/api/v1/results/{old}/submit"), json!({})).await.expect(200);
    app.put(&format!("/api/v1/results/{old}"), body.clone()).await.expect_error(409, "result_locked", None);
    app.post(&format!("/api/v1/results/{old}/accept"), json!({})).await.expect_error(403, "forbidden", None);

    let office = p.token("office");
    app.act_as(office)
        .post(&format!("/api/v1/results/{old}/return"), json!({"comment": "Bổ sung minh chứng"}))
        .await
        .expect(200);
    app.act_as(unit).post(&format!("/api/v1/results/{old}/submit"), json!({})).await.expect(200);
    let accepted = app.act_as(office).post(&format!("/api/v1/results/{old}/accept"), json!({})).await.expect(200);
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["reviewed_by"], p.ids["office"].to_string().as_str());
    app.act_as(unit).put(&format!("/api/v1/results/{old}"), body).await.expect_error(409, "result_locked", None);
    app.act_as(office).post(&format!("/api/v1/results/{old}/accept"), json!({})).await.expect_error(
        409,
        "invalid_transition",
        None,
    );

    let trail = app.as_admin().get(&format!("/api/v1/audit?entity=results&entity_id={old}")).await.expect(200);
    let actions: Vec<&str> =
        trail["items"].as_array().unwrap().iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[1..], ["reopen", "update", "submit", "return", "submit", "accept"]);
}

#[tokio::test]
async fn a_rating_other_than_the_rubrics_is_flagged_to_the_office() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (task, id) = task_and_result(&app, &p.plan, "1.2").await;
    app.post(&format!("/api/v1/results/{id}/reopen"), json!({"comment": "Xem lại xếp loại"})).await.expect(200);
    let body = json!({"task_id": task, "narrative": "x", "self_score": 80, "rating_override": "Hoàn thành xuất sắc nhiệm vụ", "override_reason": "Khó khăn khách quan"});
    let r = app.act_as(p.token("unit_officer")).put(&format!("/api/v1/results/{id}"), body).await.expect(200);
    assert_eq!(
        (r["flagged"].as_bool(), r["final_rating"].as_str()),
        (Some(true), Some("Hoàn thành xuất sắc nhiệm vụ"))
    );
}

#[tokio::test]
async fn a_unit_officer_sees_and_changes_only_the_tasks_of_their_unit() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (t23, r23) = task_and_result(&app, &p.plan, "2.3").await;
    let (t11, _) = task_and_result(&app, &p.plan, "1.1").await;
    let unit = p.token("unit_officer");
    let mine = app.act_as(unit).get(&format!("/api/v1/tasks?plan_id={}&per_page=100", p.plan)).await.expect(200);
    let codes: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["1.1", "1.2"], "TC-KH leads 1.1 and 1.2");
    app.get(&format!("/api/v1/tasks/{t23}")).await.expect_error(404, "not_found", None);
    app.get(&format!("/api/v1/results/{r23}")).await.expect_error(404, "not_found", None);
    app.get(&format!("/api/v1/targets?task_id={t23}")).await.expect_error(404, "not_found", None);
    let results = app.get(&format!("/api/v1/results?plan_id={}&per_page=100", p.plan)).await.expect(200);
    assert_eq!(results["total"], 2);
    let evil = json!({"task_id": t23, "narrative": "sửa trộm", "self_score": 0});
    app.put(&format!("/api/v1/results/{r23}"), evil).await.expect_error(404, "not_found", None);
    app.get(&format!("/api/v1/tasks/{t11}")).await.expect(200);
    let docs = app.get("/api/v1/documents").await.expect(200);
    assert_eq!(docs["total"], 0, "the draft report is not the unit's to read");
    app.get(&format!("/api/v1/documents/{}", p.report)).await.expect_error(404, "not_found", None);
    // An officer of another issuer sees nothing of this one.
    let other_issuer = app.other_issuer("xa-khac").await;
    let (_, stranger) = app.user(other_issuer.parse().unwrap(), "office", None).await;
    assert_eq!(app.act_as(&stranger).get("/api/v1/tasks").await.expect(200)["total"], 0);
    app.get(&format!("/api/v1/plans/{}", p.plan)).await.expect_error(404, "not_found", None);
    assert_eq!(app.get("/api/v1/issuers").await.expect(200)["total"], 1);
}

#[tokio::test]
async fn the_audit_log_names_who_did_what_from_where_for_administrators_only() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let before = chrono::Utc::now();
    app.act_as(p.token("office"))
        .post("/api/v1/proposals", json!({"plan_id": p.plan, "section": "issuer", "text": "Ghi vết"}))
        .await
        .expect(201);
    app.get("/api/v1/audit").await.expect_error(403, "forbidden", None);
    let from = before.to_rfc3339().replace('+', "%2B");
    let mine = app.as_admin().get(&format!("/api/v1/audit?actor_id={}&from={from}", p.ids["office"])).await.expect(200);
    assert_eq!(mine["total"], 1);
    let e = &mine["items"][0];
    assert_eq!((e["action"].as_str(), e["entity"].as_str()), (Some("create"), Some("proposals")));
    assert_eq!(e["after"]["text"], "Ghi vết");
    assert!(e["client_addr"].is_string());
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    assert_eq!(nhiemvu::storage::audit::verify(&app.db.conn).await.unwrap(), None);
}
