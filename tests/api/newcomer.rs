//! What a newcomer meets: every step has a button (the year-end report from the
//! plan page, a new document from the documents page, an invitation link handed
//! over when no mail leaves), nothing typed is lost to a stale form or a missing
//! cookie, and the small wrong things stay fixed.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, form, spawn_app};

fn codes(findings: &Value) -> Vec<(String, String)> {
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_office_starts_the_year_end_report_from_the_plan_page_and_a_second_report_is_said() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let csrf = office.csrf().await;

    // The demo year already has a report: the plan page names it and asks first.
    let (_, page) = office.get(&format!("/plans/{}", p.plan)).await;
    assert!(page.contains("id=\"start-report\"") && page.contains("Soạn báo cáo năm"), "the button is there");
    let known = page.find("id=\"plan-reports\"").map(|at| &page[at..at + page[at..].find("</p>").unwrap()]);
    let known = known.expect("earlier reports listed");
    assert!(known.contains(&format!("/documents/{}", p.report)) && known.contains("dự thảo ngày"), "{known}");
    assert!(page.contains("data-confirm=\"Kế hoạch này đã có báo cáo năm"), "a second report is confirmed first");

    let (status, to, _) = office.send(&format!("/plans/{}/report", p.plan), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = to.strip_prefix("/documents/").expect("the new report opens").to_owned();
    let doc = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!((doc["kind"].as_str(), doc["state"].as_str()), (Some("report"), Some("draft")));
    assert!(doc["subject"].as_str().unwrap().contains("năm 2024 và đề xuất nhiệm vụ trọng tâm năm 2025"), "{doc}");
    let recipients = doc["recipients"].as_array().unwrap();
    assert_eq!(recipients.last().unwrap()["label"], "Lưu: VT, VP", "the archive copy last");
    let tckh = recipients.iter().find(|r| r["label"] == "Phòng Tài chính - Kế hoạch").expect("each unit a recipient");
    assert!(!tckh["emails"].as_array().unwrap().is_empty(), "with its addresses: {tckh}");
    let labels: Vec<&str> = recipients.iter().map(|r| r["label"].as_str().unwrap()).collect();
    let mut sorted = labels[..labels.len() - 1].to_vec();
    sorted.sort_by_key(|l| nhiemvu::domain::text::collation_key(l));
    assert_eq!(labels[..labels.len() - 1], sorted[..], "units in Vietnamese alphabetical order");
    assert_eq!(doc["signer_position"], "CHỦ TỊCH");
    assert_eq!(doc["signer_collective"], "ỦY BAN NHÂN DÂN");
    // The demo has two signer accounts (the chairman and the test's): none is guessed.
    assert!(doc.get("signer_user_id").is_none(), "{doc}");

    // Its check says the plan already has a report (a warning while both are drafts).
    let check = app.get(&format!("/api/v1/documents/{id}/check")).await.expect(200);
    assert!(codes(&check).contains(&("another_report_of_plan".into(), "warning".into())), "{check}");

    // Choosing the signer's account with no name typed gives the block that name.
    let mut input = crate::helpers::doc_input(&doc);
    input["signer_user_id"] = json!(p.ids["signer"]);
    input["signer_name"] = json!("");
    let saved = app.put(&format!("/api/v1/documents/{id}"), input).await.expect(200);
    let signer = app.get(&format!("/api/v1/users/{}", p.ids["signer"])).await.expect(200);
    assert_eq!(saved["signer_name"], signer["name"], "the account's name is the signer's name");

    // "Soạn văn bản mới" on the documents page: a letter needs its subject.
    let (_, page) = office.get("/documents").await;
    assert!(page.contains("id=\"new-document\"") && page.contains("Soạn văn bản mới"), "the form is there");
    let fields = [("csrf", csrf.as_str()), ("kind", "letter"), ("plan_id", p.plan.as_str()), ("subject", "")];
    let (status, _, page) = office.send("/documents", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-subject\"") && page.contains("value=\"letter\" selected"), "{page}");
    let subject = "V/v đôn đốc báo cáo kết quả thực hiện nhiệm vụ năm 2024";
    let fields = [("csrf", csrf.as_str()), ("kind", "letter"), ("plan_id", p.plan.as_str()), ("subject", subject)];
    let (status, to, _) = office.send("/documents", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let letter = app.get(&format!("/api/v1{to}")).await.expect(200);
    assert_eq!((letter["kind"].as_str(), letter["subject"].as_str()), (Some("letter"), Some(subject)));

    // Not for a unit officer.
    let (unit, _) = Browser::login(&app, p.ids["unit_officer"]).await;
    let ucsrf = unit.csrf().await;
    let (status, _, _) = unit.send(&format!("/plans/{}/report", p.plan), &[("csrf", &ucsrf)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_issued_report_passes_its_own_check_and_a_second_one_cannot_be_issued_beside_it() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let doc = format!("/api/v1/documents/{}", p.report);
    app.act_as(p.token("office")).post(&format!("{doc}/submit"), json!({})).await.expect(200);
    app.act_as(p.token("signer")).post(&format!("{doc}/approve"), json!({})).await.expect(200);
    // The 2024 report is issued today, long after its year: late, not wrong.
    let issued = app.act_as(p.token("office")).post(&format!("{doc}/issue"), json!({})).await.expect(200);
    assert_eq!(issued["state"], "issued");
    let check = app.get(&format!("{doc}/check")).await.expect(200);
    let found = codes(&check);
    assert!(found.iter().all(|(_, severity)| severity != "error"), "the issued report's check is clean: {check}");
    assert!(found.contains(&("date_after_plan_year".into(), "warning".into())), "{check}");

    // The closed plan's page cites the report by number, symbol and date and
    // offers no task editing; next year's steps stay.
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, page) = office.get(&format!("/plans/{}", p.plan)).await;
    let today = nhiemvu::services::local_date(chrono::Utc::now()).format("%d/%m/%Y").to_string();
    let cited = format!("báo cáo số 01&#x2f;BC-UBND ngày {}", today.replace('/', "&#x2f;"));
    assert!(page.contains(&cited), "the report as a reader cites it: {page}");
    assert!(!page.contains("/edit\">Sửa</a>") && !page.contains("Giao nhiệm vụ mới"), "no task editing");
    assert!(page.contains("Lập kế hoạch năm sau từ các đề xuất"), "next year's steps stay");
    // Its PDF downloads under the name an office files it by.
    let resp = app.client.get(format!("{doc}/pdf")).header("cookie", &office.cookie).send().await;
    let disposition = resp.0.headers().get("content-disposition").unwrap().to_str().unwrap().to_owned();
    let year = nhiemvu::services::local_date(chrono::Utc::now()).format("%Y").to_string();
    assert!(disposition.contains(&format!("filename=\"bao-cao-so-01-bc-ubnd-nam-{year}.pdf\"")), "{disposition}");
    let name = format!("Báo cáo số 01-BC-UBND năm {year}.pdf");
    let utf8: String = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC).collect();
    assert!(disposition.contains(&format!("filename*=UTF-8''{utf8}")), "{disposition}");

    // Another report of the closed plan is an error of the check, and is not submitted.
    let csrf = office.csrf().await;
    let (_, to, _) = office.send(&format!("/plans/{}/report", p.plan), &[("csrf", &csrf)]).await;
    let second = to.strip_prefix("/documents/").expect("a draft is still possible").to_owned();
    let check = app.get(&format!("/api/v1/documents/{second}/check")).await.expect(200);
    assert!(codes(&check).contains(&("plan_already_reported".into(), "error".into())), "{check}");
    let refused = app.post(&format!("/api/v1/documents/{second}/submit"), json!({})).await;
    let body = refused.expect_error(409, "nd30_check_failed", None);
    assert!(body.to_string().contains("số 01/BC-UBND"), "names the issued report: {body}");
}

#[tokio::test]
async fn with_mail_off_an_invitation_hands_over_its_link_and_the_new_person_sets_a_password() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let issuer: uuid::Uuid = p.issuer.parse().unwrap();
    let (admin_id, _) = app.user(issuer, "admin", None).await;
    let (admin, _) = Browser::login(&app, admin_id).await;
    let csrf = admin.csrf().await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Hoàng Văn Mới"),
        ("username", "moi.hv"),
        ("email", "moi.hv@bacson.example.vn"),
        ("role", "office"),
    ];
    let (status, _, page) = admin.send("/admin/users", &fields).await;
    assert_eq!(status, StatusCode::OK, "the page itself hands the link over");
    let at = page.find("id=\"handover\"").expect("the handover banner");
    let banner = &page[at..at + page[at..].find("</div>").unwrap()];
    assert!(banner.contains("chưa bật gửi thư") && banner.contains("Hoàng Văn Mới"), "{banner}");
    let start = banner.find("value=\"").unwrap() + 7;
    let link = banner[start..start + banner[start..].find('"').unwrap()].replace("&#x2f;", "/");
    let path = &link[link.find("/password/").expect("a one-time link")..];
    let row = |page: &str| {
        let at = page.find("moi.hv</td>").expect("the new person is listed");
        page[at..at + page[at..].find("</tr>").unwrap()].to_owned()
    };
    assert!(row(&page).contains("Chưa nhận lời mời"), "not yet in: {}", row(&page));
    assert!(row(&page).contains("liên kết dùng được đến"), "until when the link works: {}", row(&page));

    // The new person follows it, sets a password and logs in.
    let resp = app.client.get(path).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    assert!(resp.0.into_body().into_string().await.unwrap().contains("Đặt mật khẩu"), "the password page");
    let pw = "mật khẩu của người mới";
    let body = form(&[("password", pw), ("repeat", pw)]);
    let resp = app.client.post(path).content_type("application/x-www-form-urlencoded").body(body).send().await;
    assert!(resp.0.status().is_success() || resp.0.status() == StatusCode::SEE_OTHER, "{}", resp.0.status());
    let login = form(&[("username", "moi.hv"), ("password", pw)]);
    let resp = app.client.post("/login").content_type("application/x-www-form-urlencoded").body(login).send().await;
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER, "the new password works");
    let (_, page) = admin.get("/admin/users").await;
    assert!(row(&page).contains("Đang hoạt động"), "in now: {}", row(&page));

    // Sending the link again hands over a new one the same way.
    let users = app.get(&format!("/api/v1/users?issuer_id={}&per_page=100", p.issuer)).await.expect(200);
    let office = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "moi.hv").unwrap();
    let (status, _, page) =
        admin.send(&format!("/admin/users/{}/invite", office["id"].as_str().unwrap()), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"handover\"") && page.contains("&#x2f;password&#x2f;"), "a fresh link");

    // Another person's page does not say it is one's own; one's own does.
    let (_, other) = admin.get(&format!("/admin/users/{}", p.ids["office"])).await;
    assert!(!other.contains("id=\"own-account\""), "not one's own account");
    let (_, own) = admin.get(&format!("/admin/users/{admin_id}")).await;
    assert!(own.contains("id=\"own-account\""), "one's own account");
}

#[tokio::test]
async fn a_form_posted_from_an_earlier_login_or_without_a_cookie_keeps_what_was_typed() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap().to_owned();
    let body = json!({"group_id": group, "code": "9.1", "text": "Nhiệm vụ mới chưa báo cáo", "lead_unit_id": p.tckh});
    let task = app.post("/api/v1/tasks", body).await.expect(201);
    let path = format!("/tasks/{}", task["id"].as_str().unwrap());
    let (first, _) = Browser::login(&app, p.ids["unit_officer"]).await;
    let old_csrf = first.csrf().await;
    // The officer logs in again in another tab: the cookie is the new session's now.
    let (second, _) = Browser::login(&app, p.ids["unit_officer"]).await;
    let typed = "Đơn vị đã triển khai, đang tổng hợp số liệu quý IV (gõ trong thẻ cũ).";
    // The first tab's form, posted with the cookie the second login left.
    let (status, to, _) = second.send(&path, &[("csrf", &old_csrf), ("narrative", typed), ("action", "draft")]).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, path.as_str()), "back to the form, not an error");
    let (_, page) = second.get(&path).await;
    assert!(page.contains(typed), "the text is offered back on its form: {page}");
    assert!(page.contains("id=\"restored\"") && page.contains("CHƯA được lưu"), "and said to be unsaved");
    // A token that is nobody's is still refused.
    let (status, _, _) = second.send(&path, &[("csrf", "không phải mã"), ("narrative", typed)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Without any cookie: to the login, and from it back to the form (not to the POST address).
    let resp = app
        .client
        .post(format!("{path}/contribution"))
        .content_type("application/x-www-form-urlencoded")
        .body(form(&[("contribution", typed)]))
        .send()
        .await;
    let to = resp.0.headers().get("location").unwrap().to_str().unwrap().to_owned();
    let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    assert_eq!(to, format!("/login?next={next}&expired=1"));
    let login = app.client.get(&to).send().await.0.into_body().into_string().await.unwrap();
    assert!(login.contains("id=\"expired\""), "the login page says why");
}

#[tokio::test]
async fn small_wrong_things_stay_fixed() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    // A plan of 2026 or later rates by Nghị định 335/2025 unless told otherwise.
    let rubrics = app.get(&format!("/api/v1/rubrics?issuer_id={}", p.issuer)).await.expect(200);
    let state_rule = rubrics["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().starts_with("Nghị định 335/2025"))
        .expect("the state rule preset");
    let plan = app
        .post("/api/v1/plans", json!({"issuer_id": p.issuer, "year": 2027, "title": "Nhiệm vụ trọng tâm năm 2027"}))
        .await
        .expect(201);
    assert_eq!(plan["rubric_id"], state_rule["id"], "xuất sắc from 90 in 2027");
    assert_ne!(app.get(&format!("/api/v1/plans/{}", p.plan)).await.expect(200)["rubric_id"], state_rule["id"]);

    // Two groups of one name are refused at the field.
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let csrf = office.csrf().await;
    let plan_id = plan["id"].as_str().unwrap();
    let group = [("csrf", csrf.as_str()), ("title", "I. KINH TẾ")];
    let (status, _, _) = office.send(&format!("/plans/{plan_id}/groups"), &group).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let again = [("csrf", csrf.as_str()), ("title", "i.  kinh tế")];
    let (status, _, page) = office.send(&format!("/plans/{plan_id}/groups"), &again).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-group_title\"") && page.contains("đã có nhóm tên này"), "{page}");

    // A character no document could print is refused at its field on the page too.
    let groups = app.get(&format!("/api/v1/groups?plan_id={plan_id}")).await.expect(200);
    let g = groups[0]["id"].as_str().unwrap().to_owned();
    let task = [("csrf", csrf.as_str()), ("group_id", g.as_str()), ("code", "1.1"), ("text", "Hoàn thành 🎉 sớm")];
    let (status, _, page) = office.send(&format!("/plans/{plan_id}/tasks"), &task).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = &page[page.find("id=\"err-text\"").expect("said at the text")..];
    assert!(err[..err.find("</p>").unwrap()].contains("“🎉”"), "names the character");
    assert!(page.contains("Hoàn thành 🎉 sớm</textarea>"), "what was typed is kept");

    // "Lưu và trình lãnh đạo ký" says it went to the signer, not to the office.
    let (_, page) = office.get(&format!("/documents/{}", p.report)).await;
    assert!(page.contains("Lưu và trình lãnh đạo ký"));
    let d = app.get(&format!("/api/v1/documents/{}", p.report)).await.expect(200);
    let recipients: Vec<String> = d["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let emails: Vec<&str> = r["emails"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
            if emails.is_empty() {
                r["label"].as_str().unwrap().to_owned()
            } else {
                format!("{} | {}", r["label"].as_str().unwrap(), emails.join(", "))
            }
        })
        .collect();
    let recipients = recipients.join("\n");
    let legal = d["legal_bases"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect::<Vec<_>>().join("\n");
    let fields = [
        ("csrf", csrf.as_str()),
        ("action", "submit"),
        ("subject", d["subject"].as_str().unwrap()),
        ("legal_bases", &legal),
        ("opening", d["opening"].as_str().unwrap_or("")),
        ("closing", d["closing"].as_str().unwrap_or("")),
        ("recipients", &recipients),
        ("signer_authority", "own"),
        ("signer_collective", d["signer_collective"].as_str().unwrap_or("")),
        ("signer_position", d["signer_position"].as_str().unwrap_or("")),
        ("signer_name", d["signer_name"].as_str().unwrap_or("")),
        ("signer_user_id", d["signer_user_id"].as_str().unwrap_or("")),
    ];
    let (status, to, _) = office.send(&format!("/documents/{}", p.report), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.contains("done=submit&"), "{to}");
    let (_, page) = office.get(&to).await;
    assert!(page.contains("Đã trình lãnh đạo ký") && !page.contains("gửi Văn phòng"), "the banner says what happened");
    // The signer's menu counts what waits for a signature.
    let (signer, _) = Browser::login(&app, p.ids["signer"]).await;
    let (_, page) = signer.get("/sign-off").await;
    assert!(page.contains("Văn bản chờ ký <span class=\"count\""), "a count on the menu");
    let (_, page) = office.get("/").await;
    assert!(!page.contains("Văn bản chờ ký <span"), "not the office's to sign");

    // The audit log reads newest first, each action in words, who by name.
    let (admin, _) = Browser::login(&app, p.ids["admin"]).await;
    let (_, log) = admin.get("/admin/audit").await;
    let seqs: Vec<i64> =
        log.split("data-label=\"#\">").skip(1).map(|s| s[..s.find('<').unwrap()].parse().unwrap()).collect();
    assert!(seqs.len() > 10 && seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
    let clerk = app.get(&format!("/api/v1/users/{}", p.ids["office"])).await.expect(200);
    assert!(log.contains(clerk["name"].as_str().unwrap()), "who, by name: {log}");
    assert!(!log.contains("Thao tác khác"), "every action in words");
    assert!(log.contains("Nhóm nhiệm vụ: I. KINH TẾ"), "the record by its name, not only its id");
}

#[tokio::test]
async fn the_office_sees_who_carries_a_task_where_it_stands_and_its_history() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap().to_owned();
    let body = json!({"group_id": group, "code": "9.1", "text": "Rà soát hồ sơ đất đai", "lead_unit_id": p.tckh,
        "deadline": "2024-12-20"});
    let task = app.post("/api/v1/tasks", body.clone()).await.expect(201);
    let id = task["id"].as_str().unwrap().to_owned();
    let mut moved = body;
    moved["deadline"] = json!("2024-12-27");
    app.put(&format!("/api/v1/tasks/{id}"), moved).await.expect(200);

    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, page) = office.get(&format!("/tasks/{id}")).await;
    let at = page.find("id=\"task-overview\"").expect("the office's overview");
    let overview = &page[at..at + page[at..].find("</section>").unwrap()];
    assert!(overview.contains("Phòng Tài chính - Kế hoạch"), "the lead unit: {overview}");
    let today = nhiemvu::services::local_date(chrono::Utc::now());
    let late = (today - chrono::NaiveDate::from_ymd_opt(2024, 12, 27).unwrap()).num_days();
    assert!(overview.contains(&format!("quá hạn {late} ngày")), "how late, in words: {overview}");
    assert!(overview.contains(&format!("href=\"&#x2f;tasks&#x2f;{id}&#x2f;edit\"")), "a link to edit it");
    let history = &overview[overview.find("id=\"task-history\"").unwrap()..];
    let assigned = history.find("Giao nhiệm vụ").expect("when it was assigned");
    let changed =
        history.find("Sửa hạn thành 27&#x2f;12&#x2f;2024").unwrap_or_else(|| panic!("the deadline moved: {history}"));
    assert!(assigned < changed, "in time order: {history}");

    // Evidence shows a picture as itself and another file by its kind, with a short check code.
    app.act_as(p.token("unit_officer"));
    app.upload(&id, "Ảnh hiện trường.png", include_bytes!("../fixtures/seal.png").to_vec(), None).await.expect(201);
    app.upload(&id, "Biên bản.pdf", b"%PDF-1.4\n%%EOF\n".to_vec(), None).await.expect(201);
    let (_, page) = office.get(&format!("/tasks/{id}")).await;
    assert!(page.contains("<img class=\"thumb\""), "a thumbnail of the picture");
    assert!(page.contains("<span class=\"thumb kind\" aria-hidden=\"true\">PDF</span>"), "the file's kind");
    assert_eq!(page.matches("mã kiểm tra").count(), 2, "one short check code each, not the whole hash twice");

    // The unit officer gets the report form, not the office's overview.
    let (unit, _) = Browser::login(&app, p.ids["unit_officer"]).await;
    let (_, page) = unit.get(&format!("/tasks/{id}")).await;
    assert!(!page.contains("id=\"task-overview\"") && page.contains("id=\"result-form\""));
}
