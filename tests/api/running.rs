//! Running the year: the figures at a glance (API and dashboard), the filtered task
//! list they lead to, copying a plan to next year, deleting a task from its page,
//! and the Vietnamese working-day calendar as the reminders' default.

use chrono::{Datelike, Duration};
use serde_json::json;

use crate::helpers::{Browser, spawn_app, spawn_app_at};

/// A finished year (last year, so every deadline has passed): two units, a late
/// task each, one task not yet given to anyone, one reported. Returns (issuer, plan,
/// group, [unit A, unit B], [task ids]).
async fn last_year(app: &crate::helpers::TestApp) -> (String, String, String, [String; 2], [String; 4]) {
    let issuer = app.issuer("xa-nam-truoc").await;
    let a = app.unit(&issuer, "KT").await;
    let b = app.unit(&issuer, "VH").await;
    let year = nhiemvu::services::local_date(chrono::Utc::now()).year() - 1;
    let (plan, group) = app.plan_with_group(&issuer, year).await;
    let t1 = app.task(&group, "1.1", Some(&a), &format!("{year}-03-31")).await;
    let t2 = app.task(&group, "1.2", Some(&b), &format!("{year}-06-30")).await;
    let body = json!({"group_id": group, "code": "1.3", "text": "Xây dựng nông thôn mới kiểu mẫu"});
    let t3 = app.post("/api/v1/tasks", body).await.expect(201)["id"].as_str().unwrap().to_owned();
    let t4 = app.task(&group, "1.4", Some(&a), &format!("{year}-09-30")).await;
    let r =
        app.post("/api/v1/results", json!({"task_id": t4, "narrative": "Đã xong", "self_score": 95})).await.expect(201);
    app.post(&format!("/api/v1/results/{}/submit", r["id"].as_str().unwrap()), json!({})).await.expect(200);
    (issuer, plan, group, [a, b], [t1, t2, t3, t4])
}

#[tokio::test]
async fn the_figures_count_late_and_unassigned_tasks_per_unit_and_group() {
    let app = spawn_app().await;
    let (issuer, plan, group, [a, b], [t1, ..]) = last_year(&app).await;
    let f = app.get(&format!("/api/v1/plans/{plan}/figures")).await.expect(200);
    let today = nhiemvu::services::local_date(chrono::Utc::now());
    assert_eq!(f["today"], today.to_string());
    assert_eq!(
        (f["totals"]["overdue"].as_u64(), f["totals"]["unassigned"].as_u64(), f["totals"]["submitted"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(f["totals"]["on_track"], 0, "a task without a unit is not on track");
    assert_eq!(f["totals"]["total"], 4);
    let names: Vec<&str> = f["by_unit"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Đơn vị KT", "Đơn vị VH", "(chưa giao)"]);
    assert_eq!(f["by_unit"][0]["id"], a.as_str());
    assert_eq!(
        (f["by_unit"][0]["counts"]["overdue"].as_u64(), f["by_unit"][0]["counts"]["submitted"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(f["by_unit"][1]["id"], b.as_str());
    assert!(f["by_unit"][2].get("id").is_none());
    assert_eq!(f["by_group"][0]["id"], group.as_str());
    assert_eq!(f["by_group"][0]["counts"]["total"], 4);
    // The longest overdue first, with its days late.
    assert_eq!(f["overdue"][0]["task_id"], t1.as_str());
    let deadline = chrono::NaiveDate::from_ymd_opt(today.year() - 1, 3, 31).unwrap();
    assert_eq!(f["overdue"][0]["days_late"], (today - deadline).num_days());
    assert_eq!(f["overdue"][1]["code"], "1.2");

    // A unit officer counts only what their unit takes part in.
    let (_, officer) = app.user(issuer.parse().unwrap(), "unit_officer", Some(b.parse().unwrap())).await;
    let mine = app.act_as(&officer).get(&format!("/api/v1/plans/{plan}/figures")).await.expect(200);
    assert_eq!(mine["totals"]["total"], 1);
    assert_eq!(mine["overdue"][0]["code"], "1.2");
    // Another issuer's plan is not found.
    let other = app.other_issuer("xa-khac").await;
    let (_, stranger) = app.user(other.parse().unwrap(), "office", None).await;
    app.act_as(&stranger).get(&format!("/api/v1/plans/{plan}/figures")).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn every_count_on_the_dashboard_leads_to_the_tasks_it_counts() {
    let app = spawn_app().await;
    let (issuer, plan, _, [a, _], _) = last_year(&app).await;
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let (status, html) = browser.get(&format!("/?plan={plan}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("href=\"/tasks?plan={plan}&amp;standing=overdue\"><strong>2</strong> Quá hạn")),
        "{html}"
    );
    let link = format!("/tasks?plan={plan}&amp;unit={a}&amp;standing=overdue");
    assert!(
        html.contains(&link),
        "a unit's count is a link: {}",
        &html[html.find("by-unit").unwrap_or(0)..][..3000.min(html.len() - html.find("by-unit").unwrap_or(0))]
    );
    assert!(html.contains("quá hạn") && html.contains("Năm "), "overdue in words and a year selector");

    let (status, html) = browser.get(&format!("/tasks?plan={plan}&standing=overdue")).await;
    assert_eq!(status, 200);
    assert!(html.contains(">1.1<") && html.contains(">1.2<") && !html.contains(">1.3<") && !html.contains(">1.4<"));
    assert!(html.contains("2 trên 4 nhiệm vụ"));
    let (_, html) = browser.get(&format!("/tasks?plan={plan}&unit=none")).await;
    assert!(html.contains(">1.3<") && html.contains("Chưa giao") && !html.contains(">1.1<"));
    // Words without diacritics find the task; a wrong filter is said, not a 500.
    let (_, html) = browser.get(&format!("/tasks?plan={plan}&q=NONG+THON+moi")).await;
    assert!(html.contains(">1.3<") && html.contains("1 trên 4 nhiệm vụ"), "{html}");
    let (status, html) = browser.get(&format!("/tasks?plan={plan}&standing=late&unit=x&from=31/02/2025")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tình trạng trong địa chỉ không đúng") && html.contains("4 nhiệm vụ"));
    let long = "a".repeat(5000);
    assert_eq!(browser.get(&format!("/tasks?plan={plan}&q={long}")).await.0, 200);
}

#[tokio::test]
async fn a_plan_is_copied_to_next_year_with_units_targets_and_deadlines_a_year_later() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-sao-chep").await;
    let a = app.unit(&issuer, "KT").await;
    let b = app.unit(&issuer, "VH").await;
    let gone = app.unit(&issuer, "CU").await;
    let (plan, group) = app.plan_with_group(&issuer, 2024).await;
    let body = json!({"group_id": group, "code": "1.1", "text": "Trồng rừng", "lead_unit_id": a, "deadline": "2024-02-29",
        "cooperating_unit_ids": [b, gone],
        "set_targets": [{"description": "Trồng rừng mới", "measure_unit": "ha", "goal_value": 600},
                        {"description": "Tỷ lệ che phủ", "measure_unit": "%", "goal_value": 65}]});
    let task = app.post("/api/v1/tasks", body).await.expect(201);
    let target = task["targets"][0]["id"].as_str().unwrap();
    let t = json!({"task_id": task["id"], "description": "Trồng rừng mới", "measure_unit": "ha", "goal_value": 600, "actual_value": 715.96});
    app.put(&format!("/api/v1/targets/{target}"), t).await.expect(200);
    app.task(&group, "1.2", Some(&gone), "2024-12-15").await;
    app.post(&format!("/api/v1/units/{gone}/deactivation"), json!({})).await.expect(200);

    let copy = app.post(&format!("/api/v1/plans/{plan}/copy-forward"), json!({})).await.expect(201);
    assert_eq!((copy["groups"].as_u64(), copy["tasks"].as_u64()), (Some(1), Some(2)));
    assert_eq!(copy["plan"]["year"], 2025);
    assert_eq!(copy["plan"]["title"], "Nhiệm vụ trọng tâm năm 2025");
    let next = copy["plan"]["id"].as_str().unwrap();
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={next}")).await.expect(200);
    let first = &tasks["items"][0];
    assert_eq!(first["code"], "1.1");
    assert_eq!(first["deadline"], "2025-02-28", "29 February a year later");
    assert_eq!(first["lead_unit_id"], a.as_str());
    assert_eq!(first["cooperating_unit_ids"], json!([b]), "a deactivated unit is not carried");
    let targets = first["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0]["goal_value"], 600.0);
    assert_eq!(targets[0]["baseline_value"], 715.96, "last year's value is the new baseline");
    assert!(targets[0]["data"].get("actual_value").is_none());
    let second = &tasks["items"][1];
    assert_eq!(second["deadline"], "2025-12-15");
    assert!(second["data"].get("lead_unit_id").is_none(), "its unit has stopped: to be given again");
    // Once only.
    app.post(&format!("/api/v1/plans/{plan}/copy-forward"), json!({})).await.expect_error(
        409,
        "duplicate_plan_year",
        None,
    );
}

#[tokio::test]
async fn a_task_without_a_report_is_deleted_from_its_page_and_a_reported_one_is_kept() {
    let app = spawn_app().await;
    let (issuer, plan, _, _, [t1, _, _, t4]) = last_year(&app).await;
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let csrf = browser.csrf().await;
    let (_, form) = browser.get(&format!("/tasks/{t4}/edit")).await;
    assert!(form.contains("Xóa nhiệm vụ 1.4"));
    let (status, html) = browser.post(&format!("/tasks/{t4}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 409);
    assert!(html.contains("banner error") && html.contains("Sửa nhiệm vụ 1.4"), "{html}");
    app.get(&format!("/api/v1/tasks/{t4}")).await.expect(200);

    let (status, _) = browser.post(&format!("/tasks/{t1}/delete"), &[("csrf", "wrong")]).await;
    assert_eq!(status, 403);
    let (status, _) = browser.post(&format!("/tasks/{t1}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    app.get(&format!("/api/v1/tasks/{t1}")).await.expect_error(404, "not_found", None);
    let (_, page) = browser.get(&format!("/plans/{plan}?done=task_deleted&at=1")).await;
    assert!(page.contains("Đã xóa nhiệm vụ"));
}

#[tokio::test]
async fn reminders_count_vietnamese_working_days_unless_a_plan_says_otherwise() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-lich").await;
    let plan = json!({"issuer_id": issuer, "year": 2026, "title": "Năm 2026",
        "reminder_policy": {"offsets_days": [3], "overdue_every_days": 0, "workdays": ["2026-02-21"]}});
    let body = app.post("/api/v1/plans", plan).await.expect(201);
    assert_eq!(body["reminder_policy"]["working_days"], true, "the Vietnamese calendar by default");
    assert_eq!(body["reminder_policy"]["workdays"], json!(["2026-02-21"]));
    let too_many: Vec<String> = (0..101)
        .map(|n| (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Duration::days(n)).to_string())
        .collect();
    let bad = json!({"issuer_id": issuer, "year": 2027, "title": "x", "reminder_policy": {"offsets_days": [3], "overdue_every_days": 0, "workdays": too_many}});
    app.post("/api/v1/plans", bad).await.expect_error(422, "validation_failed", Some("reminder_policy.workdays"));
}

#[tokio::test]
async fn a_secret_calendar_address_lists_the_deadlines_with_alarms_until_it_is_revoked() {
    let app = spawn_app().await;
    let (issuer, _, _, [a, b], [t1, ..]) = last_year(&app).await;
    let (officer_id, officer) = app.user(issuer.parse().unwrap(), "unit_officer", Some(a.parse().unwrap())).await;
    let made = app.act_as(&officer).post("/api/v1/calendar-feeds", json!({})).await.expect(201);
    let url = made["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://nhiemvu.example.vn/calendar/") && url.ends_with(".ics"));
    let path = url.trim_start_matches("https://nhiemvu.example.vn");
    let (status, ct, body) = app.get_bytes(path).await;
    assert_eq!((status, ct.as_str()), (200, "text/calendar; charset=utf-8"));
    let ics = String::from_utf8(body).unwrap().replace("\r\n ", "");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "unit KT's two tasks with a deadline: {ics}");
    assert!(ics.contains(&format!("UID:{t1}@nhiemvu")));
    assert!(ics.contains(&format!("URL:https://nhiemvu.example.vn/tasks/{t1}")));
    let year = nhiemvu::services::local_date(chrono::Utc::now()).year() - 1;
    assert!(ics.contains(&format!("DTSTART;VALUE=DATE:{year}0331")));
    // 7, 3 and 1 working days before and the day itself (8:00), for the late task only:
    // the reported one (1.4) has no alarm.
    assert_eq!(ics.matches("BEGIN:VALARM").count(), 4, "{ics}");
    assert!(ics.contains("TRIGGER:PT8H"));

    // Another unit is not the officer's to subscribe to; the office may.
    app.act_as(&officer).post("/api/v1/calendar-feeds", json!({"unit_id": b})).await.expect_error(
        422,
        "validation_failed",
        Some("unit_id"),
    );
    let list = app.act_as(&officer).get("/api/v1/calendar-feeds").await.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = list[0]["id"].as_str().unwrap();
    // Revoked: gone at once.
    app.act_as(&officer).post(&format!("/api/v1/calendar-feeds/{id}/revocation"), json!({})).await.expect(200);
    assert_eq!(app.get_bytes(path).await.0, 404);
    assert_eq!(app.get_bytes("/calendar/not-a-secret.ics").await.0, 404);
    assert_eq!(app.get_bytes(&format!("/calendar/{}.ics", "0".repeat(64))).await.0, 404);

    // A feed ends with its maker's account.
    let again = app.act_as(&officer).post("/api/v1/calendar-feeds", json!({})).await.expect(201);
    let path = again["url"].as_str().unwrap().trim_start_matches("https://nhiemvu.example.vn").to_owned();
    assert_eq!(app.get_bytes(&path).await.0, 200);
    app.as_admin().post(&format!("/api/v1/users/{officer_id}/deactivation"), json!({})).await.expect(200);
    assert_eq!(app.get_bytes(&path).await.0, 404);
}

#[tokio::test]
async fn the_account_page_makes_and_revokes_a_calendar_address() {
    let app = spawn_app().await;
    let (issuer, _, _, [a, _], _) = last_year(&app).await;
    let (office, token) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let csrf = browser.csrf().await;
    let (status, html) = browser.post("/account/calendar", &[("csrf", &csrf), ("unit_id", &a)]).await;
    assert_eq!(status, 201);
    let at = html.find("<code id=\"new-feed\">").expect("the address, once") + 20;
    let url = html[at..at + html[at..].find('<').unwrap()].replace("&#x2f;", "/");
    let path = url.trim_start_matches("https://nhiemvu.example.vn");
    assert!(html.contains("Hạn nhiệm vụ: Đơn vị KT"));
    assert_eq!(app.get_bytes(path).await.0, 200);
    let (_, page) = browser.get("/account").await;
    assert!(!page.contains("new-feed"), "the address is not shown again");
    let id = app.act_as(&token).get("/api/v1/calendar-feeds").await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = browser.post(&format!("/account/calendar/{id}/revoke"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.get_bytes(path).await.0, 404);
    let (_, page) = browser.get("/account").await;
    assert!(page.contains("đã thu hồi ngày"));
}

#[tokio::test]
async fn after_adding_a_task_the_group_stays_chosen_and_its_next_code_is_offered() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-ma-tiep").await;
    let (plan, first) = app.plan_with_group(&issuer, 2026).await;
    let second = app.post("/api/v1/groups", json!({"plan_id": plan, "title": "Nhóm văn hóa"})).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.task(&first, "1.1", None, "2026-12-01").await;
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let csrf = browser.csrf().await;
    let (_, html) = browser.get(&format!("/plans/{plan}")).await;
    assert!(html.contains("id=\"code\" name=\"code\" value=\"1.2\""), "the first group's next code");
    assert!(html.contains(&format!("value=\"{second}\" data-next=\"2.1\"")), "an empty second group starts at 2.1");
    let (status, _) = browser
        .post(
            &format!("/plans/{plan}/tasks"),
            &[("csrf", &csrf), ("group_id", &second), ("code", "2.1"), ("text", "Gia đình văn hóa")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = browser.get(&format!("/plans/{plan}?group={second}&done=task_created&at=1")).await;
    assert!(html.contains(&format!("value=\"{second}\" data-next=\"2.2\" selected")), "the group kept");
    assert!(html.contains("id=\"code\" name=\"code\" value=\"2.2\""));
    assert!(html.contains("Đã giao nhiệm vụ"));
}

#[tokio::test]
async fn a_reported_task_is_archived_out_of_the_lists_figures_report_and_copy_and_restored() {
    let app = spawn_app().await;
    let (issuer, plan, _, [a, _], [_, _, _, t4]) = last_year(&app).await;
    // Reported, so not deleted: the refusal says it can be archived.
    let refused = app.delete(&format!("/api/v1/tasks/{t4}")).await.expect_error(409, "task_has_result", None);
    assert!(refused["message"].as_str().unwrap().contains("lưu trữ"), "{refused}");
    app.post(&format!("/api/v1/tasks/{t4}/archive"), json!({"reason": " "})).await.expect_error(
        422,
        "validation_failed",
        Some("reason"),
    );
    let (_, officer) = app.user(issuer.parse().unwrap(), "unit_officer", Some(a.parse().unwrap())).await;
    app.act_as(&officer)
        .post(&format!("/api/v1/tasks/{t4}/archive"), json!({"reason": "Không làm nữa"}))
        .await
        .expect_error(403, "forbidden", None);
    let reason = "Nhiệm vụ gộp vào nhiệm vụ 1.1 theo Kết luận của Chủ tịch";
    let archived =
        app.as_admin().post(&format!("/api/v1/tasks/{t4}/archive"), json!({"reason": reason})).await.expect(200);
    assert_eq!(archived["archive_reason"], reason);
    assert!(archived["archived_at"].is_string());
    app.post(&format!("/api/v1/tasks/{t4}/archive"), json!({"reason": reason})).await.expect_error(
        409,
        "task_archived",
        None,
    );

    // Out of the list and the figures; listed on its own; kept with its result.
    let live = app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200);
    let codes: Vec<&str> = live["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["1.1", "1.2", "1.3"]);
    let gone = app.get(&format!("/api/v1/tasks?plan_id={plan}&archived=true")).await.expect(200);
    assert_eq!((gone["total"].as_u64(), gone["items"][0]["id"].as_str()), (Some(1), Some(t4.as_str())));
    let f = app.get(&format!("/api/v1/plans/{plan}/figures")).await.expect(200);
    assert_eq!((f["totals"]["total"].as_u64(), f["totals"]["submitted"].as_u64()), (Some(3), Some(0)));
    let results = app.get(&format!("/api/v1/results?task_id={t4}")).await.expect(200);
    let rid = results["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(results["items"][0]["state"], "submitted");
    // Frozen until restored: the task, its targets and its result.
    let mut edit = app.get(&format!("/api/v1/tasks/{t4}")).await.expect(200);
    for k in ["id", "plan_id", "targets", "created_at", "updated_at", "archived_at", "archive_reason"] {
        edit.as_object_mut().unwrap().remove(k);
    }
    app.put(&format!("/api/v1/tasks/{t4}"), edit).await.expect_error(409, "task_archived", None);
    app.post(&format!("/api/v1/results/{rid}/accept"), json!({})).await.expect_error(409, "task_archived", None);
    app.post("/api/v1/targets", json!({"task_id": t4, "description": "Chỉ tiêu mới"})).await.expect_error(
        409,
        "task_archived",
        None,
    );
    // Next year's copy leaves it behind.
    let copy = app.post(&format!("/api/v1/plans/{plan}/copy-forward"), json!({})).await.expect(201);
    let next = copy["plan"]["id"].as_str().unwrap();
    let copied = app.get(&format!("/api/v1/tasks?plan_id={next}")).await.expect(200);
    assert_eq!(copied["total"], 3);

    // Restored, it counts again, once.
    let back = app.delete(&format!("/api/v1/tasks/{t4}/archive")).await.expect(200);
    assert!(back.get("archived_at").is_none());
    app.delete(&format!("/api/v1/tasks/{t4}/archive")).await.expect_error(409, "task_not_archived", None);
    let f = app.get(&format!("/api/v1/plans/{plan}/figures")).await.expect(200);
    assert_eq!((f["totals"]["total"].as_u64(), f["totals"]["submitted"].as_u64()), (Some(4), Some(1)));
    let trail = app.get(&format!("/api/v1/audit?entity_id={t4}")).await.expect(200);
    let actions: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"archive") && actions.contains(&"restore"), "{actions:?}");

    // The same from the task's page, with the reason kept on a refusal.
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let csrf = browser.csrf().await;
    let (status, html) = browser.post(&format!("/tasks/{t4}/archive"), &[("csrf", &csrf), ("reason", "")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Lưu trữ nhiệm vụ 1.4") && html.contains("aria-invalid"), "{html}");
    let (status, _) = browser.post(&format!("/tasks/{t4}/archive"), &[("csrf", &csrf), ("reason", reason)]).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("/plans/{plan}")).await;
    assert!(page.contains("Nhiệm vụ đã lưu trữ (1)") && page.contains(reason), "{page}");
    let (_, form) = browser.get(&format!("/tasks/{t4}/edit")).await;
    assert!(form.contains("Khôi phục nhiệm vụ 1.4") && form.contains("/restore\""), "{form}");
    assert!(!form.contains(&format!("action=\"/tasks/{t4}/edit\"")), "an archived task's form is not offered");
    let (status, _) = browser.post(&format!("/tasks/{t4}/restore"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("/plans/{plan}")).await;
    assert!(!page.contains("Nhiệm vụ đã lưu trữ"));
}

#[tokio::test]
async fn an_archived_task_leaves_the_printed_report() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (_, _, before) = app.get_bytes(&format!("/api/v1/documents/{}/pdf", p.report)).await;
    let Some(text) = crate::poppler::reading_text(&before) else { return };
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = flat(&text);
    // A task whose own words the report prints.
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={}&per_page=100", p.plan)).await.expect(200);
    let (id, words) = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| {
            let words: String = flat(t["text"].as_str()?).chars().take(60).collect();
            (words.chars().count() == 60 && text.matches(words.as_str()).count() == 1)
                .then(|| (t["id"].as_str().unwrap().to_owned(), words))
        })
        .expect("the report prints a task's text");
    app.post(&format!("/api/v1/tasks/{id}/archive"), json!({"reason": "Không còn thực hiện"})).await.expect(200);
    let (_, _, after) = app.get_bytes(&format!("/api/v1/documents/{}/pdf", p.report)).await;
    let after = flat(&crate::poppler::reading_text(&after).unwrap());
    assert!(!after.contains(words.as_str()), "the archived task is not printed: {words}");
    app.delete(&format!("/api/v1/tasks/{id}/archive")).await.expect(200);
    let (_, _, again) = app.get_bytes(&format!("/api/v1/documents/{}/pdf", p.report)).await;
    assert!(again == before, "restored, the report prints as before");
}

/// A plan of this year with one task of each standing the office must tell apart:
/// overdue, due soon, not yet assigned and accepted.
#[tokio::test]
async fn the_dashboard_colours_counts_and_lists_overdue_due_soon_unassigned_and_accepted_tasks() {
    // The pages and figures read the server's clock, here a fixed day in the middle of
    // this year: an overdue and a due-soon deadline both fall in one year's plan
    // whatever the day the test runs.
    let this_year = nhiemvu::services::local_date(chrono::Utc::now()).year();
    let noon = chrono::NaiveDate::from_ymd_opt(this_year, 6, 15).unwrap().and_hms_opt(5, 0, 0).unwrap().and_utc();
    let app =
        spawn_app_at(nhiemvu::services::signatures::Signing::disabled(), nhiemvu::services::Clock::fixed(noon)).await;
    let today = nhiemvu::services::local_date(noon);
    let (overdue_on, soon_on) = (today - Duration::days(5), today + Duration::days(3));
    let issuer = app.issuer("xa-bang-tin").await;
    let a = app.unit(&issuer, "KT").await;
    let (plan, group) = app.plan_with_group(&issuer, today.year()).await;
    let late = app.task(&group, "1.1", Some(&a), &overdue_on.to_string()).await;
    let soon = app.task(&group, "1.2", Some(&a), &soon_on.to_string()).await;
    app.post("/api/v1/tasks", json!({"group_id": group, "code": "1.3", "text": "Chưa giao cho ai"})).await.expect(201);
    // Accepted counts as accepted whatever its deadline.
    let done = app.task(&group, "1.4", Some(&a), &overdue_on.to_string()).await;
    let r = app
        .post("/api/v1/results", json!({"task_id": done, "narrative": "Đã xong", "self_score": 95}))
        .await
        .expect(201);
    let rid = r["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/results/{rid}/submit"), json!({})).await.expect(200);
    app.post(&format!("/api/v1/results/{rid}/accept"), json!({})).await.expect(200);

    let f = app.get(&format!("/api/v1/plans/{plan}/figures")).await.expect(200);
    let t = &f["totals"];
    assert_eq!(
        [&t["overdue"], &t["due_soon"], &t["unassigned"], &t["accepted"], &t["total"]].map(|v| v.as_u64()),
        [Some(1), Some(1), Some(1), Some(1), Some(4)],
        "{f}"
    );

    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let (_, html) = browser.get(&format!("/?plan={plan}")).await;
    // Overdue and due soon in colour (the tiles' classes; the stylesheet colours them), the others plain.
    for (code, label) in [("overdue", "Quá hạn"), ("due_soon", "Sắp đến hạn")] {
        let tile = format!(
            "<li class=\"tile count-{code}\"><a href=\"/tasks?plan={plan}&amp;standing={code}\"><strong>1</strong> {label}</a></li>"
        );
        assert!(html.contains(&tile), "{code} in colour: {html}");
    }
    assert!(html.contains(&format!(
        "<li class=\"tile count-unassigned\"><a href=\"/tasks?plan={plan}&amp;standing=unassigned\"><strong>1</strong>"
    )));
    assert!(
        html.contains(&format!(
            "<li class=\"tile\"><a href=\"/tasks?plan={plan}&amp;standing=on_track\"><strong>0</strong>"
        )),
        "a zero is plain"
    );
    let css = browser.get("/static/app.css").await.1;
    assert!(css.contains(".tile.count-overdue a { color: var(--bad)"), "the stylesheet colours the overdue tile red");
    // The overdue list, with days late; the due-soon list, with days left.
    let overdue = &html[html.find("id=\"overdue\"").unwrap()..];
    assert!(overdue.contains("quá hạn 5 ngày") && overdue.contains(&format!("href=\"/tasks/{late}\"")), "{overdue}");
    assert!(html.contains("còn 3 ngày") && html.contains(&format!("href=\"/tasks/{soon}\"")));
    // Each count opens the list filtered to it.
    for (standing, code) in
        [("overdue", ">1.1<"), ("due_soon", ">1.2<"), ("unassigned", ">1.3<"), ("accepted", ">1.4<")]
    {
        let (status, list) = browser.get(&format!("/tasks?plan={plan}&standing={standing}")).await;
        assert_eq!(status, 200);
        assert!(list.contains(code) && list.contains("1 trên 4 nhiệm vụ"), "{standing}: {list}");
    }
}

/// An emoji typed into a task's text on the page is refused at the field, naming
/// the character and where it is, and what was typed stays in the form; nothing
/// is saved.
#[tokio::test]
async fn an_emoji_typed_on_the_task_form_is_refused_at_its_field_and_the_text_stays() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-bieu-tuong").await;
    let (plan, group) = app.plan_with_group(&issuer, 2026).await;
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (browser, _) = Browser::login(&app, office).await;
    let csrf = browser.csrf().await;
    let typed = "Tổ chức ngày hội 🎉 văn hóa";
    let (status, html) = browser
        .post(
            &format!("/plans/{plan}/tasks"),
            &[("csrf", &csrf), ("group_id", &group), ("code", "1.1"), ("text", typed)],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("🎉") && html.contains("vị trí 18"), "the character and its position are named: {html}");
    assert!(html.contains(typed), "what was typed stays: {html}");
    assert_eq!(app.get(&format!("/api/v1/tasks?plan_id={plan}")).await.expect(200)["total"], 0, "nothing saved");
}
