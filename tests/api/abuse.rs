//! Hostile input and abuse, as an attacker with and without an account would try
//! them: nesting that would overflow the stack, bodies without end, parallel
//! password guesses, deletes of issued records, huge fields and parameters,
//! sessions that outlive a password change, scope leaks, idle connections,
//! responses that break the OpenAPI document, and text that prints backwards.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::issuing::approved_report;

/// A session cookie and its CSRF token for `username`.
async fn browser_login(app: &TestApp, username: &str) -> (String, String) {
    let (reply, cookies) =
        app.raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD}))).await;
    let csrf = reply.expect(200)["csrf_token"].as_str().unwrap().to_owned();
    let cookie = cookies.iter().find(|c| c.starts_with("nhiemvu_session=")).unwrap();
    (cookie.split(';').next().unwrap().to_owned(), csrf)
}

async fn username(app: &TestApp, token: &str) -> String {
    app.act_as(token).get("/api/v1/auth/session").await.expect(200)["username"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn deeply_nested_markdown_is_flattened_everywhere_it_is_shown_or_printed() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let deep = format!("{}x{}", "*".repeat(20_000), "*".repeat(20_000));
    // A document's fields are shorter (20,000 characters), the nesting as deep.
    let deep_doc = format!("{}x{}", "*".repeat(9_999), "*".repeat(9_999));
    // Saved as a result's narrative of a new task …
    let groups = app.as_admin().get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap();
    let task = app
        .post(
            "/api/v1/tasks",
            json!({"group_id": group, "code": "9.9", "text": "Nhiệm vụ thử", "lead_unit_id": p.tckh}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/api/v1/results", json!({"task_id": task, "narrative": deep})).await.expect(201);
    // … and as a document's opening, section and closing.
    let doc = app.get(&format!("/api/v1/documents/{}", p.report)).await.expect(200);
    let mut input = crate::helpers::doc_input(&doc);
    input["opening"] = json!(deep_doc);
    input["closing"] = json!(deep_doc);
    input["sections"]["direction"] = json!(deep_doc);
    app.put(&format!("/api/v1/documents/{}", p.report), input).await.expect(200);
    // The server is still up, and the report prints.
    let (status, ct, pdf) = app.get_bytes(&format!("/api/v1/documents/{}/pdf", p.report)).await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    // The web preview and the pages that show the narrative answer too.
    let name = username(&app, p.token("office")).await;
    let (cookie, csrf) = browser_login(&app, &name).await;
    let resp = app
        .client
        .post("/ui/preview")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .content_type("text/plain")
        .body(deep.clone())
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    for page in [format!("/tasks/{task}"), format!("/review/{task}")] {
        let resp = app.client.get(&page).header("cookie", &cookie).send().await;
        assert!(resp.0.status().is_success() || resp.0.status() == StatusCode::NOT_FOUND, "{page}");
    }
    assert_eq!(app.as_admin().get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_before_they_are_read_on_every_route() {
    let app = spawn_app().await;
    // A declared length over the cap: refused at once, on a page and on the API.
    for path in ["/login", "/ui/preview", "/api/v1/auth/login", "/api/v1/issuers"] {
        let resp = app
            .client
            .post(path)
            .content_type("application/x-www-form-urlencoded")
            .header("content-length", (1u64 << 30).to_string())
            .body(Vec::<u8>::new())
            .send()
            .await;
        assert_eq!(resp.0.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    // A streamed body is cut off where it passes the cap (1 MiB for forms).
    let big = vec![b'a'; 3 << 20];
    let stream = poem::Body::from_async_read(std::io::Cursor::new(big));
    let resp = app.client.post("/login").content_type("application/x-www-form-urlencoded").body(stream).send().await;
    assert_eq!(resp.0.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Dữ liệu quá lớn"), "a page answers a page: {html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_are_counted_one_by_one_for_known_and_unknown_names() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let known = username(&app, p.token("viewer")).await;
    for name in [known.as_str(), "khong-co-ai"] {
        let guesses = (0..40).map(|i| {
            app.client
                .post("/api/v1/auth/login")
                .body_json(&json!({"username": name, "password": format!("đoán sai {i}")}))
                .send()
        });
        let replies = futures::future::join_all(guesses).await;
        let mut wrong = 0;
        let mut locked = 0;
        for r in replies {
            match r.0.status().as_u16() {
                401 => wrong += 1,
                429 => {
                    let retry = r.0.headers().get("retry-after").expect("Retry-After").to_str().unwrap();
                    assert!(retry.parse::<i64>().unwrap() > 0, "{retry}");
                    locked += 1;
                }
                s => panic!("unexpected status {s}: {}", r.0.into_body().into_string().await.unwrap()),
            }
        }
        assert_eq!((wrong, locked), (5, 35), "{name}: five guesses evaluated, the rest refused");
    }
    // Locked: the right password is refused too, with the same answer as an unknown name.
    let (r, _) =
        app.raw("POST", "/api/v1/auth/login", &[], Some(json!({"username": known, "password": PASSWORD}))).await;
    r.expect_error(429, "too_many_attempts", None);
}

#[tokio::test]
async fn issued_documents_their_results_and_history_cannot_be_deleted() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let id = approved_report(&app, &p, "Báo cáo kết quả năm 2024").await;
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    let audit_before = app.as_admin().get("/api/v1/audit?per_page=1").await.expect(200)["total"].as_u64().unwrap();

    // Offices are removed by the server administrator, and not while they hold records.
    app.delete(&format!("/api/v1/issuers/{}", p.issuer)).await.expect_error(403, "forbidden", None);
    let body = app.as_server_admin().delete(&format!("/api/v1/issuers/{}", p.issuer)).await.expect_error(
        409,
        "issuer_in_use",
        None,
    );
    assert!(body["message"].as_str().unwrap().contains("văn bản"), "names what depends on it: {body}");
    app.as_admin();
    let body = app.delete(&format!("/api/v1/plans/{}", p.plan)).await.expect_error(409, "plan_in_use", None);
    assert!(body["message"].as_str().unwrap().contains("document"), "{body}");
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={}&per_page=100", p.plan)).await.expect(200);
    let task = tasks["items"][0]["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/tasks/{task}")).await.expect_error(409, "plan_closed", None);
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    app.delete(&format!("/api/v1/groups/{}", groups[0]["id"].as_str().unwrap())).await.expect_error(
        409,
        "plan_closed",
        None,
    );
    let signer = p.ids["signer"];
    app.delete(&format!("/api/v1/users/{signer}")).await.expect_error(409, "user_has_history", None);

    // Everything is still there, and the audit trail only grew by the issue.
    app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    let (status, _, _) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert_eq!(status, 200);
    app.get(&format!("/api/v1/tasks/{task}")).await.expect(200);
    let audit_after = app.get("/api/v1/audit?per_page=1").await.expect(200)["total"].as_u64().unwrap();
    assert_eq!(audit_after, audit_before, "refusals change nothing");
}

#[tokio::test]
async fn a_plan_with_a_draft_document_answers_409_not_500() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-thu").await;
    let (plan, _) = app.plan_with_group(&issuer, 2026).await;
    let doc = json!({"issuer_id": issuer, "plan_id": plan, "kind": "report", "subject": "Báo cáo",
        "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn A"});
    app.post("/api/v1/documents", doc).await.expect(201);
    app.delete(&format!("/api/v1/plans/{plan}")).await.expect_error(409, "plan_in_use", None);
}

#[tokio::test]
async fn every_text_field_has_a_documented_maximum_and_longer_input_is_refused_at_the_field() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json").await.expect(200);
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut unbounded = Vec::new();
    for (name, schema) in schemas {
        if !name.ends_with("Input") && !["Recipient", "ReminderPolicy"].contains(&name.as_str()) {
            continue;
        }
        for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
            let ty = prop["type"].as_str().unwrap_or("");
            let format = prop["format"].as_str().unwrap_or("");
            let bounded = match ty {
                "string" if matches!(format, "uuid" | "date" | "naive-date" | "date-time") => true,
                "string" => prop.get("maxLength").is_some(),
                "array" => prop.get("maxItems").is_some(),
                "object" => prop.get("maxProperties").is_some(),
                "integer" | "number" => prop.get("maximum").is_some() || field.ends_with("_id"),
                _ => true,
            };
            if !bounded {
                unbounded.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(unbounded.is_empty(), "fields without a documented bound: {unbounded:?}");

    let issuer = app.issuer("xa-dai").await;
    // A million characters does not even fit the body cap; a hundred thousand reach the field check.
    let huge = "ữ".repeat(1_000_000);
    let body = json!({"issuer_id": issuer, "year": 2026, "title": huge});
    app.post("/api/v1/plans", body).await.expect_error(413, "payload_too_large", None);
    let long = "ữ".repeat(100_000);
    let body = json!({"issuer_id": issuer, "year": 2026, "title": long});
    app.post("/api/v1/plans", body).await.expect_error(422, "validation_failed", Some("title"));
    let body = json!({"issuer_id": issuer, "year": 2026, "title": "x".repeat(1001)});
    let err = app.post("/api/v1/plans", body).await.expect_error(422, "validation_failed", Some("title"));
    assert!(err["fields"]["title"].as_str().unwrap().contains("1000"), "{err}");
}

#[tokio::test]
async fn page_parameters_have_bounds_and_out_of_range_values_name_the_field() {
    let app = spawn_app().await;
    for q in ["page=9223372036854775807", "page=0", "page=100001", "per_page=0", "per_page=501"] {
        let field = q.split('=').next().unwrap();
        app.get(&format!("/api/v1/plans?{q}")).await.expect_error(422, "invalid_parameter", Some(field));
    }
    app.get("/api/v1/plans?page=100000").await.expect(200);
    let spec = app.get("/api/openapi.json").await.expect(200);
    let page = spec["paths"]["/plans"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap()
        .clone();
    assert_eq!((page["schema"]["minimum"].as_f64(), page["schema"]["maximum"].as_f64()), (Some(1.0), Some(100000.0)));
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_token_of_the_user() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let user = p.ids["office"];
    let name = username(&app, p.token("office")).await;
    let (cookie, _) = browser_login(&app, &name).await;
    let second = app
        .act_as(p.token("office"))
        .post("/api/v1/auth/tokens", json!({"name": "thứ hai"}))
        .await
        .expect(201)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The user's own change: the token making it stays, everything else ends.
    app.act_as(p.token("office"))
        .put(&format!("/api/v1/users/{user}/password"), json!({"password": "mật khẩu mới rất dài"}))
        .await
        .expect(204);
    let (old, _) = app.raw("GET", "/api/v1/auth/session", &[("cookie", &cookie)], None).await;
    old.expect_error(401, "unauthorized", None);
    app.act_as(&second).get("/api/v1/plans").await.expect_error(401, "unauthorized", None);
    app.act_as(p.token("office")).get("/api/v1/plans").await.expect(200);
    // An administrator's reset ends all of them.
    app.as_admin()
        .put(&format!("/api/v1/users/{user}/password"), json!({"password": "mật khẩu đặt lại"}))
        .await
        .expect(204);
    app.act_as(p.token("office")).get("/api/v1/plans").await.expect_error(401, "unauthorized", None);
}

#[tokio::test]
async fn users_stay_with_their_issuer_and_unit_officers_see_only_themselves() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let other = app.other_issuer("xa-khac").await;
    let me = app.get(&format!("/api/v1/users/{}", p.ids["office"])).await.expect(200);
    let mut moved: Value = me.clone();
    for k in ["id", "created_at", "updated_at"] {
        moved.as_object_mut().unwrap().remove(k);
    }
    moved["issuer_id"] = json!(other);
    app.put(&format!("/api/v1/users/{}", p.ids["office"]), moved).await.expect_error(
        422,
        "validation_failed",
        Some("issuer_id"),
    );
    let seen = app.act_as(p.token("unit_officer")).get("/api/v1/users?per_page=100").await.expect(200);
    let ids: Vec<&str> = seen["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![p.ids["unit_officer"].to_string().as_str()]);
    app.get(&format!("/api/v1/users/{}", p.ids["office"])).await.expect_error(404, "not_found", None);

    let doc = json!({"issuer_id": p.issuer, "kind": "letter", "subject": "V/v thử", "signer_position": "CHỦ TỊCH",
        "signer_name": "A", "dated_on": "0000-01-01"});
    app.act_as(p.token("office")).post("/api/v1/documents", doc).await.expect_error(
        422,
        "validation_failed",
        Some("dated_on"),
    );
}

#[tokio::test]
async fn optional_fields_are_left_out_not_null_and_405_says_what_is_allowed() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-null").await;
    let (plan, _) = app.plan_with_group(&issuer, 2026).await;
    fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Null => out.push(path.to_owned()),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| nulls(x, &format!("{path}.{k}"), out)),
            _ => {}
        }
    }
    for path in [format!("/api/v1/plans/{plan}"), format!("/api/v1/issuers/{issuer}"), "/api/v1/plans".to_owned()] {
        let mut found = Vec::new();
        nulls(&app.get(&path).await.expect(200), "", &mut found);
        assert!(found.is_empty(), "{path}: null at {found:?}");
    }
    let resp =
        app.client.patch("/api/v1/tasks").header("authorization", format!("Bearer {}", app.admin_token())).send().await;
    assert_eq!(resp.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.0.headers().get("allow").unwrap(), "GET, POST");
    let resp = app.client.delete("/login").send().await;
    assert_eq!(resp.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.0.headers().get("allow").unwrap(), "GET, POST");
    let resp = app.client.post("/healthz").send().await;
    assert_eq!(resp.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.0.headers().get("allow").unwrap(), "GET", "the health check says what it takes");
}

#[tokio::test]
async fn every_page_route_takes_exactly_the_methods_its_allow_header_lists() {
    let app = spawn_app().await;
    for (path, allow) in nhiemvu::web::ROUTES {
        let path = path.replace(":id", &uuid::Uuid::now_v7().to_string());
        for method in ["GET", "POST", "PUT", "DELETE"] {
            let req = match method {
                "GET" => app.client.get(&path),
                "POST" => app.client.post(&path),
                "PUT" => app.client.put(&path),
                _ => app.client.delete(&path),
            };
            let status = req.send().await.0.status();
            let listed = allow.split(", ").any(|m| m == method);
            assert_eq!(status == StatusCode::METHOD_NOT_ALLOWED, !listed, "{method} {path}: {status}");
        }
    }
}

#[tokio::test]
async fn text_that_would_print_backwards_or_invisibly_is_refused_at_the_field() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-bidi").await;
    let body = json!({"issuer_id": issuer, "year": 2026, "title": "Kế hoạch \u{202E}2026 mân"});
    let err = app.post("/api/v1/plans", body).await.expect_error(422, "validation_failed", Some("title"));
    assert!(err["fields"]["title"].as_str().unwrap().contains("U+202E"));
    let body = json!({"issuer_id": issuer, "year": 2026, "title": "Kế hoạch\u{0007}"});
    app.post("/api/v1/plans", body).await.expect_error(422, "validation_failed", Some("title"));
    let body = json!({"issuer_id": issuer, "year": 2026, "title": "Kế hoạch\tnăm 2026"});
    app.post("/api/v1/plans", body).await.expect(201);
}

#[tokio::test]
async fn a_long_unbroken_word_wraps_inside_the_margins_and_a_tab_prints_as_a_tab() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-in").await;
    let unit = app.unit(&issuer, "VP").await;
    let (plan, group) = app.plan_with_group(&issuer, 2026).await;
    let word = "Xãhội".repeat(25); // 125 letters, no break opportunity
    let text = format!("Nhiệm vụ {word} có\tthẻ tab");
    app.post(
        "/api/v1/tasks",
        json!({"group_id": group, "code": "1.1", "text": text, "lead_unit_id": unit, "deadline": "2026-06-30"}),
    )
    .await
    .expect(201);
    let doc = json!({"issuer_id": issuer, "plan_id": plan, "kind": "plan", "subject": "Kế hoạch giao nhiệm vụ năm 2026",
        "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn A"});
    let id = app.post("/api/v1/documents", doc).await.expect(201)["id"].as_str().unwrap().to_owned();
    let (status, _, pdf) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert_eq!(status, 200);
    let Some(pages) = crate::poppler::layout(&pdf) else { return };
    let mut pieces = String::new();
    for page in &pages {
        for w in page.lines.iter().flatten() {
            assert!(
                w.x_max <= page.width - 10.0 * 72.0 / 25.4,
                "{:?} runs into the right edge of {}",
                w.text,
                page.width
            );
            if w.text.contains("Xãhội") {
                pieces.push_str(&w.text);
            }
        }
    }
    assert!(pieces.contains(&word), "the whole word prints, only wrapped: {pieces}");
    let text = crate::poppler::reading_text(&pdf).unwrap();
    assert!(!text.contains('\u{200B}') && !text.contains('\u{00AD}'), "nothing invisible is added to the text: {text}");
    // The tab keeps a tab's width (1.27 cm) between the words around it.
    let words: Vec<_> = pages.iter().flat_map(|p| p.lines.iter().flatten()).collect();
    let after = words.iter().find(|w| w.text == "thẻ").expect("the word after the tab");
    let before = words
        .iter()
        .find(|w| w.text == "có" && (w.y_min - after.y_min).abs() < 1.0)
        .expect("the word before the tab, on the same line");
    let gap = after.x_min - before.x_max;
    assert!(gap > 1.0 / 2.54 * 72.0, "the tab is wider than a space: {gap} pt");
}
