//! The web pages over HTTP (the browser journey in tests/web drives them in Chromium):
//! login and its errors, role landing pages, user text escaped, CSRF on every form,
//! another unit's task out of reach.

use poem::http::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, form, spawn_app};

#[tokio::test]
async fn pages_need_a_session_and_each_role_lands_on_its_own_page() {
    let app = spawn_app().await;
    let resp = app.client.get("/documents").send().await;
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.0.headers().get("location").unwrap(), "/login?next=%2Fdocuments");

    let bad = form(&[("username", "không-có"), ("password", "sai")]);
    let resp = app.client.post("/login").content_type("application/x-www-form-urlencoded").body(bad).send().await;
    assert_eq!(resp.0.status(), StatusCode::UNAUTHORIZED);
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Sai tên đăng nhập hoặc mật khẩu"), "{html}");
    assert!(html.contains("value=\"không-có\""), "the typed user name is kept: {html}");

    let p = app.demo_people().await;
    for (role, home) in [("office", "/"), ("unit_officer", "/inbox"), ("signer", "/sign-off"), ("admin", "/")] {
        let (_, to) = Browser::login(&app, p.ids[role]).await;
        assert_eq!(to, home, "{role}");
    }
}

#[tokio::test]
async fn user_text_is_escaped_forms_need_their_csrf_token_and_other_units_tasks_are_out_of_reach() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap().to_owned();
    let evil = "<script>alert(\"x\")</script> & <b>đậm</b>";
    let task = app
        .post("/api/v1/tasks", json!({"group_id": group, "code": "9.1", "text": evil, "lead_unit_id": p.tckh}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (status, html) = office.get(&format!("/plans/{}", p.plan)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt; &amp; &lt;b&gt;đậm&lt;&#x2f;b&gt;"),
        "escaped"
    );
    assert!(!html.contains("<script>alert"), "never markup");

    // A change without the form's token is refused and changes nothing.
    let fields = [("group_id", group.as_str()), ("code", "9.2"), ("text", "Không được tạo")];
    let (status, html) = office.post(&format!("/plans/{}/tasks", p.plan), &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("mã bảo vệ"), "{html}");
    let csrf = office.csrf().await;
    let (status, _) = office.post(&format!("/plans/{}/tasks", p.plan), &[("csrf", "sai"), fields[0], fields[1]]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={}&per_page=100", p.plan)).await.expect(200);
    assert!(tasks["items"].as_array().unwrap().iter().all(|t| t["code"] != "9.2"), "nothing was created");

    // With the token, a mistake comes back at its field with everything typed kept.
    let (status, html) = office
        .post(
            &format!("/plans/{}/tasks", p.plan),
            &[("csrf", &csrf), ("group_id", &group), ("code", ""), ("text", "Nhiệm vụ đã gõ"), ("target_goal", "mười")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"err-code\"") && html.contains("id=\"err-target_goal_0\""),
        "errors at the fields: {html}"
    );
    assert!(html.contains(">Nhiệm vụ đã gõ</textarea>") && html.contains("value=\"mười\""), "typed values kept");

    // The unit officer of another unit gets a 404 for this task, its own officer the form.
    let (other, _) = Browser::login(&app, p.ids["other_unit_officer"]).await;
    let (status, _) = other.get(&format!("/tasks/{task}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (own, _) = Browser::login(&app, p.ids["unit_officer"]).await;
    let (status, html) = own.get(&format!("/tasks/{task}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"result-form\""), "the lead unit's officer may report");
}

#[tokio::test]
async fn a_signer_with_a_usb_token_signs_the_digest_the_page_shows() {
    use crate::signatures::{Keys, PASS, PKI, submitted_report};
    use base64::Engine as _;
    let keys = Keys::new();
    let app = crate::helpers::spawn_app_with(keys.signing()).await;
    let p = app.demo_people().await;
    let id = submitted_report(&app, &p).await;
    let (signer, _) = Browser::login(&app, p.ids["signer"]).await;
    // No key on the server: the page says so before anyone presses a button.
    let (_, html) = signer.get(&format!("/documents/{id}")).await;
    assert!(html.contains("id=\"signer-key\"") && html.contains("Máy chủ chưa ký thay bạn được"), "{html}");
    keys.install("signers", &crate::signatures::username(&app, p.ids["signer"]).await, "signer-aes.p12", PASS);
    let (_, html) = signer.get(&format!("/documents/{id}")).await;
    assert!(
        html.contains(
            "Sẽ ký bằng chứng thư số của Phùng Thị Thanh Nga, do nhiemvu Test Root CA cấp, hiệu lực đến 01&#x2f;01&#x2f;2070"
        ),
        "the sign-off page shows the certificate that will sign: {html}"
    );
    let csrf = signer.csrf().await;
    let step = format!("/documents/{id}/step");
    let (status, html) = signer.post(&step, &[("csrf", &csrf), ("action", "prepare")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let grab = |html: &str, name: &str| {
        let needle = format!("name=\"{name}\" value=\"");
        let at = html.find(&needle).unwrap_or_else(|| panic!("{name} in {html}")) + needle.len();
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    let (session, digest) = (grab(&html, "session_id"), grab(&html, "digest_hex"));
    assert!(html.contains(&format!("id=\"digest-hex\">{digest}<")), "the digest is shown to copy");
    let shown = html.replace("&#x2f;", "/");
    assert!(
        shown.contains("id=\"handoff\">http") && shown.contains("/api/v1/signing/handoff/"),
        "and the link for a tool"
    );

    // The token: a software key standing in for it.
    let token =
        nhiemvu::signing::keys::open_pkcs12(&std::fs::read(format!("{PKI}/signer-aes.p12")).unwrap(), PASS).unwrap();
    let cms = nhiemvu::signing::cms::sign(&hex::decode(&digest).unwrap(), &token.key, &token.chain, chrono::Utc::now())
        .unwrap();
    let link = grab(&html, "handoff").replace("&#x2f;", "/");
    let (status, html) = signer
        .post(
            &step,
            &[
                ("csrf", &csrf),
                ("action", "finalize"),
                ("session_id", &session),
                ("handoff", &link),
                ("signature", "không phải base64"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"err-signature\""), "the error is at the signature field");
    let shown = html.replace("&#x2f;", "/");
    assert!(shown.contains(&format!("id=\"handoff\">{link}<")), "the hand-off link stays on the page");
    // A token whose certificate no trusted authority issued: refused in words, nothing signed.
    let stranger =
        nhiemvu::signing::keys::open_pkcs12(&std::fs::read(format!("{PKI}/untrusted.p12")).unwrap(), PASS).unwrap();
    let other =
        nhiemvu::signing::cms::sign(&hex::decode(&digest).unwrap(), &stranger.key, &stranger.chain, chrono::Utc::now())
            .unwrap();
    let other = base64::engine::general_purpose::STANDARD.encode(other);
    let (status, html) = signer
        .post(&step, &[("csrf", &csrf), ("action", "finalize"), ("session_id", &session), ("signature", &other)])
        .await;
    assert!(status.is_client_error(), "{status}");
    assert!(html.contains("không thuộc tổ chức chứng thực nào được tin cậy"), "the page says why: {html}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(cms);
    let resp = app
        .client
        .post(&step)
        .header("cookie", &signer.cookie)
        .content_type("application/x-www-form-urlencoded")
        .body(form(&[("csrf", &csrf), ("action", "finalize"), ("session_id", &session), ("signature", &b64)]))
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER);
    let (_, html) = signer.get(&format!("/documents/{id}")).await;
    assert!(html.contains("Đã ký duyệt, chờ ban hành") && html.contains("Phùng Thị Thanh Nga"), "approved and signed");
    assert!(!html.contains("id=\"untrusted\""), "a trusted signature carries no warning");
}

#[tokio::test]
async fn a_document_signed_with_an_untrusted_certificate_where_allowed_says_so_on_its_page() {
    use crate::signatures::{Keys, PASS, submitted_report};
    let keys = Keys::new();
    let signing =
        nhiemvu::services::signatures::Signing { allow_untrusted: true, match_names: false, ..keys.signing() };
    let app = crate::helpers::spawn_app_with(signing).await;
    let p = app.demo_people().await;
    let id = submitted_report(&app, &p).await;
    let signer = crate::signatures::username(&app, p.ids["signer"]).await;
    keys.install("signers", &signer, "untrusted.p12", PASS);
    app.act_as(p.token("signer"))
        .post(&format!("/api/v1/documents/{id}/approve"), serde_json::json!({}))
        .await
        .expect(200);
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, html) = office.get(&format!("/documents/{id}")).await;
    assert!(html.contains("id=\"untrusted\"") && html.contains("không có giá trị pháp lý"), "{html}");
}

#[tokio::test]
async fn the_document_page_shows_the_nd30_check_in_vietnamese() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (status, html) = office.get(&format!("/documents/{}", p.report)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kiểm tra thể thức (Nghị định 30/2020)"), "the check is on the page");
    assert!(html.contains("Không có lỗi"), "the reference report has no error");
    assert!(html.contains("TM. ỦY BAN NHÂN DÂN"), "a warning explains the collective signature");
}

#[tokio::test]
async fn the_dashboard_lists_overdue_tasks_with_their_days_late_and_colours_their_counts() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let groups = app.get(&format!("/api/v1/groups?plan_id={}", p.plan)).await.expect(200);
    let group = groups[0]["id"].as_str().unwrap().to_owned();
    // A task of the 2024 plan with no result: its deadline has passed.
    let task = app
        .post(
            "/api/v1/tasks",
            json!({"group_id": group, "code": "9.9", "text": "Nhiệm vụ trễ hạn để thử", "lead_unit_id": p.tckh,
                "deadline": "2024-06-30"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let days = (nhiemvu::services::local_date(chrono::Utc::now())
        - chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap())
    .num_days();
    // A task with a lead unit but no deadline yet is "not assigned", not on track.
    app.post("/api/v1/tasks", json!({"group_id": group, "code": "9.8", "text": "Chưa có hạn", "lead_unit_id": p.tckh}))
        .await
        .expect(201);
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (status, html) = office.get(&format!("/?plan={}", p.plan)).await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find("id=\"overdue\"").expect("an overdue section");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(section.contains(&format!("quá hạn {days} ngày")), "days late: {section}");
    assert!(section.contains(&format!("href=\"/tasks/{task}\"")), "the task is one click away: {section}");
    assert!(html.contains("class=\"num count-overdue\""), "a non-zero overdue count is coloured");
    assert!(
        html.contains(">Chưa giao</th>") && html.contains("class=\"num count-unassigned\""),
        "counted as not assigned"
    );
    assert!(!html.contains("class=\"num count-on_track\""), "nothing of this finished year is on track");
}

/// A PKCS#12 with a self-signed certificate for `cn` that ends in `days` days, made
/// by openssl; `None` (with the reason printed) when openssl is absent.
fn short_lived_p12(cn: &str, days: u32) -> Option<Vec<u8>> {
    if std::process::Command::new("openssl").arg("version").output().is_err() {
        crate::helpers::skip("`openssl`; tests/run.sh installs it");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, crt, p12) = (dir.path().join("k.pem"), dir.path().join("c.pem"), dir.path().join("k.p12"));
    let ok = |args: &[&str]| {
        let out = std::process::Command::new("openssl").args(args).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    let subj = format!("/C=VN/CN={cn}");
    let days = days.to_string();
    ok(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        crt.to_str().unwrap(),
        "-days",
        &days,
        "-subj",
        &subj,
        "-utf8",
    ]);
    ok(&[
        "pkcs12",
        "-export",
        "-inkey",
        key.to_str().unwrap(),
        "-in",
        crt.to_str().unwrap(),
        "-passout",
        "pass:tam-thoi",
        "-out",
        p12.to_str().unwrap(),
    ]);
    Some(std::fs::read(p12).unwrap())
}

#[tokio::test]
async fn administrators_see_who_holds_which_key_until_when_and_are_told_a_month_before_it_ends() {
    use base64::Engine as _;
    use nhiemvu::services::{keys, now};
    let k = crate::signatures::Keys::new();
    let signing = nhiemvu::services::signatures::Signing {
        allow_untrusted: true,
        kek: nhiemvu::signing::keys::Kek::parse(&"5a".repeat(32)),
        ..k.signing()
    };
    let app = crate::helpers::spawn_app_with(signing).await;
    let p = app.demo_people().await;
    let Some(p12) = short_lived_p12("Phùng Thị Thanh Nga", 10) else { return };
    let body =
        json!({"pkcs12_base64": base64::engine::general_purpose::STANDARD.encode(p12), "passphrase": "tam-thoi"});
    let key = app.as_admin().post(&format!("/api/v1/users/{}/signing-keys", p.ids["signer"]), body).await.expect(201);
    assert_eq!(key["holder"], "Phùng Thị Thanh Nga");
    let days = key["days_left"].as_i64().unwrap();
    assert!((9..=10).contains(&days), "{key}");

    // The page: the key, its holder and its end, a warning, the import form, a retire button.
    let (admin, _) = Browser::login(&app, app.admin_id()).await;
    let (status, html) = admin.get("/admin/keys").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Phùng Thị Thanh Nga") && html.contains(key["fingerprint"].as_str().unwrap()), "{html}");
    assert!(html.contains(&format!("còn {days} ngày")) && html.contains("cần cài khóa mới"), "{html}");
    assert!(html.contains("id=\"key-import\"") && html.contains("Thôi dùng"), "{html}");
    assert!(html.contains("bởi Người dùng admin"), "who installed it: {html}");
    assert!(html.contains("id=\"untrusted\""), "certificates outside the trust store are allowed: said so");
    let (_, home) = admin.get("/").await;
    assert!(home.contains("id=\"key-warnings\"") && home.contains("Phùng Thị Thanh Nga"), "{home}");
    // Others do not see the page or the warning.
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (status, _) = office.get("/admin/keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = office.get("/").await;
    assert!(!home.contains("key-warnings"), "{home}");

    // Mail: each administrator once per warning (30 days, 7 days, 1 day, ended).
    let admins = app.get("/api/v1/users?role=admin&per_page=500").await.expect(200)["total"].as_u64().unwrap() as usize;
    assert!(admins >= 1);
    assert_eq!(keys::warn_expiring(&app.db, now()).await.unwrap(), admins);
    assert_eq!(keys::warn_expiring(&app.db, now()).await.unwrap(), 0, "told once");
    assert_eq!(keys::warn_expiring(&app.db, now() + chrono::Duration::days(4)).await.unwrap(), admins, "7 days");
    let outbox = app.get("/api/v1/outbox?per_page=100").await.expect(200);
    let subjects: Vec<&str> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "key_expiry")
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2 * admins, "{outbox}");
    assert!(
        subjects.iter().all(|s| s.starts_with("Chứng thư số của Phùng Thị Thanh Nga hết hạn ngày")),
        "{subjects:?}"
    );

    // Retiring from the page: confirmed, audited, gone from the warnings.
    let csrf = admin.csrf().await;
    let id = key["id"].as_str().unwrap();
    let (status, _) = admin.post(&format!("/admin/keys/{id}/retire"), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/keys").await;
    assert!(html.contains("Đã thôi dùng") && !html.contains("cần cài khóa mới"), "{html}");
    let (_, log) = admin.get("/admin/audit").await;
    assert!(log.contains("Thôi dùng khóa ký số") && log.contains("Cài khóa ký số"), "audit in Vietnamese");
    assert_eq!(keys::warn_expiring(&app.db, now() + chrono::Duration::days(9)).await.unwrap(), 0, "retired: silent");
}

#[tokio::test]
async fn the_signer_sees_who_drafted_and_submitted_and_what_changed_since_it_was_returned() {
    use crate::signatures::submitted_report;
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let id = submitted_report(&app, &p).await;
    let (signer, _) = Browser::login(&app, p.ids["signer"]).await;
    let (_, html) = signer.get(&format!("/documents/{id}")).await;
    assert!(html.contains("id=\"sign-off\"") && html.contains("Trình ký: Người dùng office"), "{html}");
    assert!(html.contains("Nơi nhận: TT. Đảng ủy; Lưu: VT") && !html.contains("Đã trả lại Văn phòng"), "{html}");

    // The page count is the PDF's, as poppler counts it, and each page is offered as
    // an image for a phone that cannot show the PDF.
    let (_, _, pdf) = app.act_as(p.token("signer")).get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    if let Some(info) = crate::poppler::run("pdfinfo", &[], &pdf) {
        let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
        assert!(html.contains(&format!("<li id=\"page-count\">Số trang: {pages}</li>")), "{pages} pages: {html}");
        assert!(html.contains(&format!("Xem từng trang dạng ảnh ({pages} trang)")));
        let first = format!("/documents/{id}/pages/1");
        assert!(html.contains(&first.replace('/', "&#x2f;")), "the image of page 1 on the page");
        let resp = app.client.get(format!("{first}?w=600")).header("cookie", &signer.cookie).send().await;
        assert_eq!(resp.0.status(), StatusCode::OK);
        assert_eq!(resp.0.headers()["content-type"], "image/png");
        let png = resp.0.into_body().into_bytes().await.unwrap();
        let img = image::load_from_memory(&png).expect("a PNG").to_luma8();
        assert_eq!(img.width(), 600);
        assert!((840..=860).contains(&img.height()), "A4 proportions: {}", img.height());
        let ink = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(ink > 2_000, "the page shows its text ({ink} dark pixels)");
        let (status, page) = signer.get(&format!("/documents/{id}/pages/{}", pages + 1)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("<html"), "an HTML error page");
        let (status, _) = Browser { app: &app, cookie: String::new() }.get(&first).await;
        assert_ne!(status, StatusCode::OK, "not without a session");
    }

    // Returned with a comment; the office changes the subject and the recipients, and submits again.
    app.act_as(p.token("signer"))
        .post(&format!("/api/v1/documents/{id}/send-back"), json!({"comment": "Bổ sung nơi nhận UBMTTQ."}))
        .await
        .expect(200);
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report",
        "subject": "Báo cáo kết quả thực hiện nhiệm vụ trọng tâm năm 2024 (bổ sung)",
        "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga",
        "signer_user_id": p.ids["signer"],
        "recipients": [{"label": "TT. Đảng ủy"}, {"label": "UBMTTQ"}, {"label": "Lưu: VT"}]});
    app.act_as(p.token("office")).put(&format!("/api/v1/documents/{id}"), body).await.expect(200);
    app.post(&format!("/api/v1/documents/{id}/submit"), json!({})).await.expect(200);
    let (_, html) = signer.get(&format!("/documents/{id}")).await;
    assert!(html.contains("Đã trả lại Văn phòng lúc") && html.contains("“Bổ sung nơi nhận UBMTTQ.”"), "{html}");
    assert!(html.contains("<strong id=\"changed\">Trích yếu, Nơi nhận</strong>"), "{html}");
    // The office does not get the signer's summary.
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, html) = office.get(&format!("/documents/{id}")).await;
    assert!(!html.contains("id=\"sign-off\""));
}

#[tokio::test]
async fn the_office_starts_an_empty_plan_for_a_year_from_the_plans_page() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let (b, _) = Browser::login(&app, people.ids["office"]).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/plans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Kế hoạch mới") && page.contains("Tạo kế hoạch"), "{page}");

    // A year in words, then the reference year again: said at the field / on the page,
    // with what was typed kept and nothing created.
    let fields = [("csrf", csrf.as_str()), ("year", "hai không hai bảy"), ("title", "Nhiệm vụ trọng tâm năm 2027")];
    let (status, page) = b.post("/plans", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-year\"") && page.contains("value=\"Nhiệm vụ trọng tâm năm 2027\""), "{page}");
    let (status, page) = b.post("/plans", &[("csrf", csrf.as_str()), ("year", "2024"), ("title", "Lần hai")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("banner error") && !page.contains(" / "), "one plan a year, said in Vietnamese: {page}");
    assert_eq!(app.get("/api/v1/plans").await.expect(200)["total"], 1, "nothing created");

    let fields = [
        ("csrf", csrf.as_str()),
        ("year", "2027"),
        ("title", "Nhiệm vụ trọng tâm năm 2027"),
        ("based_on", "Nghị quyết số 12/NQ-HĐND ngày 10/12/2026\n\n"),
    ];
    let resp = app
        .client
        .post("/plans")
        .header("cookie", &b.cookie)
        .content_type("application/x-www-form-urlencoded")
        .body(form(&fields))
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER);
    let to = resp.0.headers().get("location").unwrap().to_str().unwrap().to_owned();
    assert!(to.starts_with("/plans/") && to.contains("done=plan_created"), "{to}");
    let (_, page) = b.get(&to).await;
    assert!(page.contains("Đã tạo kế hoạch") && page.contains("id=\"no-groups\""), "{page}");
    let plans = app.get("/api/v1/plans?year=2027").await.expect(200);
    assert_eq!(plans["items"][0]["based_on"], json!(["Nghị quyết số 12/NQ-HĐND ngày 10/12/2026"]), "{plans}");

    // Not for a unit officer.
    let (u, _) = Browser::login(&app, people.ids["unit_officer"]).await;
    let (_, page) = u.get("/plans").await;
    assert!(!page.contains("Tạo kế hoạch"));
    let ucsrf = u.csrf().await;
    let (status, _) = u.post("/plans", &[("csrf", ucsrf.as_str()), ("year", "2028"), ("title", "x")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_office_copies_a_rubric_and_edits_its_bands_which_must_cover_every_score_once() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let (b, _) = Browser::login(&app, people.ids["office"]).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/rubrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("335") && page.contains(">từ 90<") && page.contains(">trên 90<"),
        "both presets in words: {page}"
    );
    assert!(page.contains(">từ 50 đến dưới 70<") && page.contains(">dưới 50<"), "{page}");
    let rubrics = app.get(&format!("/api/v1/rubrics?issuer_id={}", people.issuer)).await.expect(200);
    let state =
        rubrics["items"].as_array().unwrap().iter().find(|r| r["name"].as_str().unwrap().contains("335")).unwrap();
    let (status, form) = b.get(&format!("/rubrics/new?from={}", state["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Bản sao của Nghị định 335") && form.contains("value=\"90\""), "{form}");

    // Two bands that leave 50–59 to no one: refused, what was typed kept, nothing stored.
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", "Thang riêng của xã"),
        ("label_0", "Hoàn thành tốt"),
        ("lower_0", "60"),
        ("lower_inc_0", "on"),
        ("upper_0", "100"),
        ("upper_inc_0", "on"),
        ("label_1", "Không hoàn thành"),
        ("lower_1", ""),
        ("upper_1", "50"),
    ];
    let (status, page) = b.post("/rubrics", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-bands\"") && page.contains("Không mức nào chứa điểm"), "{page}");
    assert!(page.contains("value=\"Thang riêng của xã\"") && !page.contains(" / "), "{page}");
    fields[9] = ("upper_1", "một trăm");
    let (status, page) = b.post("/rubrics", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-upper_1\""), "a bound in words is named at its box: {page}");
    let before = app.get(&format!("/api/v1/rubrics?issuer_id={}", people.issuer)).await.expect(200)["total"].clone();

    fields[9] = ("upper_1", "60");
    let (status, _) = b.post("/rubrics", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let all = app.get(&format!("/api/v1/rubrics?issuer_id={}", people.issuer)).await.expect(200);
    assert_eq!(all["total"].as_u64().unwrap(), before.as_u64().unwrap() + 1);
    let mine = all["items"].as_array().unwrap().iter().find(|r| r["name"] == "Thang riêng của xã").unwrap().clone();
    assert_eq!(mine["bands"].as_array().unwrap().len(), 2);

    // Edited on its own form: the renamed rubric keeps its bands.
    let id = mine["id"].as_str().unwrap();
    let (_, form) = b.get(&format!("/rubrics/{id}")).await;
    assert!(form.contains("value=\"Hoàn thành tốt\""), "{form}");
    fields[1] = ("name", "Thang của xã (sửa)");
    assert_eq!(b.post(&format!("/rubrics/{id}"), &fields).await.0, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("/api/v1/rubrics/{id}")).await.expect(200)["name"], "Thang của xã (sửa)");

    // A unit officer has no such page.
    let (u, _) = Browser::login(&app, people.ids["unit_officer"]).await;
    assert_eq!(u.get("/rubrics").await.0, StatusCode::FORBIDDEN);
}
