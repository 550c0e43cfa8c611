//! `spawn_app()`: a fresh database with migrations applied and the HTTP
//! application in process, plus small JSON request helpers.

use nhiemvu::services::Clock;
use std::sync::{Arc, OnceLock};

use nhiemvu::render::Renderer;
use nhiemvu::services::now;
use nhiemvu::state::AppState;
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

/// The password every test user gets.
pub const PASSWORD: &str = "mật khẩu thử nghiệm";
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{Value, json};
use std::time::Duration;

/// A running application over its own database, called as an office's
/// administrator unless a test says otherwise: the first account's office ("host"),
/// or once the reference year is loaded, its office.
pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static>>,
    pub db: Db,
    /// Where evidence, images and issued PDFs are stored.
    pub files_dir: std::path::PathBuf,
    /// The file store itself.
    pub files: Arc<dyn nhiemvu::storage::files::BlobStore>,
    /// The office administrator's API token (the default caller) and id.
    admin: std::cell::RefCell<(String, uuid::Uuid)>,
    /// The server administrator's API token: the first account, administrator of
    /// "host" and of the server (as the first-run setup makes it).
    pub server_token: String,
    /// The database URL.
    pub url: String,
    /// The first-run setup link of this instance.
    pub setup: nhiemvu::services::setup::SetupGate,
    token: std::cell::RefCell<String>,
    _dir: tempfile::TempDir,
}

/// The largest evidence upload in tests (small, so the limit is cheap to exceed).
pub const TEST_UPLOAD_LIMIT: u64 = 256 * 1024;

/// A response: status and JSON body (Null when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self.body
    }

    /// Asserts an error reply: status, stable code, and (if given) the field named.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str, field: Option<&str>) -> Value {
        let body = self.expect(status);
        assert_eq!(body["code"], code, "error code; body: {body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains(" / ")), "bilingual message: {body}");
        if let Some(f) = field {
            assert!(body["fields"][f].is_string(), "field {f} named in {body}");
        }
        body
    }
}

/// Starts the application on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(nhiemvu::services::signatures::Signing::disabled()).await
}

/// Starts the application with these signing keys and trusted roots.
pub async fn spawn_app_with(signing: nhiemvu::services::signatures::Signing) -> TestApp {
    spawn_app_at(signing, Clock::system()).await
}

/// Starts the application on a fresh database whose pages and figures read `clock`.
pub async fn spawn_app_at(signing: nhiemvu::services::signatures::Signing, clock: Clock) -> TestApp {
    let mut app = spawn_office(signing, clock).await;
    let host = nhiemvu::services::issuers::create_issuer(&app.db, &Actor::system(), now(), issuer_input("host"))
        .await
        .expect("host issuer");
    let (admin_id, token) = app.user(host.id, "admin", None).await;
    nhiemvu::storage::users::save(
        &app.db.conn,
        nhiemvu::storage::users::Model {
            server_admin: true,
            ..nhiemvu::storage::users::get(&app.db.conn, admin_id).await.expect("first account")
        },
    )
    .await
    .expect("server administrator");
    *app.admin.borrow_mut() = (token.clone(), admin_id);
    app.server_token = token.clone();
    *app.token.borrow_mut() = token;
    app
}

/// The application on a database with no issuer and no user, as a new office's
/// server first starts.
pub async fn spawn_empty_app(signing: nhiemvu::services::signatures::Signing) -> TestApp {
    spawn_office(signing, Clock::system()).await
}

async fn spawn_office(signing: nhiemvu::services::signatures::Signing, clock: Clock) -> TestApp {
    // The server's warnings and errors go to the test's own output, so a failing
    // test shows why the server answered as it did.
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => fresh_postgres(&base).await,
        _ => format!("sqlite://{}?mode=rwc", dir.path().join("test.sqlite").display()),
    };
    let db = Db::connect(&url, 8, Duration::from_secs(30)).await.expect("database");
    let files_dir = dir.path().join("files");
    // Files live where the server would keep them: in PostgreSQL's `blobs` table, or
    // under the data folder on SQLite.
    let files = nhiemvu::storage::files::for_database(&url, &files_dir).expect("file store");
    let state = AppState {
        db: db.clone(),
        renderer: renderer(),
        files: files.clone(),
        max_upload_bytes: TEST_UPLOAD_LIMIT,
        secure_cookies: true,
        public_url: "https://nhiemvu.example.vn".into(),
        signing: Arc::new(signing),
        setup: Default::default(),
        mailer: None,
        reminders: Default::default(),
        clock,
    };
    let setup = state.setup.clone();
    let client = TestClient::new(nhiemvu::app::router(state));
    TestApp {
        client,
        db,
        files_dir,
        files,
        admin: std::cell::RefCell::new((String::new(), uuid::Uuid::nil())),
        server_token: String::new(),
        url: url.clone(),
        setup,
        token: std::cell::RefCell::new(String::new()),
        _dir: dir,
    }
}

fn issuer_input(code: &str) -> nhiemvu::model::IssuerInput {
    serde_json::from_value(issuer_json(code)).expect("issuer input")
}

/// The bundled templates and fonts, loaded once for all tests.
pub fn renderer() -> Arc<Renderer> {
    static RENDERER: OnceLock<Arc<Renderer>> = OnceLock::new();
    RENDERER.get_or_init(|| Arc::new(Renderer::new(None, None).expect("bundled templates and fonts"))).clone()
}

/// Creates `test_<uuid>` on the server named by `base` and returns its URL.
async fn fresh_postgres(base: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let admin = Database::connect(base).await.expect("postgres admin connection");
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("database URL ends with /dbname");
    format!("{prefix}/{name}")
}

impl TestApp {
    /// Creates a user with a password ("mật khẩu thử nghiệm") and an API token; returns (id, token).
    pub async fn user(&self, issuer_id: uuid::Uuid, role: &str, unit_id: Option<uuid::Uuid>) -> (uuid::Uuid, String) {
        use nhiemvu::services::{auth, users};
        let username = format!("{role}-{}", uuid::Uuid::now_v7().simple());
        let input = nhiemvu::model::UserInput {
            issuer_id,
            username: username.clone(),
            // The signer is the chairman the test certificates name.
            name: if role == "signer" { "Phùng Thị Thanh Nga".into() } else { format!("Người dùng {role}") },
            email: format!("{username}@example.vn"),
            unit_id,
            role: role.into(),
        };
        let user = users::create_user(&self.db, &Actor::system(), now(), input).await.expect("user");
        auth::set_password(&self.db, &Actor::system(), now(), user.id, PASSWORD, None).await.expect("password");
        let actor = Actor {
            user_id: Some(user.id),
            client_addr: None,
            seen_rev: None,
            role: role.parse().ok(),
            issuer_id: Some(issuer_id),
            unit_id,
            server_admin: false,
        };
        let token = auth::create_token(&self.db, &actor, now(), "tests").await.expect("token").token;
        (user.id, token)
    }

    /// Runs the following requests as the holder of `token` (until `as_admin`).
    pub fn act_as(&self, token: &str) -> &Self {
        *self.token.borrow_mut() = token.to_owned();
        self
    }

    /// Back to the office's administrator.
    pub fn as_admin(&self) -> &Self {
        self.act_as(&self.admin_token())
    }

    /// As the server administrator.
    pub fn as_server_admin(&self) -> &Self {
        self.act_as(&self.server_token.clone())
    }

    /// The office administrator's API token.
    pub fn admin_token(&self) -> String {
        self.admin.borrow().0.clone()
    }

    /// The office administrator.
    pub fn admin_id(&self) -> uuid::Uuid {
        self.admin.borrow().1
    }

    /// From now on the default caller is a new administrator of `issuer_id` (and the
    /// current caller too); returns its token.
    pub async fn administer(&self, issuer_id: &str) -> String {
        let (id, token) = self.user(issuer_id.parse().expect("issuer id"), "admin", None).await;
        *self.admin.borrow_mut() = (token.clone(), id);
        self.act_as(&token);
        token
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token.borrow())
    }

    async fn reply(resp: poem::test::TestResponse) -> Reply {
        let status = resp.0.status();
        let bytes = resp.0.into_body().into_bytes().await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::reply(self.client.get(path).header("authorization", self.bearer()).send().await).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Self::reply(self.client.post(path).header("authorization", self.bearer()).body_json(&body).send().await).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        Self::reply(self.client.put(path).header("authorization", self.bearer()).body_json(&body).send().await).await
    }

    /// GETs raw bytes: (status, content type, body).
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let resp = self.client.get(path).header("authorization", self.bearer()).send().await;
        let status = resp.0.status().as_u16();
        let ct = resp.0.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = resp.0.into_body().into_vec().await.expect("body").to_vec();
        (status, ct, body)
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::reply(self.client.delete(path).header("authorization", self.bearer()).send().await).await
    }

    /// Sends a raw body with a JSON content type.
    pub async fn post_raw(&self, path: &str, raw: &str) -> Reply {
        Self::reply(
            self.client
                .post(path)
                .header("authorization", self.bearer())
                .content_type("application/json")
                .body(raw.to_owned())
                .send()
                .await,
        )
        .await
    }

    /// Loads the reference year and returns (issuer_id, plan_id, document_id).
    /// Loads the reference year; from then on the default caller administers its office.
    pub async fn load_demo(&self) -> (String, String, String) {
        let l = nhiemvu::services::demo::load_reference_year(&self.db, &self.files).await.expect("demo loads");
        self.administer(&l.issuer_id.to_string()).await;
        (l.issuer_id.to_string(), l.plan_id.to_string(), l.document_id.to_string())
    }

    /// Creates an issuer with the given code (as the server administrator) and makes
    /// the default caller an administrator of it; returns its id.
    pub async fn issuer(&self, code: &str) -> String {
        let body = self.as_server_admin().post("/api/v1/issuers", issuer_json(code)).await.expect(201);
        let id = body["id"].as_str().unwrap().to_owned();
        self.administer(&id).await;
        id
    }

    /// Creates another office (as the server administrator), leaving the caller and
    /// the default administrator as they were; returns its id.
    pub async fn other_issuer(&self, code: &str) -> String {
        let caller = self.token.borrow().clone();
        let body = self.as_server_admin().post("/api/v1/issuers", issuer_json(code)).await.expect(201);
        self.act_as(&caller);
        body["id"].as_str().unwrap().to_owned()
    }

    /// Creates a unit; returns its id.
    pub async fn unit(&self, issuer_id: &str, short: &str) -> String {
        let body = json!({"issuer_id": issuer_id, "name": format!("Đơn vị {short}"), "short_name": short, "kind": "department", "emails": []});
        self.post("/api/v1/units", body).await.expect(201)["id"].as_str().unwrap().to_owned()
    }

    /// Creates a plan for `year` with one group; returns (plan_id, group_id).
    pub async fn plan_with_group(&self, issuer_id: &str, year: i32) -> (String, String) {
        let plan = self
            .post(
                "/api/v1/plans",
                json!({"issuer_id": issuer_id, "year": year, "title": format!("Nhiệm vụ trọng tâm năm {year}")}),
            )
            .await
            .expect(201);
        let plan_id = plan["id"].as_str().unwrap().to_owned();
        let group = self
            .post("/api/v1/groups", json!({"plan_id": plan_id, "title": "Nhóm nhiệm vụ về phát triển kinh tế"}))
            .await
            .expect(201);
        (plan_id, group["id"].as_str().unwrap().to_owned())
    }

    /// Creates a task; returns its id.
    pub async fn task(&self, group_id: &str, code: &str, lead: Option<&str>, deadline: &str) -> String {
        let body = json!({"group_id": group_id, "code": code, "text": format!("Nhiệm vụ {code}"), "lead_unit_id": lead, "deadline": deadline});
        self.post("/api/v1/tasks", body).await.expect(201)["id"].as_str().unwrap().to_owned()
    }
}

/// A valid issuer body.
pub fn issuer_json(code: &str) -> Value {
    json!({
        "code": code,
        "name_lines": ["ỦY BAN NHÂN DÂN", "XÃ BẮC SƠN"],
        "abbreviation": "UBND",
        "place_name": "Bắc Sơn",
        "full_name": "Ủy ban nhân dân xã",
        "short_name": "UBND xã",
        "head_title": "CHỦ TỊCH"
    })
}

impl TestApp {
    /// Uploads a file as evidence of a task, as the current caller.
    pub async fn upload(&self, task_id: &str, name: &str, bytes: Vec<u8>, target_id: Option<&str>) -> Reply {
        // Built by hand: browsers send the file name as raw UTF-8, which poem's test form cannot.
        let boundary = "nhiemvu-test-boundary";
        let mut body = Vec::new();
        if let Some(t) = target_id {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"target_id\"\r\n\r\n{t}\r\n").as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .client
            .post(format!("/api/v1/tasks/{task_id}/evidence"))
            .header("authorization", self.bearer())
            .content_type(format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await;
        Self::reply(resp).await
    }

    /// Sends a request with explicit headers and no bearer token (browser-style calls).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (Reply, Vec<String>) {
        let mut req = match method {
            "GET" => self.client.get(path),
            "POST" => self.client.post(path),
            "PUT" => self.client.put(path),
            "DELETE" => self.client.delete(path),
            other => panic!("method {other}"),
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        let resp = req.send().await;
        let cookies =
            resp.0.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
        (Self::reply(resp).await, cookies)
    }

    /// Loads the reference year and makes one user per role (the unit officer in TC-KH).
    pub async fn demo_people(&self) -> People {
        let (issuer, plan, report) = self.load_demo().await;
        let issuer_id: uuid::Uuid = issuer.parse().unwrap();
        let units = self.get(&format!("/api/v1/units?issuer_id={issuer}&per_page=100")).await.expect(200);
        let unit_of = |short: &str| -> uuid::Uuid {
            units["items"].as_array().unwrap().iter().find(|u| u["short_name"] == short).unwrap()["id"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        };
        let tckh = unit_of("TC-KH");
        let vhtt = unit_of("VH-TT");
        let mut tokens = std::collections::BTreeMap::new();
        let mut ids = std::collections::BTreeMap::new();
        for (role, unit) in [("office", None), ("unit_officer", Some(tckh)), ("signer", None), ("viewer", None)] {
            let (id, token) = self.user(issuer_id, role, unit).await;
            tokens.insert(role, token);
            ids.insert(role, id);
        }
        let (other_id, other) = self.user(issuer_id, "unit_officer", Some(vhtt)).await;
        tokens.insert("other_unit_officer", other);
        ids.insert("other_unit_officer", other_id);
        tokens.insert("admin", self.admin_token());
        ids.insert("admin", self.admin_id());
        People { issuer, plan, report, tckh: tckh.to_string(), tokens, ids }
    }
}

/// The reference year with one user of each role.
pub struct People {
    pub issuer: String,
    pub plan: String,
    pub report: String,
    /// Phòng Tài chính - Kế hoạch: leads tasks 1.1 and 1.2.
    pub tckh: String,
    pub tokens: std::collections::BTreeMap<&'static str, String>,
    pub ids: std::collections::BTreeMap<&'static str, uuid::Uuid>,
}

impl People {
    pub fn token(&self, role: &str) -> &str {
        &self.tokens[role]
    }
}

impl TestApp {
    /// PUTs raw bytes (images) as the current caller.
    pub async fn put_bytes(&self, path: &str, bytes: Vec<u8>) -> Reply {
        let resp = self
            .client
            .put(path)
            .header("authorization", self.bearer())
            .content_type("application/octet-stream")
            .body(bytes)
            .send()
            .await;
        Self::reply(resp).await
    }
}

impl TestApp {
    /// POSTs `{}` with an explicit token (for concurrent calls that must not share the caller slot).
    pub async fn post_as(&self, token: &str, path: &str) -> Reply {
        let resp = self
            .client
            .post(path)
            .header("authorization", format!("Bearer {token}"))
            .body_json(&json!({}))
            .send()
            .await;
        Self::reply(resp).await
    }
}

impl TestApp {
    /// The names of the stored files under `folder` ("evidence"), wherever the
    /// store keeps them.
    pub async fn stored_files(&self, folder: &str) -> Vec<String> {
        use sea_orm::{ConnectionTrait, Statement};
        if self.url.starts_with("postgres") {
            let st = Statement::from_sql_and_values(
                self.db.backend(),
                "SELECT key FROM blobs WHERE key LIKE $1",
                [format!("{folder}/%").into()],
            );
            let rows = self.db.conn.query_all_raw(st).await.expect("blobs");
            rows.iter()
                .map(|r| r.try_get::<String>("", "key").unwrap().trim_start_matches(&format!("{folder}/")).to_owned())
                .collect()
        } else {
            std::fs::read_dir(self.files_dir.join(folder))
                .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default()
        }
    }

    /// A second instance of the application on the same database and file store:
    /// its own connection pool and its own kept reads, as a second server has.
    pub async fn second_instance(&self) -> TestClient<BoxEndpoint<'static>> {
        self.second_instance_with_db().await.0
    }

    /// [`TestApp::second_instance`], with its database handle.
    pub async fn second_instance_with_db(&self) -> (TestClient<BoxEndpoint<'static>>, Db) {
        let db = self.reopen().await;
        let state = AppState {
            db: db.clone(),
            renderer: renderer(),
            files: self.files.clone(),
            max_upload_bytes: TEST_UPLOAD_LIMIT,
            secure_cookies: true,
            public_url: "https://nhiemvu.example.vn".into(),
            signing: Arc::new(nhiemvu::services::signatures::Signing::disabled()),
            setup: Default::default(),
            mailer: None,
            reminders: Default::default(),
            clock: nhiemvu::services::Clock::system(),
        };
        (TestClient::new(nhiemvu::app::router(state)), db)
    }

    /// From now on the pages and the API send mail straight through `mailer` (the
    /// mail test); queued mail still waits for a dispatcher.
    pub fn set_mailer(&mut self, mailer: Arc<dyn nhiemvu::mail::Mailer>) {
        let state = AppState {
            db: self.db.clone(),
            renderer: renderer(),
            files: self.files.clone(),
            max_upload_bytes: TEST_UPLOAD_LIMIT,
            secure_cookies: true,
            public_url: "https://nhiemvu.example.vn".into(),
            signing: Arc::new(nhiemvu::services::signatures::Signing::disabled()),
            setup: self.setup.clone(),
            mailer: Some(mailer),
            reminders: Default::default(),
            clock: nhiemvu::services::Clock::system(),
        };
        self.client = TestClient::new(nhiemvu::app::router(state));
    }

    /// A second connection pool on the same database (what a restart sees).
    pub async fn reopen(&self) -> Db {
        let url = self.url.clone();
        Db::connect(&url, 4, Duration::from_secs(30)).await.expect("reopen")
    }
}

/// A stored document as a `DocumentInput` for PUT (its read-only fields removed).
pub fn doc_input(d: &Value) -> Value {
    let mut d = d.clone();
    for k in [
        "id",
        "state",
        "number",
        "symbol",
        "issued_at",
        "pdf_sha256",
        "signed_pdf_sha256",
        "replaces_id",
        "approved_by",
        "approved_at",
        "review_comment",
        "created_at",
        "updated_at",
    ] {
        d.as_object_mut().unwrap().remove(k);
    }
    d
}

/// Says a test cannot run because `what` is missing. Under `CI=true` that fails the
/// test (CI installs everything); elsewhere it prints the reason and appends it to
/// `target/skipped-tests.txt`, which `tests/run.sh` prints at the end of the run
/// (libtest hides the output of passing tests).
#[track_caller]
pub fn skip(what: &str) {
    let caller = std::panic::Location::caller();
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{what} is missing, and CI=true: tests/run.sh must install it ({caller})");
    }
    let line = format!("SKIPPED ({caller}): {what}");
    eprintln!("{line}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/skipped-tests.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        use std::io::Write;
        let _ = writeln!(f, "{line}");
    }
}

/// A browser: the session cookie, kept between requests.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
}

impl<'a> Browser<'a> {
    pub async fn login(app: &'a TestApp, user_id: uuid::Uuid) -> (Browser<'a>, String) {
        use sea_orm::EntityTrait;
        let username = nhiemvu::storage::entities::users::Entity::find_by_id(user_id)
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap()
            .username;
        let body = form(&[("username", &username), ("password", PASSWORD)]);
        let resp = app.client.post("/login").content_type("application/x-www-form-urlencoded").body(body).send().await;
        assert_eq!(resp.0.status(), StatusCode::SEE_OTHER);
        let to = resp.0.headers().get("location").unwrap().to_str().unwrap().to_owned();
        let set = resp.0.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
        let cookie = set.split(';').next().unwrap().to_owned();
        (Browser { app, cookie }, to)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let resp = self.app.client.get(path).header("cookie", &self.cookie).send().await;
        let status = resp.0.status();
        (status, resp.0.into_body().into_string().await.unwrap())
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let (status, _, page) = self.send(path, fields).await;
        (status, page)
    }

    /// Posts a form: the status, where a redirect leads ("" if none) and the page.
    pub async fn send(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let resp = self
            .app
            .client
            .post(path)
            .header("cookie", &self.cookie)
            .content_type("application/x-www-form-urlencoded")
            .body(form(fields))
            .send()
            .await;
        let status = resp.0.status();
        let to = resp.0.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, to, resp.0.into_body().into_string().await.unwrap())
    }

    /// The CSRF token the pages put in their forms.
    pub async fn csrf(&self) -> String {
        // The dashboard, or the inbox for a unit officer (whom the dashboard sends there).
        let (_, mut html) = self.get("/").await;
        if !html.contains("name=\"csrf\"") {
            html = self.get("/inbox").await.1;
        }
        let needle = "name=\"csrf\" content=\"";
        let at = html.find(needle).expect("csrf meta") + needle.len();
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    }
}

pub fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

impl TestApp {
    /// POSTs raw bytes with a content type as the current caller.
    pub async fn post_bytes(&self, path: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        let resp = self
            .client
            .post(path)
            .header("authorization", self.bearer())
            .content_type(content_type)
            .body(bytes)
            .send()
            .await;
        Self::reply(resp).await
    }
}
