//! E-mail against a real SMTP server: delivery of issued documents, outages,
//! refused recipients, and reminders that go out once.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use nhiemvu::domain::reminder::Policy;
use nhiemvu::services::{outbox, reminders};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::smtp::SmtpServer;

async fn issue_demo_report(app: &TestApp, p: &crate::helpers::People) -> serde_json::Value {
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{}/submit", p.report), json!({})).await.expect(200);
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{}/approve", p.report), json!({})).await.expect(200);
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{}/issue", p.report), json!({})).await.expect(200)
}

async fn pass(app: &TestApp, smtp: &SmtpServer, at: chrono::DateTime<Utc>) -> outbox::Dispatched {
    outbox::dispatch(&app.db, &app.files, &smtp.mailer(), "test", at, 10_000).await.unwrap()
}

#[tokio::test]
async fn an_issued_report_reaches_every_address_of_its_recipients_with_the_frozen_pdf() {
    let Some(smtp) = SmtpServer::start() else { return };
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let issued = issue_demo_report(&app, &p).await;
    let deliveries = app.get(&format!("/api/v1/documents/{}/deliveries", p.report)).await.expect(200);
    assert_eq!(deliveries["total"], 15, "1 + 1 + 3 + 8 + 1 + 1 addresses; Lưu:VT has none");
    let done = pass(&app, &smtp, Utc::now()).await;
    assert_eq!(done, outbox::Dispatched { sent: 15, retried: 0, failed: 0 });

    let (_, _, pdf) = app.get_bytes(&format!("/api/v1/documents/{}/pdf", p.report)).await;
    let date = nhiemvu::domain::format::short_date(nhiemvu::services::local_date(Utc::now()));
    let subject = format!(
        "Báo cáo số 01/BC-UBND ngày {date} về tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm 2024 và đề xuất nhiệm vụ trọng tâm năm 2025"
    );
    let raw = smtp.messages();
    assert_eq!(raw.len(), 15);
    let mut to: Vec<String> = Vec::new();
    for bytes in &raw {
        let m = MessageParser::default().parse(bytes).expect("a parsable message");
        assert_eq!(m.subject(), Some(subject.as_str()), "the subject decodes to the exact Vietnamese text");
        let att = m.attachments().next().expect("the PDF is attached");
        assert!(att.attachment_name().is_some_and(|n| n.ends_with("01-BC-UBND.pdf")));
        assert!(att.contents() == pdf.as_slice(), "byte-identical to the frozen PDF");
        assert!(m.body_text(0).unwrap().contains(issued["pdf_sha256"].as_str().unwrap()));
        assert!(m.message_id().is_some_and(|id| id.ends_with("@bacson.example.vn")));
        to.push(m.to().unwrap().first().unwrap().address().unwrap().to_owned());
    }
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 15, "each address once");
    let statuses = app.get(&format!("/api/v1/documents/{}/deliveries", p.report)).await.expect(200);
    assert!(statuses["items"].as_array().unwrap().iter().all(|d| d["state"] == "sent"));
    assert_eq!(pass(&app, &smtp, Utc::now()).await, outbox::Dispatched::default(), "nothing goes twice");

    // The office resends to one recipient.
    let one = statuses["items"][0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/outbox/{one}/resend"), json!({})).await.expect(201);
    assert_eq!(pass(&app, &smtp, Utc::now()).await.sent, 1);
    assert_eq!(smtp.messages().len(), 16);
}

#[tokio::test]
async fn mail_waits_through_an_outage_and_goes_out_once_when_the_server_is_back() {
    let Some(mut smtp) = SmtpServer::start() else { return };
    let app = spawn_app().await;
    let p = app.demo_people().await;
    smtp.stop();
    issue_demo_report(&app, &p).await;
    let now = Utc::now();
    let down = pass(&app, &smtp, now).await;
    assert_eq!((down.sent, down.failed), (0, 0));
    assert!(down.retried > 0);
    let waiting = app.get(&format!("/api/v1/documents/{}/deliveries", p.report)).await.expect(200);
    assert!(waiting["items"].as_array().unwrap().iter().all(|d| d["state"] == "pending"), "{waiting}");
    assert!(waiting["items"].as_array().unwrap().iter().any(|d| d["attempts"] == 1 && d["last_error"].is_string()));
    assert_eq!(pass(&app, &smtp, now).await, outbox::Dispatched::default(), "backing off");

    smtp.resume();
    let mut sent = 0;
    for k in 1..10 {
        sent += pass(&app, &smtp, now + Duration::minutes(10 * k)).await.sent;
    }
    assert_eq!(sent, 15);
    assert_eq!(smtp.messages().len(), 15, "none lost, none duplicated");
}

#[tokio::test]
async fn a_refused_recipient_is_marked_failed_without_holding_up_the_others() {
    let Some(smtp) = SmtpServer::start() else { return };
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let mut doc = app.act_as(p.token("office")).get(&format!("/api/v1/documents/{}", p.report)).await.expect(200);
    doc["recipients"] = json!([
        {"label": "TT. Huyện ủy", "emails": ["huyenuy@bacson.example.vn", "refused@bacson.example.vn"]},
        {"label": "TT. HĐND huyện", "emails": ["hdnd@bacson.example.vn"]},
        {"label": "Lưu: VT"}
    ]);
    let doc = crate::helpers::doc_input(&doc);
    app.put(&format!("/api/v1/documents/{}", p.report), doc).await.expect(200);
    issue_demo_report(&app, &p).await;
    let done = pass(&app, &smtp, Utc::now()).await;
    assert_eq!(done, outbox::Dispatched { sent: 2, retried: 0, failed: 1 });
    let rows = app.get(&format!("/api/v1/documents/{}/deliveries", p.report)).await.expect(200);
    let failed: Vec<&serde_json::Value> =
        rows["items"].as_array().unwrap().iter().filter(|r| r["state"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["to_addr"], "refused@bacson.example.vn");
    assert!(failed[0]["last_error"].as_str().unwrap().contains("550"));
    assert_eq!(smtp.messages().len(), 2);
    let failing = app.as_admin().get("/api/v1/outbox?state=failed").await.expect(200);
    assert_eq!(failing["total"], 1);
    // The office sees it on its dashboard, under "Thư không gửi được".
    let (office, _) = crate::helpers::Browser::login(&app, p.ids["office"]).await;
    let (_, home) = office.get("/").await;
    let section = &home[home.find("Thư không gửi được").expect("the failed-mail card")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("refused@bacson.example.vn") && section.contains("TT. Huyện ủy"), "{section}");
    assert!(!section.contains("hdnd@bacson.example.vn"), "only what failed: {section}");
}

#[tokio::test]
async fn reminders_go_out_on_the_right_days_once_even_across_a_restart() {
    let Some(smtp) = SmtpServer::start() else { return };
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let unit = app.post("/api/v1/units", json!({"issuer_id": issuer, "name": "Phòng Kinh tế", "short_name": "KT", "kind": "department", "emails": ["kinhte@example.vn"]})).await.expect(201);
    let unit = unit["id"].as_str().unwrap().to_owned();
    app.user(issuer.parse().unwrap(), "unit_officer", Some(unit.parse().unwrap())).await;
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    app.task(&group, "1.1", Some(&unit), "2025-12-15").await;
    app.task(&group, "1.2", Some(&unit), "2025-12-16").await;
    let done_task = app.task(&group, "1.3", Some(&unit), "2025-12-15").await;
    let r = app
        .post("/api/v1/results", json!({"task_id": done_task, "narrative": "Xong", "self_score": 100}))
        .await
        .expect(201);
    app.post(&format!("/api/v1/results/{}/submit", r["id"].as_str().unwrap()), json!({})).await.expect(200);

    let policy = Policy { working_days: false, ..Policy::default() };
    let at =
        |d: u32| Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(2025, 12, d).unwrap().and_hms_opt(1, 0, 0).unwrap());
    let codes = |digests: &Vec<reminders::Digest>| -> Vec<Vec<String>> {
        digests.iter().map(|d| d.tasks.iter().map(|t| format!("{} {}", t.code, t.when)).collect()).collect()
    };
    assert!(reminders::send_reminders(&app.db, &policy, at(7)).await.unwrap().is_empty(), "8 days before: nothing");
    let first = reminders::send_reminders(&app.db, &policy, at(8)).await.unwrap();
    assert_eq!(codes(&first), [["1.1 còn 7 ngày"]]);
    assert_eq!(first[0].addresses.len(), 2, "the unit's address and its officer's");
    assert!(
        reminders::send_reminders(&app.db, &policy, at(8)).await.unwrap().is_empty(),
        "a second tick sends nothing"
    );
    let second = reminders::send_reminders(&app.db, &policy, at(9)).await.unwrap();
    assert_eq!(codes(&second), [["1.2 còn 7 ngày"]], "1.1 was reminded for this threshold already");

    // A restart: a new connection pool on the same database.
    let reopened = app.reopen().await;
    assert!(
        reminders::send_reminders(&reopened, &policy, at(9)).await.unwrap().is_empty(),
        "nothing again after a restart"
    );
    let third = reminders::send_reminders(&reopened, &policy, at(12)).await.unwrap();
    assert_eq!(codes(&third), [["1.1 còn 3 ngày"]]);
    let fourth = reminders::send_reminders(&reopened, &policy, at(18)).await.unwrap();
    assert_eq!(codes(&fourth), [["1.1 đã quá hạn 3 ngày"]], "1.2 is 2 days late: its next reminder is tomorrow");
    let dry = reminders::plan_reminders(&reopened, &policy, at(19)).await.unwrap();
    assert_eq!(codes(&dry), [["1.2 đã quá hạn 3 ngày"]]);

    let sent = pass(&app, &smtp, Utc::now()).await;
    assert_eq!(sent.sent, 8, "four digests to two addresses each");
    let subjects: Vec<String> = smtp
        .messages()
        .iter()
        .map(|b| MessageParser::default().parse(b).unwrap().subject().unwrap().to_owned())
        .collect();
    assert!(
        subjects
            .iter()
            .all(|s| s.starts_with("Nhắc hạn nhiệm vụ trọng tâm ngày") && s.ends_with("1 nhiệm vụ của Phòng Kinh tế"))
    );
}

#[tokio::test]
async fn a_plan_may_have_its_own_reminder_days() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-b").await;
    let unit = app.post("/api/v1/units", json!({"issuer_id": issuer, "name": "Phòng Văn hóa", "short_name": "VH", "kind": "department", "emails": ["vh@example.vn"]})).await.expect(201)["id"].as_str().unwrap().to_owned();
    let plan = json!({"issuer_id": issuer, "year": 2025, "title": "Năm 2025", "reminder_policy": {"offsets_days": [2], "overdue_every_days": 0, "working_days": false}});
    let plan = app.post("/api/v1/plans", plan).await.expect(201);
    assert_eq!(plan["reminder_policy"]["offsets_days"], json!([2]));
    let group = app.post("/api/v1/groups", json!({"plan_id": plan["id"], "title": "Nhóm"})).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.task(&group, "1.1", Some(&unit), "2025-12-15").await;
    let bad = json!({"issuer_id": issuer, "year": 2026, "title": "x", "reminder_policy": {"offsets_days": [-1], "overdue_every_days": 3}});
    app.post("/api/v1/plans", bad).await.expect_error(422, "validation_failed", Some("reminder_policy.offsets_days"));

    let at =
        |d: u32| Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(2025, 12, d).unwrap().and_hms_opt(1, 0, 0).unwrap());
    let server = Policy { working_days: false, ..Policy::default() };
    assert!(
        reminders::send_reminders(&app.db, &server, at(8)).await.unwrap().is_empty(),
        "7 days is the server's day, not this plan's"
    );
    assert_eq!(reminders::send_reminders(&app.db, &server, at(13)).await.unwrap().len(), 1);
    assert!(reminders::send_reminders(&app.db, &server, at(15)).await.unwrap().is_empty());
    assert!(reminders::send_reminders(&app.db, &server, at(21)).await.unwrap().is_empty(), "no overdue repeat");
}

#[tokio::test]
async fn an_urging_letter_is_mailed_to_the_late_units_it_names() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-c").await;
    let unit = app.post("/api/v1/units", json!({"issuer_id": issuer, "name": "Phòng Nông nghiệp", "short_name": "NN", "kind": "department", "emails": ["nongnghiep@example.vn"]})).await.expect(201)["id"].as_str().unwrap().to_owned();
    let on_time = app.post("/api/v1/units", json!({"issuer_id": issuer, "name": "Phòng Y tế", "short_name": "YT", "kind": "department", "emails": ["yte@example.vn"]})).await.expect(201)["id"].as_str().unwrap().to_owned();
    let today = nhiemvu::services::local_date(Utc::now());
    let late = today - Duration::days(3);
    let (plan, group) = app.plan_with_group(&issuer, chrono::Datelike::year(&late)).await;
    app.task(&group, "1.1", Some(&unit), &late.to_string()).await;
    let far = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&late), 12, 31).unwrap();
    if far > today + Duration::days(10) {
        app.task(&group, "1.2", Some(&on_time), &far.to_string()).await;
    }
    let (_, signer) = app.user(issuer.parse().unwrap(), "signer", None).await;
    let letter = json!({"issuer_id": issuer, "plan_id": plan, "kind": "letter", "subject": "V/v đôn đốc thực hiện nhiệm vụ", "drafting_unit": "VP",
        "signer_position": "CHỦ TỊCH", "signer_name": "A", "recipients": [{"label": "Lưu: VT, VP"}]});
    let id = app.post("/api/v1/documents", letter).await.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/documents/{id}/submit"), json!({})).await.expect(200);
    app.act_as(&signer).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect(200);
    app.as_admin().post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    let deliveries = app.get(&format!("/api/v1/documents/{id}/deliveries")).await.expect(200);
    let to: Vec<&str> =
        deliveries["items"].as_array().unwrap().iter().map(|d| d["to_addr"].as_str().unwrap()).collect();
    assert_eq!(to, ["nongnghiep@example.vn"], "the late unit, not the one on time");
    assert!(
        deliveries["items"][0]["subject"].as_str().unwrap().contains("số 01/UBND-VP")
            && deliveries["items"][0]["subject"].as_str().unwrap().ends_with("V/v đôn đốc thực hiện nhiệm vụ")
    );
}

/// The dispatcher's rules, through the recording seam (no mail server): a message
/// taken is sent once, a refusal for now is tried again after its backoff and not
/// before, a refusal for good is not tried again, and each ends in its own state.
#[tokio::test]
async fn the_dispatcher_sends_once_retries_a_deferral_after_its_backoff_and_gives_up_on_a_refusal() {
    use nhiemvu::domain::{MailKind, OutboxState};
    use nhiemvu::mail::{Recording, SendError};
    let app = spawn_app().await;
    let at = Utc::now();
    // Every message is some office's: the administrator's office here.
    let office = app.get("/api/v1/auth/session").await.expect(200)["issuer_id"].as_str().unwrap().parse().ok();
    let txn = app.db.begin_write().await.unwrap();
    for to in ["a@example.vn", "b@example.vn", "c@example.vn"] {
        let m = outbox::NewMessage {
            key: format!("test:{to}"),
            kind: MailKind::Reminder,
            to: to.into(),
            recipient_label: None,
            subject: "Nhắc hạn".into(),
            text: "Nội dung".into(),
            html: "<p>Nội dung</p>".into(),
            attachment: None,
            document_id: None,
            unit_id: None,
            issuer_id: office,
        };
        assert!(outbox::enqueue(&*txn, at, m).await.unwrap());
    }
    txn.commit().await.unwrap();

    let later = |message: &str, permanent| Err(SendError { permanent, message: message.into() });
    let mailer = Recording::answering(vec![Ok(()), later("421 try later", false), later("550 no such user", true)]);
    let first = outbox::dispatch(&app.db, &app.files, &mailer, "test", at, 10).await.unwrap();
    assert_eq!(first, outbox::Dispatched { sent: 1, retried: 1, failed: 1 });
    assert_eq!(mailer.sent().len(), 1);

    // Nothing is due again before the deferred message's backoff has passed.
    let early = outbox::dispatch(&app.db, &app.files, &mailer, "test", at + Duration::seconds(5), 10).await.unwrap();
    assert_eq!(early, outbox::Dispatched::default());
    let after = at + outbox::backoff(1) + Duration::seconds(1);
    let again = outbox::dispatch(&app.db, &app.files, &mailer, "test", after, 10).await.unwrap();
    assert_eq!(again, outbox::Dispatched { sent: 1, retried: 0, failed: 0 });
    let sent: Vec<String> = mailer.sent().into_iter().map(|m| m.to).collect();
    assert_eq!(sent.len(), 2, "two messages taken: {sent:?}");
    assert_ne!(sent[0], sent[1], "each message at most once");

    let listed = app.get("/api/v1/outbox?per_page=10").await.expect(200);
    let mut states: Vec<String> =
        listed["items"].as_array().unwrap().iter().map(|m| m["state"].as_str().unwrap().to_owned()).collect();
    states.sort();
    let want = [OutboxState::Failed, OutboxState::Sent, OutboxState::Sent].map(|s| s.code().to_owned());
    assert_eq!(states, want);
}
