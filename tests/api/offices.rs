//! Two offices on one server, each with a person in every role, and a server
//! administrator: every operation of the OpenAPI document is tried by every role of
//! one office against the other's records (both ways), with bodies made valid from
//! the victim's own records, so a refusal is the scope's and not the body's. Nothing
//! of the victim may come back, and the victim's records and audit log stay as they
//! were. The server administrator creates an office and appoints its administrator,
//! and reads no office's tasks, results or documents.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const ROLES: [&str; 5] = ["admin", "office", "unit_officer", "signer", "viewer"];

/// One office: its records by resource (the path segment before `{id}`) and a
/// token per role.
struct Office {
    ids: BTreeMap<&'static str, String>,
    tokens: BTreeMap<&'static str, String>,
}

impl Office {
    fn id(&self, resource: &str) -> Option<&str> {
        self.ids.get(resource).map(String::as_str)
    }

    /// The ids whose appearance in an answer to another office is a leak.
    fn secrets(&self) -> Vec<&str> {
        self.ids.values().map(String::as_str).collect()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// A PDF small enough for any cap.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const PNG: &[u8] = include_bytes!("../fixtures/signature.png");

/// Fills an office that already has an issuer, units and a plan with one record of
/// every kind the API names by id, made by its administrator (the current caller).
async fn records(app: &TestApp, issuer: &str, unit: &str, plan: &str) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    ids.insert("issuers", issuer.to_owned());
    ids.insert("units", unit.to_owned());
    ids.insert("plans", plan.to_owned());
    let group =
        app.get(&format!("/api/v1/groups?plan_id={plan}")).await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    ids.insert("groups", group.clone());
    let year = app.get(&format!("/api/v1/plans/{plan}")).await.expect(200)["year"].as_i64().unwrap();
    let task = id(&app
        .post(
            "/api/v1/tasks",
            json!({"group_id": group, "code": "X.1", "text": "Nhiệm vụ riêng của cơ quan", "lead_unit_id": unit, "deadline": format!("{year}-12-20")}),
        )
        .await
        .expect(201));
    ids.insert("tasks", task.clone());
    let target = id(&app
        .post("/api/v1/targets", json!({"task_id": task, "description": "Chỉ tiêu riêng", "goal_value": 100}))
        .await
        .expect(201));
    ids.insert("targets", target);
    let result = id(&app
        .post("/api/v1/results", json!({"task_id": task, "narrative": "Đã làm.", "self_score": 90}))
        .await
        .expect(201));
    ids.insert("results", result);
    let evidence = id(&app.upload(&task, "minh-chung.pdf", PDF.to_vec(), None).await.expect(201));
    ids.insert("evidence", evidence);
    let proposal = id(&app
        .post("/api/v1/proposals", json!({"plan_id": plan, "section": "issuer", "text": "Đề xuất riêng"}))
        .await
        .expect(201));
    ids.insert("proposals", proposal);
    let rubric = app.get(&format!("/api/v1/rubrics?issuer_id={issuer}")).await.expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.insert("rubrics", rubric);
    let doc = json!({"issuer_id": issuer, "plan_id": plan, "kind": "plan", "subject": "Văn bản riêng", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga", "recipients": [{"label": "Lưu: VT"}]});
    ids.insert("documents", id(&app.post("/api/v1/documents", doc).await.expect(201)));
    let feed = app.post("/api/v1/calendar-feeds", json!({"unit_id": unit})).await.expect(201);
    ids.insert("calendar-feeds", id(&feed["feed"]));
    let tokens = app.get("/api/v1/auth/tokens").await.expect(200);
    ids.insert("tokens", tokens.as_array().and_then(|t| t.first()).map(id).expect("a token"));
    ids
}

/// A person in every role of the office `issuer`, the unit officer in `unit`.
async fn people(app: &TestApp, issuer: &str, unit: &str, office: &mut Office) {
    for role in ROLES {
        let unit = (role == "unit_officer").then(|| unit.parse().unwrap());
        let (user, token) = app.user(issuer.parse().unwrap(), role, unit).await;
        office.tokens.insert(role, token);
        if role == "office" {
            office.ids.insert("users", user.to_string());
        }
    }
}

/// The request schema of `op`, resolved.
fn request_schema<'a>(spec: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let content = op["requestBody"]["content"].as_object()?;
    let schema = &content.iter().find(|(k, _)| k.starts_with("application/json"))?.1["schema"];
    resolve(spec, schema)
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema["$ref"].as_str() {
        Some(r) => spec.pointer(&r.replacen('#', "", 1)),
        None => Some(schema),
    }
}

/// A value of `schema`'s type that passes its bounds.
fn sample(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema).unwrap_or(schema);
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    if let Some(all) = schema["allOf"].as_array().and_then(|a| a.first()) {
        return sample(spec, all);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), Some("date")) => json!("2030-12-31"),
        (Some("string"), Some("date-time")) => json!("2030-12-31T00:00:00Z"),
        (Some("string"), Some("uuid")) => json!(uuid::Uuid::now_v7()),
        (Some("string"), Some("email")) => json!("khach@example.vn"),
        (Some("string"), _) => json!("Thử nghiệm"),
        (Some("integer" | "number"), _) => json!(schema["minimum"].as_f64().map_or(1, |m| m.max(1.0) as i64)),
        (Some("boolean"), _) => json!(false),
        (Some("array"), _) => json!([]),
        _ => json!({}),
    }
}

/// A body for `op` that passes validation and names the victim's records: the
/// victim's own record (for a change, or a copy for a creation), every reference
/// pointed at the victim, the required fields filled.
fn body(spec: &Value, op: &Value, record: Option<&Value>, victim: &Office) -> Value {
    let Some(schema) = request_schema(spec, op) else { return json!({}) };
    let props = schema["properties"].as_object().cloned().unwrap_or_default();
    let mut out = serde_json::Map::new();
    if let Some(Value::Object(r)) = record {
        for (k, v) in r {
            if props.contains_key(k) && !v.is_null() {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let refs = [
        ("issuer_id", "issuers"),
        ("plan_id", "plans"),
        ("group_id", "groups"),
        ("task_id", "tasks"),
        ("unit_id", "units"),
        ("lead_unit_id", "units"),
        ("rubric_id", "rubrics"),
        ("target_id", "targets"),
    ];
    for (field, resource) in refs {
        if props.contains_key(field) {
            out.insert(field.into(), json!(victim.id(resource)));
        }
    }
    // A creation must not stumble on a taken code or name before the scope is checked.
    for (field, value) in
        [("code", json!("Z.9")), ("username", json!("xam-nhap")), ("short_name", json!("XN")), ("year", json!(2039))]
    {
        if props.contains_key(field) && record.is_some() {
            out.insert(field.into(), value);
        }
    }
    for req in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !out.contains_key(req) {
            out.insert(req.into(), sample(spec, &props[req]));
        }
    }
    Value::Object(out)
}

/// Sends one request with `token`: (status, body as text).
async fn send(app: &TestApp, token: &str, method: &str, path: &str, kind: &str, body: Vec<u8>) -> (u16, String) {
    let c = &app.client;
    let req = match method {
        "get" => c.get(path),
        "post" => c.post(path),
        "put" => c.put(path),
        "delete" => c.delete(path),
        other => panic!("{other}"),
    };
    let req = req.header("authorization", format!("Bearer {token}"));
    let req = if kind.is_empty() { req } else { req.content_type(kind).body(body) };
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let bytes = resp.0.into_body().into_vec().await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Everything the victim's administrator reads of its office, to compare before and after.
async fn snapshot(app: &TestApp, victim: &Office) -> Vec<(String, String)> {
    let admin = &victim.tokens["admin"];
    let mut paths: Vec<String> = victim
        .ids
        .iter()
        .filter(|(r, _)| !matches!(**r, "tokens" | "calendar-feeds"))
        .map(|(r, id)| format!("/api/v1/{r}/{id}"))
        .collect();
    let (issuer, plan) = (victim.id("issuers").unwrap(), victim.id("plans").unwrap());
    paths.extend([
        format!("/api/v1/users?issuer_id={issuer}&per_page=100"),
        format!("/api/v1/units?issuer_id={issuer}&per_page=100"),
        format!("/api/v1/tasks?plan_id={plan}&per_page=500"),
        format!("/api/v1/documents?plan_id={plan}&per_page=100"),
        format!("/api/v1/results?plan_id={plan}&per_page=500"),
        format!("/api/v1/proposals?plan_id={plan}"),
        format!("/api/v1/rubrics?issuer_id={issuer}"),
        "/api/v1/calendar-feeds".into(),
        "/api/v1/audit?per_page=1".into(),
    ]);
    let mut out = Vec::new();
    for p in paths {
        let (status, text) = send(app, admin, "get", &p, "", Vec::new()).await;
        assert_eq!(status, 200, "the victim reads {p}: {text}");
        out.push((p, text));
    }
    out
}

/// Whom an operation is about: the victim's record in its path, or none.
fn target(path: &str, victim: &Office) -> (String, bool) {
    let mut named = false;
    let mut resource = "";
    let mut out = String::new();
    for seg in path.trim_start_matches('/').split('/') {
        out.push('/');
        if seg.starts_with('{') {
            match victim.id(resource) {
                Some(id) => {
                    out.push_str(id);
                    named = true;
                }
                None => out.push_str(&uuid::Uuid::now_v7().to_string()),
            }
        } else {
            out.push_str(seg);
            resource = seg;
        }
    }
    (out, named)
}

/// The query naming the victim's records, from the parameters the operation declares.
fn query(op: &Value, victim: &Office) -> String {
    let map = [
        ("issuer_id", "issuers"),
        ("plan_id", "plans"),
        ("group_id", "groups"),
        ("unit_id", "units"),
        ("task_id", "tasks"),
        ("entity_id", "tasks"),
        ("actor_id", "users"),
    ];
    let pairs: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let (_, r) = map.iter().find(|(n, _)| *n == name)?;
            Some(format!("{name}={}", victim.id(r)?))
        })
        .collect();
    if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
}

/// Operations that only end the caller's own session or need no account at all.
fn own_only(method: &str, path: &str) -> bool {
    matches!((method, path), ("post", "/auth/logout") | ("post", "/auth/login") | ("get", "/health"))
        || path.starts_with("/signing/handoff/")
}

/// Tries every operation as `token` against `victim`; `may` says which operations
/// naming the victim may still answer 2xx (the server administrator's own work).
async fn attack(app: &TestApp, spec: &Value, who: &str, token: &str, victim: &Office, may: &dyn Fn(&str) -> bool) {
    let admin = &victim.tokens["admin"];
    let secrets = victim.secrets();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if own_only(method, path) {
                continue;
            }
            let (concrete, named) = target(path, victim);
            let url = format!("/api/v1{concrete}{}", query(op, victim));
            let kinds: Vec<&String> =
                op["requestBody"]["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
            let (kind, bytes) = match kinds.first().map(|k| k.as_str()) {
                None => ("", Vec::new()),
                Some(k) if k.starts_with("multipart/") => {
                    let b = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n";
                    let mut body = b.as_bytes().to_vec();
                    body.extend(PDF);
                    body.extend(b"\r\n--x--\r\n");
                    ("multipart/form-data; boundary=x", body)
                }
                Some("application/octet-stream") => ("application/octet-stream", PNG.to_vec()),
                Some(_) => {
                    // The victim's own record of that kind, when the path names one or creates one.
                    let own = path.trim_start_matches('/').split('/').next().unwrap_or("");
                    let record = match (method.as_str(), victim.id(own)) {
                        ("put" | "post", Some(rid)) if path.matches('/').count() <= 2 => {
                            let (s, t) = send(app, admin, "get", &format!("/api/v1/{own}/{rid}"), "", Vec::new()).await;
                            (s == 200).then(|| serde_json::from_str(&t).unwrap())
                        }
                        _ => None,
                    };
                    let b = body(spec, op, record.as_ref(), victim);
                    ("application/json", serde_json::to_vec(&b).unwrap())
                }
            };
            let (status, text) = send(app, token, method, &url, kind, bytes).await;
            let what = format!("{who}: {} {url}", method.to_uppercase());
            assert!(status < 500, "{what} answered {status}: {text}");
            if (200..300).contains(&status) {
                assert!(!named || may(path), "{what} reached the other office's record ({status}): {text}");
                if let Some(leak) = secrets.iter().find(|s| text.contains(**s)) {
                    assert!(may(path), "{what} answered a record of the other office ({leak}): {text}");
                }
            }
        }
    }
}

/// Two offices, each with records of every kind and a person in every role.
async fn two_offices(app: &TestApp) -> (Office, Office) {
    let (a_issuer, a_plan, _) = app.load_demo().await;
    let units = app.get(&format!("/api/v1/units?issuer_id={a_issuer}&per_page=100")).await.expect(200);
    let a_unit = units["items"].as_array().unwrap().iter().find(|u| u["short_name"] == "TC-KH").map(id).unwrap();
    let mut a = Office { ids: records(app, &a_issuer, &a_unit, &a_plan).await, tokens: BTreeMap::new() };
    people(app, &a_issuer, &a_unit, &mut a).await;

    let b_issuer = app.issuer("xa-ben-canh").await;
    app.administer(&b_issuer).await;
    let b_unit = app.unit(&b_issuer, "KT").await;
    let (b_plan, _) = app.plan_with_group(&b_issuer, 2030).await;
    let mut b = Office { ids: records(app, &b_issuer, &b_unit, &b_plan).await, tokens: BTreeMap::new() };
    people(app, &b_issuer, &b_unit, &mut b).await;
    (a, b)
}

#[tokio::test]
async fn no_role_of_one_office_can_do_anything_to_another() {
    let app = spawn_app().await;
    let spec = openapi(&app).await;
    let (a, b) = two_offices(&app).await;
    for (attacker, victim, name) in [(&b, &a, "B→A"), (&a, &b, "A→B")] {
        let before = snapshot(&app, victim).await;
        for role in ROLES {
            attack(&app, &spec, &format!("{name} {role}"), &attacker.tokens[role], victim, &|_| false).await;
        }
        let after = snapshot(&app, victim).await;
        for ((path, was), (_, now)) in before.iter().zip(&after) {
            assert_eq!(was, now, "{name}: {path} changed");
        }
    }
}

#[tokio::test]
async fn the_server_administrator_makes_offices_and_reads_none_of_their_work() {
    let app = spawn_app().await;
    let spec = openapi(&app).await;
    let (a, _b) = two_offices(&app).await;
    let host =
        app.as_server_admin().get("/api/v1/auth/session").await.expect(200)["issuer_id"].as_str().unwrap().to_owned();
    let (_, quantri) = app.user(host.parse().unwrap(), "server_admin", None).await;

    // Its own work: an office, and the office's administrator, who then runs it.
    app.act_as(&quantri);
    let c = id(&app.post("/api/v1/issuers", crate::helpers::issuer_json("xa-moi")).await.expect(201));
    let appointed = json!({"issuer_id": c, "username": "qt-xa-moi", "name": "Quản trị xã mới", "email": "qt@xamoi.example.vn", "role": "admin"});
    let admin_c = id(&app.post("/api/v1/users", appointed).await.expect(201));
    assert_eq!(app.get(&format!("/api/v1/users/{admin_c}")).await.expect(200)["role"], "admin");
    let listed = app.get("/api/v1/issuers?per_page=100").await.expect(200);
    assert!(listed["items"].as_array().unwrap().iter().any(|i| i["id"] == a.ids["issuers"].as_str()), "{listed}");
    // Not an office's people other than its administrators, not a server administrator's role by an office.
    let clerk = json!({"issuer_id": c, "username": "vt-xa-moi", "name": "Văn thư", "email": "vt@xamoi.example.vn", "role": "office"});
    app.post("/api/v1/users", clerk).await.expect_error(403, "forbidden", None);
    app.act_as(&a.tokens["admin"]);
    let promote = json!({"issuer_id": a.ids["issuers"], "username": "leo-thang", "name": "Leo thang", "email": "l@example.vn", "role": "server_admin"});
    app.post("/api/v1/users", promote).await.expect_error(403, "forbidden", None);
    app.post("/api/v1/issuers", crate::helpers::issuer_json("xa-tu-lap")).await.expect_error(403, "forbidden", None);

    // Every operation against office A: only the offices and their administrators answer.
    let before = snapshot(&app, &a).await;
    let organisational = |path: &str| path.starts_with("/issuers") || path.starts_with("/users");
    attack(&app, &spec, "server administrator", &quantri, &a, &organisational).await;
    // One who belongs to office A itself, as the demo's `quantri` belongs to the
    // reference office, reads no more of it.
    let (_, resident) = app.user(a.ids["issuers"].parse().unwrap(), "server_admin", None).await;
    let own_session = |path: &str| organisational(path) || path == "/auth/session";
    attack(&app, &spec, "server administrator of A's own", &resident, &a, &own_session).await;
    let after = snapshot(&app, &a).await;
    for ((path, was), (_, now)) in before.iter().zip(&after) {
        if !path.contains("/issuers/") && !path.contains("/users") && !path.contains("/audit") {
            assert_eq!(was, now, "server administrator: {path} changed");
        }
    }
    app.act_as(&quantri);
    for path in [
        format!("/api/v1/tasks/{}", a.ids["tasks"]),
        format!("/api/v1/documents/{}", a.ids["documents"]),
        format!("/api/v1/results/{}", a.ids["results"]),
        format!("/api/v1/plans/{}", a.ids["plans"]),
        format!("/api/v1/evidence/{}/file", a.ids["evidence"]),
    ] {
        let r = app.get(&path).await;
        assert!(matches!(r.status.as_u16(), 403 | 404), "the server administrator read {path}: {}", r.status);
    }
}

/// The OpenAPI document the server serves.
async fn openapi(app: &TestApp) -> Value {
    let resp = app.client.get("/api/openapi.json").send().await;
    serde_json::from_slice(&resp.0.into_body().into_vec().await.expect("spec")).expect("JSON")
}

/// The server administrator's pages: signed in, they land on the offices, add one
/// with the form (a wrong field keeps what was typed), appoint its administrator
/// (this server sends no mail, so the link is handed over on the page), and the
/// office's pages are not theirs; an office's administrator has no offices page.
#[tokio::test]
async fn the_server_administrator_adds_an_office_and_appoints_its_administrator_on_the_pages() {
    use crate::helpers::Browser;
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let host =
        app.as_server_admin().get("/api/v1/auth/session").await.expect(200)["issuer_id"].as_str().unwrap().to_owned();
    let (quantri, _) = app.user(host.parse().unwrap(), "server_admin", None).await;
    let (b, home) = Browser::login(&app, quantri).await;
    assert_eq!(home, "/admin/offices");
    let (status, page) = b.get("/admin/offices").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Các cơ quan trên máy chủ") && page.contains("ỦY BAN NHÂN DÂN HUYỆN BẮC SƠN"), "{page}");
    for (path, what) in [("/", "the dashboard"), ("/tasks", "the tasks"), ("/documents", "the documents")] {
        let (status, page) = b.get(path).await;
        assert!(status == 303 || status == 403, "{what}: {status} {page}");
        assert!(!page.contains("Bắc Sơn") || status == 303, "{what} shows nothing of an office");
    }

    let csrf = b.csrf().await;
    let office = [
        ("csrf", csrf.as_str()),
        ("name_lines", "ỦY BAN NHÂN DÂN\nXÃ HƯNG VŨ"),
        ("full_name", "Ủy ban nhân dân xã Hưng Vũ"),
        ("short_name", "UBND xã"),
        ("abbreviation", "UBND"),
        ("place_name", "Hưng Vũ"),
        ("code", "Xã Hưng Vũ"),
        ("head_title", "CHỦ TỊCH"),
    ];
    let (status, page) = b.post("/admin/offices", &office).await;
    assert_eq!(status, 422, "a code with capitals and spaces is refused: {page}");
    assert!(page.contains("Ủy ban nhân dân xã Hưng Vũ") && page.contains("Xã Hưng Vũ"), "what was typed stays: {page}");
    let mut office = office.to_vec();
    office[6] = ("code", "xa-hung-vu");
    let (status, to, _) = b.send("/admin/offices", &office).await;
    assert_eq!((status.as_u16(), to.starts_with("/admin/offices?done=office_created")), (303, true), "{to}");
    let (_, page) = b.get("/admin/offices").await;
    let id = app.as_server_admin().get("/api/v1/issuers?per_page=100").await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "xa-hung-vu")
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .expect("the office is made");
    assert!(page.contains("Chưa có"), "the new office has no administrator yet: {page}");
    let appoint = [
        ("csrf", csrf.as_str()),
        ("issuer_id", id.as_str()),
        ("name", "Hoàng Văn Sơn"),
        ("username", "son.hv"),
        ("email", "son.hv@hungvu.example.vn"),
    ];
    let (status, page) = b.post("/admin/offices/admins", &appoint).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("handover-link") && page.contains("password&#x2f;"), "the link is handed over: {page}");
    assert!(page.contains("Hoàng Văn Sơn (son.hv)"), "listed as the office's administrator: {page}");

    // An office's administrator has no offices page and no such entry in the menu.
    let (admin, _) = Browser::login(&app, p.ids["admin"]).await;
    let (status, _) = admin.get("/admin/offices").await;
    assert_eq!(status, 403);
    let (_, page) = admin.get("/admin/users").await;
    assert!(!page.contains("Các cơ quan") && !page.contains("value=\"server_admin\""), "{page}");
    // The first account of a server administers its office and the server: both menus.
    let first = app.as_server_admin().get("/api/v1/auth/session").await.expect(200)["user_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (both, _) = Browser::login(&app, first).await;
    let (_, page) = both.get("/admin/users").await;
    assert!(page.contains("Các cơ quan") && page.contains("value=\"server_admin\""), "{page}");
}
