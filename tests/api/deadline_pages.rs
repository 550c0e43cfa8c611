//! The deadline follow-up on the pages: a unit asks for an extension on the task page
//! (a mistake keeps what was typed), the office decides there, the dashboard counts the
//! four ways and urges two units in one step, and the administrator sets the rules.

use crate::deadlines::{office_on, s};
use crate::helpers::Browser;

/// Text as the pages escape it ("/" too).
fn esc(t: &str) -> String {
    t.replace('/', "&#x2f;")
}

#[tokio::test]
async fn a_unit_asks_on_the_task_page_the_office_decides_and_urges_from_the_dashboard() {
    let o = office_on(6, 15).await;
    let [a, b] = &o.units;
    let t = o.app.task(&o.group, "1.1", Some(a), "2026-06-10").await;
    let tb = o.app.task(&o.group, "1.2", Some(b), "2026-06-12").await;
    let [officer, office, signer] = o.ids;

    let (unit, _) = Browser::login(&o.app, officer).await;
    let csrf = unit.csrf().await;
    let (_, page) = unit.get(&format!("/tasks/{t}")).await;
    assert!(page.contains("id=\"follow-up\"") && page.contains("Đề xuất gia hạn hoặc rút nhiệm vụ"), "{page}");
    // A date before today: refused, and the reason typed stays.
    let fields =
        [("csrf", csrf.as_str()), ("kind", "extension"), ("asked_on", "2026-06-01"), ("reason", "Chờ vốn <b>tỉnh</b>")];
    let (status, page) = unit.post(&format!("/tasks/{t}/requests"), &fields).await;
    assert_eq!(status.as_u16(), 422);
    assert!(page.contains("Hạn mới phải sau hôm nay"), "{page}");
    assert!(page.contains("Chờ vốn &lt;b&gt;tỉnh&lt;&#x2f;b&gt;</textarea>"), "kept and escaped: {page}");
    assert!(page.contains("<details id=\"request\" open>"));
    let fields =
        [("csrf", csrf.as_str()), ("kind", "extension"), ("asked_on", "2026-07-15"), ("reason", "Chờ vốn tỉnh")];
    let (status, to, _) = unit.send(&format!("/tasks/{t}/requests"), &fields).await;
    assert_eq!((status.as_u16(), to.starts_with(&format!("/tasks/{t}?done=change_requested"))), (303, true), "{to}");

    let (desk, _) = Browser::login(&o.app, office).await;
    let csrf = desk.csrf().await;
    let (_, home) = desk.get(&format!("/?plan={}", o.plan)).await;
    assert!(
        home.contains("id=\"awaiting\"") && home.contains(&esc("Đề xuất gia hạn đến 15/07/2026: Chờ vốn tỉnh")),
        "{home}"
    );
    assert!(home.contains("id=\"ways\"") && home.contains("Chưa hoàn thành, quá hạn"), "{home}");
    let v = o.app.act_as(&o.office).get(&format!("/api/v1/tasks/{t}/follow-ups")).await.expect(200);
    let fid = s(&v[0]["id"]).to_owned();
    let (_, page) = desk.get(&format!("/tasks/{t}")).await;
    assert!(page.contains(&format!("action=\"/follow-ups/{fid}/decision\"")), "{page}");
    let decide = [
        ("csrf", csrf.as_str()),
        ("task_id", t.as_str()),
        ("decision", "partly"),
        ("granted_on", ""),
        ("reason", "Chỉ đến đầu tháng 7"),
    ];
    let (status, page) = desk.post(&format!("/follow-ups/{fid}/decision"), &decide).await;
    assert_eq!(status.as_u16(), 422);
    assert!(page.contains("Cần ngày hạn mới") && page.contains("Chỉ đến đầu tháng 7</textarea>"), "{page}");
    let decide = [
        ("csrf", csrf.as_str()),
        ("task_id", t.as_str()),
        ("decision", "partly"),
        ("granted_on", "2026-07-01"),
        ("reason", "Chỉ đến đầu tháng 7"),
    ];
    let (status, _, _) = desk.send(&format!("/follow-ups/{fid}/decision"), &decide).await;
    assert_eq!(status.as_u16(), 303);
    let (_, page) = unit.get(&format!("/tasks/{t}")).await;
    assert!(
        page.contains(&esc("Hạn ban đầu: 10/06/2026")) && page.contains(&esc("hạn mới 01/07/2026")),
        "the officer sees the new date: {page}"
    );

    // Two overdue units urged from the dashboard in one step: one letter.
    let (_, home) = desk.get(&format!("/?plan={}", o.plan)).await;
    assert!(home.contains("class=\"urge-form\""), "{home}");
    let urge = [
        ("csrf", csrf.as_str()),
        ("unit_ids", b.as_str()),
        ("unit_ids", a.as_str()),
        ("by", "letter"),
        ("report_by", "2026-06-25"),
    ];
    let (status, to, _) = desk.send(&format!("/plans/{}/urge", o.plan), &urge).await;
    assert_eq!(status.as_u16(), 303, "{to}");
    assert!(to.starts_with("/documents/") && to.contains("done=urge_drafted"), "{to}");
    // Unit a's task is no longer overdue (extended): only b is urged.
    let lines = o.app.act_as(&o.office).get(&format!("/api/v1/tasks/{tb}/follow-ups")).await.expect(200);
    assert!(s(&lines[0]["summary"]).starts_with("Đôn đốc ngày 15/06/2026 bằng công văn"), "{lines}");
    // Nothing chosen: the page says so and keeps the day typed.
    let (status, page) = desk
        .post(
            &format!("/plans/{}/urge", o.plan),
            &[("csrf", csrf.as_str()), ("by", "mail"), ("report_by", "2026-06-26")],
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(page.contains("Chọn ít nhất một đơn vị") && page.contains("value=\"2026-06-26\""), "{page}");

    // The chairman sees no urging form; the administrator's rules page keeps a mistake.
    let (chair, _) = Browser::login(&o.app, signer).await;
    assert!(!chair.get(&format!("/?plan={}", o.plan)).await.1.contains("class=\"urge-form\""));
    assert_eq!(chair.get("/admin/deadline-rules").await.0.as_u16(), 403);
    let (admin, _) = Browser::login(&o.app, o.app.admin_id()).await;
    assert!(
        admin.get("/admin/issuer").await.1.contains("href=\"/admin/deadline-rules\""),
        "the office page leads to the rules"
    );
    let csrf = admin.csrf().await;
    let bad = [
        ("csrf", csrf.as_str()),
        ("tell_chairman_after", "5"),
        ("draft_letter_after", "10"),
        ("risk_time_percent", "0"),
        ("risk_progress_percent", "50"),
    ];
    let (status, page) = admin.post("/admin/deadline-rules", &bad).await;
    assert_eq!(status.as_u16(), 422);
    assert!(page.contains("id=\"err-risk_time_percent\"") && page.contains("value=\"10\""), "{page}");
}
