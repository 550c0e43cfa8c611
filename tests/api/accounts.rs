//! Passwords in the browser: "forgot password" answers alike for every address,
//! a mailed link sets the password once and ends every session, invitations from
//! the people page and the API, and changing one's own password.

use chrono::Duration;
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, TestApp, form, spawn_app};
use nhiemvu::services::{accounts, now};
use nhiemvu::storage::entities::{outbox, users};

const NEW: &str = "mật khẩu mới rất dài";

/// The account mails queued for `to`: (subject, text).
async fn account_mail(app: &TestApp, to: &str) -> Vec<(String, String)> {
    outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("account"))
        .filter(outbox::Column::ToAddr.eq(to))
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.subject, m.text_body))
        .collect()
}

/// The secret of the one-time link in a mail's text.
fn secret_in(text: &str) -> String {
    let start = "https://nhiemvu.example.vn/password/";
    let at = text.find(start).unwrap_or_else(|| panic!("no link in {text}")) + start.len();
    let secret: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(secret.len(), 64, "{text}");
    secret
}

async fn anonymous_post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
    let resp = app.client.post(path).content_type("application/x-www-form-urlencoded").body(form(fields)).send().await;
    let status = resp.0.status();
    let location = resp.0.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    (status, resp.0.into_body().into_string().await.unwrap(), location)
}

async fn anonymous_get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app.client.get(path).send().await;
    let status = resp.0.status();
    (status, resp.0.into_body().into_string().await.unwrap())
}

async fn user_of(app: &TestApp, id: uuid::Uuid) -> users::Model {
    users::Entity::find_by_id(id).one(&app.db.conn).await.unwrap().unwrap()
}

/// Logs in through the form; the status and where it leads.
async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Option<String>) {
    let (status, _, location) = anonymous_post(app, "/login", &[("username", username), ("password", password)]).await;
    (status, location)
}

#[tokio::test]
async fn a_forgotten_password_is_answered_alike_for_any_address_and_its_link_works_once_and_ends_every_session() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (id, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let user = user_of(&app, id).await;
    let (old, _) = Browser::login(&app, id).await;
    assert_eq!(old.get("/").await.0, StatusCode::OK);

    let (login_status, login_page) = anonymous_get(&app, "/login").await;
    assert_eq!(login_status, StatusCode::OK);
    assert!(login_page.contains("href=\"/forgot\""), "the login page offers the way out");

    let known = anonymous_post(&app, "/forgot", &[("address", &user.email)]).await;
    let unknown = anonymous_post(&app, "/forgot", &[("address", "khong-co-ai@example.vn")]).await;
    let by_name = anonymous_post(&app, "/forgot", &[("address", "khong-co-ai")]).await;
    assert_eq!(known.0, StatusCode::OK);
    assert_eq!(known, unknown, "known and unknown addresses get the very same page");
    assert_eq!(known, by_name);
    assert!(known.1.contains("thư hướng dẫn đặt lại mật khẩu"), "{}", known.1);
    let (empty, page, _) = anonymous_post(&app, "/forgot", &[("address", "  ")]).await;
    assert_eq!(empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Nhập tên đăng nhập hoặc địa chỉ e-mail"), "{page}");

    // Asking again at once, by login name this time, sends nothing more.
    anonymous_post(&app, "/forgot", &[("address", &user.username)]).await;
    let mails = account_mail(&app, &user.email).await;
    assert_eq!(mails.len(), 1, "one mail for two requests within the pause: {mails:?}");
    let (subject, text) = &mails[0];
    assert!(subject.contains("Đặt lại mật khẩu"), "{subject}");
    assert!(text.contains(&user.username), "{text}");
    let secret = secret_in(text);

    let (status, page) = anonymous_get(&app, &format!("/password/{secret}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&user.username), "{page}");
    let path = format!("/password/{secret}");
    let (status, page, _) = anonymous_post(&app, &path, &[("password", NEW), ("repeat", "khác hẳn mật khẩu")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("không giống nhau"), "{page}");
    let (status, page, _) = anonymous_post(&app, &path, &[("password", "ngắn"), ("repeat", "ngắn")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ít nhất") && !page.contains(" / "), "Vietnamese only: {page}");
    // Still the old password: a refused attempt changes nothing.
    assert_eq!(login(&app, &user.username, PASSWORD).await.0, StatusCode::SEE_OTHER);

    let (status, _, to) = anonymous_post(&app, &path, &[("password", NEW), ("repeat", NEW)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = anonymous_get(&app, to.as_deref().unwrap()).await;
    assert!(page.contains("Đã đặt mật khẩu") && page.contains(&format!("value=\"{}\"", user.username)), "{page}");
    assert_eq!(old.get("/").await.0, StatusCode::SEE_OTHER, "the session from before the reset has ended");
    assert_eq!(login(&app, &user.username, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, &user.username, NEW).await.0, StatusCode::SEE_OTHER);

    // Once only.
    let (status, page) = anonymous_get(&app, &path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("đã được dùng"), "{page}");
    let (status, _, _) =
        anonymous_post(&app, &path, &[("password", "một mật khẩu khác nữa"), ("repeat", "một mật khẩu khác nữa")])
            .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(login(&app, &user.username, NEW).await.0, StatusCode::SEE_OTHER);
    // A made-up link is the same dead end.
    assert_eq!(anonymous_get(&app, &format!("/password/{}", "ab".repeat(32))).await.0, StatusCode::GONE);
    assert_eq!(anonymous_get(&app, "/password/x").await.0, StatusCode::GONE);
}

#[tokio::test]
async fn an_administrator_invites_people_from_the_page_and_the_link_works_once_before_it_expires() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let unit = app.unit(&issuer, "VP").await;
    let (admin, admin_token) = app.user(issuer.parse().unwrap(), "admin", None).await;
    let (b, _) = Browser::login(&app, admin).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thêm và gửi thư mời"), "{page}");

    // A unit officer needs a unit: refused, with what was typed kept.
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", "Hoàng Văn Lâm"),
        ("username", "lam.hv"),
        ("email", "lam.hv@example.vn"),
        ("role", "unit_officer"),
        ("unit_id", ""),
    ];
    let (status, page) = b.post("/admin/users", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Cán bộ đơn vị phải thuộc một đơn vị") && page.contains("value=\"lam.hv\""), "{page}");
    assert!(account_mail(&app, "lam.hv@example.vn").await.is_empty(), "nothing half-done");
    fields[5] = ("unit_id", unit.as_str());
    let (status, page) = b.post("/admin/users", &fields).await;
    // This server sends no mail: the page hands the link over (the message still waits in the outbox).
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"handover\"") && page.contains("Hoàng Văn Lâm"), "{page}");
    let (_, page) = b.get("/admin/users").await;
    assert!(page.contains("Hoàng Văn Lâm") && page.contains("lam.hv@example.vn"), "{page}");
    // Not through the page without the form's token.
    let (status, _) = b.post("/admin/users", &fields[1..]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A taken login name is said at its field; an invitation needs an address.
    let (status, page) = b.post("/admin/users", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-username\"") && page.contains("Tên đăng nhập đã tồn tại"), "{page}");
    let mut no_address = fields.clone();
    no_address[2] = ("username", "lan.nt");
    no_address[3] = ("email", "");
    let (status, page) = b.post("/admin/users", &no_address).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Cần địa chỉ e-mail để gửi thư mời"), "{page}");

    let mails = account_mail(&app, "lam.hv@example.vn").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].0.starts_with("Mời sử dụng"), "{}", mails[0].0);
    let secret = secret_in(&mails[0].1);

    // After seven days the link is dead; before, it works once.
    let later = now() + Duration::days(accounts::INVITE_DAYS) + Duration::minutes(1);
    assert!(accounts::link_holder(&app.db, later, &secret).await.is_err());
    assert!(accounts::use_link(&app.db, later, &secret, NEW, None).await.is_err());
    let path = format!("/password/{secret}");
    let (status, page) = anonymous_get(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Hoàng Văn Lâm") && page.contains("lam.hv"), "{page}");
    let (status, _, _) = anonymous_post(&app, &path, &[("password", NEW), ("repeat", NEW)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(login(&app, "lam.hv", NEW).await, (StatusCode::SEE_OTHER, Some("/inbox".to_owned())));
    assert_eq!(anonymous_get(&app, &path).await.0, StatusCode::GONE);

    // The API mails a new invitation, to administrators only, and needs an address.
    app.act_as(&admin_token);
    let lam =
        users::Entity::find().filter(users::Column::Username.eq("lam.hv")).one(&app.db.conn).await.unwrap().unwrap();
    app.post(&format!("/api/v1/users/{}/invitation", lam.id), json!(null)).await.expect(202);
    assert_eq!(account_mail(&app, "lam.hv@example.vn").await.len(), 2);
    let (_, officer_token) = app.user(issuer.parse().unwrap(), "office", None).await;
    app.act_as(&officer_token);
    app.post(&format!("/api/v1/users/{}/invitation", lam.id), json!(null)).await.expect_error(403, "forbidden", None);
    assert_eq!(account_mail(&app, "lam.hv@example.vn").await.len(), 2);
}

#[tokio::test]
async fn changing_ones_own_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (id, _) = app.user(issuer.parse().unwrap(), "signer", None).await;
    let username = user_of(&app, id).await.username;
    let (here, _) = Browser::login(&app, id).await;
    let (phone, _) = Browser::login(&app, id).await;
    let csrf = here.csrf().await;
    let (status, page) = here.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Đổi mật khẩu") && page.contains(&username), "{page}");

    let wrong = [("csrf", csrf.as_str()), ("current", "không phải"), ("new", NEW), ("repeat", NEW)];
    let (status, page) = here.post("/account", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Mật khẩu hiện tại không đúng") && !page.contains("current password"), "{page}");
    let (status, _) = here.post("/account", &[("current", PASSWORD), ("new", NEW), ("repeat", NEW)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the form's token is required");
    assert_eq!(phone.get("/").await.0, StatusCode::OK, "nothing changed yet");

    let right = [("csrf", csrf.as_str()), ("current", PASSWORD), ("new", NEW), ("repeat", NEW)];
    let (status, _) = here.post("/account", &right).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = here.get("/account?done=password_changed").await;
    assert_eq!(status, StatusCode::OK, "this session goes on");
    assert!(page.contains("Đã đổi mật khẩu"), "{page}");
    assert_eq!(phone.get("/").await.0, StatusCode::SEE_OTHER, "the other session has ended");
    assert_eq!(login(&app, &username, NEW).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_setup_link_creates_the_issuer_and_first_administrator_once() {
    let app = crate::helpers::spawn_empty_app(nhiemvu::services::signatures::Signing::disabled()).await;
    assert_eq!(
        anonymous_get(&app, &format!("/setup/{}", "ab".repeat(32))).await.0,
        StatusCode::GONE,
        "closed until opened"
    );
    let secret = app.setup.open();
    let path = format!("/setup/{secret}");
    assert_eq!(
        anonymous_get(&app, &format!("/setup/{}", "ab".repeat(32))).await.0,
        StatusCode::GONE,
        "only its own secret"
    );
    let (status, page) = anonymous_get(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thiết lập lần đầu") && page.contains("ỦY BAN NHÂN DÂN"), "{page}");

    let mut fields = vec![
        ("name_lines", "ỦY BAN NHÂN DÂN\r\nXÃ TÂN HƯƠNG\r\n"),
        ("parent_lines", ""),
        ("full_name", "Ủy ban nhân dân xã Tân Hương"),
        ("short_name", "UBND xã"),
        ("abbreviation", "UBND"),
        ("place_name", "Tân Hương"),
        ("code", "Xã Tân Hương"),
        ("collective_title", "ỦY BAN NHÂN DÂN"),
        ("head_title", "CHỦ TỊCH"),
        ("deputy_title", "PHÓ CHỦ TỊCH"),
        ("subordinates_name", ""),
        ("name", "Nguyễn Thị Hoa"),
        ("username", "hoa.nt"),
        ("email", "không phải địa chỉ"),
        ("password", NEW),
        ("repeat", "gõ lại sai mật khẩu"),
    ];
    // Every problem at once, in Vietnamese, with what was typed kept (but never a password).
    let (status, page, _) = anonymous_post(&app, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["code", "email", "repeat"] {
        assert!(page.contains(&format!("id=\"err-{field}\"")), "{field} in the same answer: {page}");
    }
    assert!(page.contains("Ủy ban nhân dân xã Tân Hương") && !page.contains(NEW), "{page}");
    assert!(!page.contains(" / "), "Vietnamese only: {page}");
    assert!(nhiemvu::services::setup::needs_setup(&app.db).await.unwrap(), "nothing half-made");

    fields[6] = ("code", "xa-tan-huong");
    fields[13] = ("email", "hoa.nt@tanhuong.example.vn");
    fields[15] = ("repeat", NEW);
    let (status, _, to) = anonymous_post(&app, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = anonymous_get(&app, to.as_deref().unwrap()).await;
    assert!(page.contains("Đã thiết lập xong") && page.contains("value=\"hoa.nt\""), "{page}");
    let (status, to) = login(&app, "hoa.nt", NEW).await;
    assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    let issuers = nhiemvu::storage::entities::issuers::Entity::find().all(&app.db.conn).await.unwrap();
    assert_eq!(issuers.len(), 1);
    assert_eq!(issuers[0].place_name, "Tân Hương");
    let rubrics = nhiemvu::storage::entities::rubrics::Entity::find().all(&app.db.conn).await.unwrap();
    assert!(!rubrics.is_empty(), "the new issuer has its preset rubrics");

    // Once: the link is dead, and another opened gate cannot make a second administrator.
    assert_eq!(anonymous_get(&app, &path).await.0, StatusCode::GONE);
    let again = app.setup.open();
    fields[12] = ("username", "ke-khac");
    let (status, _, _) = anonymous_post(&app, &format!("/setup/{again}"), &fields).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(users::Entity::find().all(&app.db.conn).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_administrator_pastes_a_list_of_units_and_a_bad_line_adds_none() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    app.unit(&issuer, "VP").await;
    let (admin, _) = app.user(issuer.parse().unwrap(), "admin", None).await;
    let (b, _) = Browser::login(&app, admin).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/admin/units").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Mỗi dòng một đơn vị"), "{page}");

    let bad = "TC-KH\tPhòng Tài chính - Kế hoạch\ttckh@example.vn\n\
               NN | Phòng Nông nghiệp | không-phải-thư\n\
               TC-KH | Trùng tên viết tắt\n\
               VP | Văn phòng trùng với đơn vị đã có\n";
    let (status, page) = b.post("/admin/units", &[("csrf", &csrf), ("kind", "department"), ("list", bad)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Dòng 2, e-mail: Địa chỉ e-mail không hợp lệ"), "{page}");
    assert!(page.contains("Dòng 3: tên viết tắt “TC-KH” trùng"), "{page}");
    assert!(!page.contains(" / ") && !page.contains("line 2"), "Vietnamese only: {page}");
    assert!(page.contains("Phòng Nông nghiệp | không-phải-thư"), "what was pasted is kept: {page}");
    let count = || async { nhiemvu::storage::entities::units::Entity::find().all(&app.db.conn).await.unwrap().len() };
    assert_eq!(count().await, 1, "nothing added");

    // Fixed except for the unit that already exists: refused as a whole, naming it.
    let almost = "TC-KH\tPhòng Tài chính - Kế hoạch\ttckh@example.vn\nVP | Văn phòng trùng với đơn vị đã có\n";
    let (status, page) = b.post("/admin/units", &[("csrf", &csrf), ("kind", "department"), ("list", almost)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Đã có đơn vị tên viết tắt “VP”"), "{page}");
    assert_eq!(count().await, 1, "all or nothing");

    let good = "TC-KH\tPhòng Tài chính - Kế hoạch\ttckh@example.vn\n\
                NN | Phòng Nông nghiệp và Môi trường | nn@example.vn, nn2@example.vn\n\
                Xã A; Ủy ban nhân dân xã A\n\
                Xã B; Ủy ban nhân dân xã B\n\
                Xã C; Ủy ban nhân dân xã C\n";
    let (status, _) = b.post("/admin/units", &[("csrf", &csrf), ("kind", "commune"), ("list", good)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(count().await, 6);
    let (_, page) = b.get("/admin/units?done=units_added").await;
    assert!(page.contains("Đã thêm các đơn vị") && page.contains("nn@example.vn, nn2@example.vn"), "{page}");
    assert!(page.contains("Xã, phường, thị trấn") && !page.contains(">commune<"), "{page}");
    let listed = app.get(&format!("/api/v1/units?issuer_id={issuer}&per_page=100")).await.expect(200);
    assert_eq!(listed["total"], 6);
}

#[tokio::test]
async fn the_mail_test_says_in_plain_words_whether_the_smtp_server_took_the_message() {
    let Some(mut smtp) = crate::smtp::SmtpServer::start() else { return };
    let mut app = spawn_app().await;
    app.set_mailer(std::sync::Arc::new(smtp.mailer()));
    let p = app.demo_people().await;
    let (admin, _) = Browser::login(&app, app.admin_id()).await;
    let csrf = admin.csrf().await;
    let (status, page) = admin.get("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Gửi thư thử"), "{page}");

    let (status, page) = admin.post("/admin/outbox/test", &[("csrf", &csrf), ("to", "không phải thư")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Địa chỉ e-mail không hợp lệ") && page.contains("value=\"không phải thư\""), "{page}");

    let (status, page) =
        admin.post("/admin/outbox/test", &[("csrf", &csrf), ("to", "thu-thu@bacson.example.vn")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Máy chủ thư đã nhận thư thử gửi tới thu-thu@bacson.example.vn"), "{page}");
    let got = smtp.messages();
    assert_eq!(got.len(), 1, "the SMTP server received it");
    assert!(String::from_utf8_lossy(&got[0]).contains("thu-thu@bacson.example.vn"));

    smtp.stop();
    let (status, page) =
        admin.post("/admin/outbox/test", &[("csrf", &csrf), ("to", "thu-thu@bacson.example.vn")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Không kết nối được tới máy chủ thư") && page.contains("id=\"mail-test-result\""), "{page}");
    let (_, log) = admin.get("/admin/audit").await;
    assert!(log.contains("Gửi thư thử"), "audited: {log}");

    // The office reads its own outbox but does not run the test.
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (status, page) = office.get("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Gửi thư thử"), "{page}");
    let office_csrf = office.csrf().await;
    let (status, _) = office.post("/admin/outbox/test", &[("csrf", &office_csrf), ("to", "a@example.vn")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_office_sees_its_own_issuers_mail_only() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let other = app.other_issuer("xa-khac").await;
    let (stranger, _) = app.user(other.parse().unwrap(), "office", None).await;
    // An invitation for someone of the demo issuer: its office sees it, another issuer's does not.
    let id = p.ids["viewer"];
    app.post(&format!("/api/v1/users/{id}/invitation"), json!(null)).await.expect(202);
    let address = user_of(&app, id).await.email;
    let (office, _) = Browser::login(&app, p.ids["office"]).await;
    let (_, page) = office.get("/admin/outbox").await;
    assert!(page.contains(&address), "{page}");
    let (b, _) = Browser::login(&app, stranger).await;
    let (status, page) = b.get("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&address), "{page}");
}

#[tokio::test]
async fn an_administrator_changes_the_issuers_printed_lines_on_its_page() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let (admin, _) = app.user(issuer.parse().unwrap(), "admin", None).await;
    let (b, _) = Browser::login(&app, admin).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/admin/issuer").await;
    assert_eq!(status, StatusCode::OK);
    let before = app.get(&format!("/api/v1/issuers/{issuer}")).await.expect(200);
    let place = before["place_name"].as_str().unwrap();
    assert!(page.contains(&format!("value=\"{place}\"")), "the stored values fill the form: {page}");

    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name_lines", "ỦY BAN NHÂN DÂN\nXÃ TÂN HƯƠNG"),
        ("parent_lines", "ỦY BAN NHÂN DÂN"),
        ("full_name", "Ủy ban nhân dân xã Tân Hương"),
        ("short_name", "UBND xã"),
        ("abbreviation", "UBND"),
        ("place_name", "Tân Hương"),
        ("code", "xa-a"),
        ("collective_title", "ỦY BAN NHÂN DÂN"),
        ("head_title", "CHỦ TỊCH"),
        ("deputy_title", "PHÓ CHỦ TỊCH"),
        ("subordinates_name", ""),
    ];
    let (status, page) = b.post("/admin/issuer", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-parent_lines\"") && page.contains("Tân Hương"), "{page}");
    assert_eq!(app.get(&format!("/api/v1/issuers/{issuer}")).await.expect(200)["place_name"], before["place_name"]);
    fields[2] = ("parent_lines", "");
    let (status, _) = b.post("/admin/issuer", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = app.get(&format!("/api/v1/issuers/{issuer}")).await.expect(200);
    assert_eq!(after["place_name"], "Tân Hương");
    assert_eq!(after["name_lines"], json!(["ỦY BAN NHÂN DÂN", "XÃ TÂN HƯƠNG"]));
    // Not for the office.
    let (office, _) = app.user(issuer.parse().unwrap(), "office", None).await;
    let (o, _) = Browser::login(&app, office).await;
    assert_eq!(o.get("/admin/issuer").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_unit_or_person_with_history_is_deactivated_not_deleted_and_kept_out_of_new_work() {
    use nhiemvu::storage::entities::audit_events;
    let app = spawn_app().await;
    let people = app.demo_people().await;
    // The demo issuer's own administrator.
    let (admin_id, admin) = app.user(people.issuer.parse().unwrap(), "admin", None).await;
    let admin = admin.as_str();
    let tckh = people.tckh.clone();
    app.act_as(admin);

    // TC-KH leads tasks: it cannot be deleted, and the answer says what to do instead.
    let refused = app.delete(&format!("/api/v1/units/{tckh}")).await.expect_error(409, "unit_has_tasks", None);
    assert!(refused["message"].as_str().unwrap().contains("ngừng hoạt động"), "{refused}");

    // The administrator deactivates it from the units page.
    let (b, _) = Browser::login(&app, admin_id).await;
    let csrf = b.csrf().await;
    let path = format!("/admin/units/{tckh}/deactivate");
    assert_eq!(b.post(&path, &[]).await.0, StatusCode::FORBIDDEN, "not without the form's token");
    assert_eq!(b.post(&path, &[("csrf", csrf.as_str())]).await.0, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/admin/units").await;
    assert!(page.contains("Ngừng hoạt động từ") && page.contains("Cho hoạt động lại"), "{page}");
    let unit = app.get(&format!("/api/v1/units/{tckh}")).await.expect(200);
    assert!(unit["deactivated_at"].is_string(), "{unit}");

    // Its tasks keep it; a new task or user cannot be given it.
    let tasks = app.get(&format!("/api/v1/tasks?plan_id={}&per_page=100", people.plan)).await.expect(200);
    let led = tasks["items"].as_array().unwrap().iter().find(|t| t["lead_unit_id"] == tckh.as_str()).unwrap().clone();
    let mut input = json!({});
    for k in ["group_id", "code", "text", "lead_unit_id", "deadline", "cooperating_unit_ids", "position"] {
        input[k] = led[k].clone();
    }
    input["text"] = json!("Vẫn do đơn vị cũ chủ trì");
    app.put(&format!("/api/v1/tasks/{}", led["id"].as_str().unwrap()), input.clone()).await.expect(200);
    input["code"] = json!("9.9");
    input.as_object_mut().unwrap().remove("position");
    let e = app.post("/api/v1/tasks", input).await.expect_error(422, "validation_failed", Some("lead_unit_id"));
    assert!(e["fields"]["lead_unit_id"].as_str().unwrap().contains("ngừng hoạt động"), "{e}");
    let person = json!({"issuer_id": people.issuer, "username": "moi.tckh", "name": "Người mới", "email": "moi@example.vn",
        "unit_id": tckh, "role": "unit_officer"});
    app.post("/api/v1/users", person).await.expect_error(422, "validation_failed", Some("unit_id"));
    let (_, form) = b.get(&format!("/tasks/{}/edit", led["id"].as_str().unwrap())).await;
    assert!(form.contains("(đã ngừng hoạt động)"), "the task's own unit is still shown, marked: {form}");
    let (_, users_page) = b.get("/admin/users").await;
    assert!(!users_page.contains(&format!("<option value=\"{tckh}\"")), "not offered for a new person");

    // Brought back, it is offered again.
    let back = app.delete(&format!("/api/v1/units/{tckh}/deactivation")).await.expect(200);
    assert!(back.get("deactivated_at").is_none_or(|v| v.is_null()), "{back}");

    // A person: their token stops working at once, they cannot log in, no link reaches them.
    let officer = people.ids["unit_officer"];
    let officer_token = people.token("unit_officer").to_owned();
    app.act_as(&officer_token);
    app.get(&format!("/api/v1/users/{officer}")).await.expect(200);
    app.act_as(people.token("office"));
    app.post(&format!("/api/v1/users/{officer}/deactivation"), json!(null)).await.expect_error(403, "forbidden", None);
    app.act_as(admin);
    app.post(&format!("/api/v1/users/{admin_id}/deactivation"), json!(null)).await.expect_error(
        409,
        "cannot_deactivate_self",
        None,
    );
    let closed = app.post(&format!("/api/v1/users/{officer}/deactivation"), json!(null)).await.expect(200);
    assert!(closed["deactivated_at"].is_string(), "{closed}");
    app.act_as(&officer_token);
    app.get(&format!("/api/v1/users/{officer}")).await.expect_error(401, "unauthorized", None);
    let username = user_of(&app, officer).await.username;
    let (status, page, _) =
        anonymous_post(&app, "/login", &[("username", username.as_str()), ("password", crate::helpers::PASSWORD)])
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Tài khoản này đã bị khóa"), "{page}");
    let (status, _) = login(&app, &username, "sai mật khẩu rồi nhé").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong password says nothing about the account");
    app.act_as(admin);
    app.post(&format!("/api/v1/users/{officer}/invitation"), json!(null)).await.expect_error(
        409,
        "user_inactive",
        None,
    );
    let address = user_of(&app, officer).await.email;
    anonymous_post(&app, "/forgot", &[("address", address.as_str())]).await;
    assert!(account_mail(&app, &address).await.is_empty(), "no link for a closed account");
    let (_, page) = b.get("/admin/users").await;
    assert!(page.contains("Đã khóa từ") && page.contains("Mở lại tài khoản"), "{page}");

    // Reopened from the page, the old password works again.
    assert_eq!(
        b.post(&format!("/admin/users/{officer}/reactivate"), &[("csrf", csrf.as_str())]).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        login(&app, &username, crate::helpers::PASSWORD).await,
        (StatusCode::SEE_OTHER, Some("/inbox".to_owned()))
    );

    // Every step is in the audit log.
    let actions: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::Action.is_in(["deactivate", "reactivate"]))
        .order_by_asc(audit_events::Column::Seq)
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.entity))
        .collect();
    assert_eq!(actions, ["deactivate units", "reactivate units", "deactivate users", "reactivate users"]);
}

#[tokio::test]
async fn a_person_changes_their_own_address_and_a_signer_puts_a_signature_image_on_file() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-b").await;
    let (signer, _) = app.user(issuer.parse().unwrap(), "signer", None).await;
    let (b, _) = Browser::login(&app, signer).await;
    let csrf = b.csrf().await;
    let (status, page) = b.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Chưa có ảnh chữ ký") && page.contains(&user_of(&app, signer).await.email), "{page}");

    let (status, page) = b.post("/account/email", &[("csrf", csrf.as_str()), ("email", "không phải địa chỉ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-email\"") && page.contains("value=\"không phải địa chỉ\""), "{page}");
    assert_eq!(b.post("/account/email", &[("email", "x@example.vn")]).await.0, StatusCode::FORBIDDEN);
    let (status, _) =
        b.post("/account/email", &[("csrf", csrf.as_str()), ("email", " chu.tich@xa-b.example.vn ")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(user_of(&app, signer).await.email, "chu.tich@xa-b.example.vn");

    // The page's uploader sends the PNG as the API takes it, with the session's token.
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signature.png")).unwrap();
    let put = |body: Vec<u8>, token: &str| {
        app.client
            .put(format!("/api/v1/users/{signer}/signature-image"))
            .header("cookie", &b.cookie)
            .header("x-csrf-token", token)
            .content_type("application/octet-stream")
            .body(body)
            .send()
    };
    assert_eq!(put(png.clone(), "wrong").await.0.status(), StatusCode::FORBIDDEN);
    assert_eq!(put(b"GIF89a".to_vec(), &csrf).await.0.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(put(png, &csrf).await.0.status().is_success());
    let (_, page) = b.get("/account").await;
    assert!(page.contains("Đã có ảnh chữ ký"), "{page}");
    let me = app.act_as(&app.admin_token()).get(&format!("/api/v1/users/{signer}")).await.expect(200);
    assert_eq!(me["has_signature_image"], true);
}

#[tokio::test]
async fn an_administrator_edits_a_unit_and_a_person_on_their_pages_and_sees_what_each_signer_lacks() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let (admin_id, _) = app.user(people.issuer.parse().unwrap(), "admin", None).await;
    let (b, _) = Browser::login(&app, admin_id).await;
    let csrf = b.csrf().await;
    let tckh = people.tckh.clone();

    // A unit: a bad address is said at its box with what was typed kept; then saved.
    let (status, form) = b.get(&format!("/admin/units/{tckh}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"TC-KH\""), "{form}");
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("short_name", "TC-KH"),
        ("name", "Phòng Tài chính - Kế hoạch xã"),
        ("kind", "department"),
        ("emails", "tckh@example.vn\nkhông phải thư"),
    ];
    let (status, page) = b.post(&format!("/admin/units/{tckh}"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-emails\"") && page.contains("Phòng Tài chính - Kế hoạch xã"), "{page}");
    fields[4] = ("emails", "tckh@example.vn\n\nketoan@example.vn");
    assert_eq!(b.post(&format!("/admin/units/{tckh}"), &fields).await.0, StatusCode::SEE_OTHER);
    let unit = app.get(&format!("/api/v1/units/{tckh}")).await.expect(200);
    assert_eq!(
        (unit["name"].as_str(), unit["emails"].clone()),
        (Some("Phòng Tài chính - Kế hoạch xã"), json!(["tckh@example.vn", "ketoan@example.vn"]))
    );

    // A person: a unit officer without a unit is refused at the field; a new name is saved.
    let officer = people.ids["unit_officer"];
    let (_, form) = b.get(&format!("/admin/users/{officer}")).await;
    let username = user_of(&app, officer).await.username;
    assert!(form.contains(&format!("value=\"{username}\"")), "{form}");
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", "Đỗ Thị Mai"),
        ("username", username.as_str()),
        ("email", "mai.dt@example.vn"),
        ("role", "unit_officer"),
        ("unit_id", ""),
    ];
    let (status, page) = b.post(&format!("/admin/users/{officer}"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"err-unit_id\"") && page.contains("value=\"Đỗ Thị Mai\""), "{page}");
    fields[5] = ("unit_id", tckh.as_str());
    assert_eq!(b.post(&format!("/admin/users/{officer}"), &fields).await.0, StatusCode::SEE_OTHER);
    assert_eq!(user_of(&app, officer).await.name, "Đỗ Thị Mai");
    assert_eq!(b.post(&format!("/admin/users/{officer}"), &fields[1..]).await.0, StatusCode::FORBIDDEN);

    // The keys page says, for the body and each signer, what is still missing.
    let (status, page) = b.get("/admin/keys").await;
    assert_eq!(status, StatusCode::OK);
    let signer = people.ids["signer"].to_string();
    let row = page.split(&format!("data-holder=\"{signer}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("Chữ ký: chưa có") && row.contains("ảnh chữ ký"), "{row}");
}
