//! The text rules the OpenAPI document states (`http/spec.rs`) are the services'
//! own: every field the table names carries its pattern in the served document, and
//! a value that breaks the stated rule, sent where the field is taken, is refused
//! with 422 naming that field. (That the patterns take exactly what the services
//! take is the unit test beside the table.)

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use nhiemvu::http::spec::{PRESENT, RULES, Rule};

/// Where a schema's fields are sent: the request, a valid body, and where in the
/// body the schema sits (`""`: the body itself).
struct Probe {
    method: &'static str,
    path: String,
    body: Value,
    at: &'static str,
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// One valid request for each schema of the table, in the reference year.
async fn probes(app: &TestApp) -> Vec<(&'static str, Probe)> {
    let p = app.demo_people().await;
    let (issuer, plan) = (p.issuer.clone(), p.plan.clone());
    let group =
        app.get(&format!("/api/v1/groups?plan_id={plan}")).await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    let task = |code: &str| json!({"group_id": group, "code": code, "text": "Nhiệm vụ thử", "lead_unit_id": p.tckh, "deadline": "2024-12-20"});
    let fresh = id(&app.post("/api/v1/tasks", task("8.1")).await.expect(201));
    let reported = id(&app.post("/api/v1/tasks", task("8.2")).await.expect(201));
    let result = id(&app
        .post("/api/v1/results", json!({"task_id": reported, "narrative": "Đã làm.", "self_score": 90}))
        .await
        .expect(201));
    app.post(&format!("/api/v1/results/{result}/submit"), json!({})).await.expect(200);
    let bands = json!([{"label": "Đạt", "lower": 50, "lower_inclusive": true}, {"label": "Không đạt", "upper": 50}]);
    let probe = |method, path: String, body: Value, at| Probe { method, path, body, at };
    vec![
        ("IssuerInput", probe("PUT", format!("/api/v1/issuers/{issuer}"), crate::helpers::issuer_json("bac-son"), "")),
        (
            "UnitInput",
            probe(
                "POST",
                "/api/v1/units".into(),
                json!({"issuer_id": issuer, "name": "Mới", "short_name": "MOI", "kind": "department", "emails": ["a@b.vn"]}),
                "",
            ),
        ),
        (
            "UserInput",
            probe(
                "POST",
                "/api/v1/users".into(),
                json!({"issuer_id": issuer, "username": "moi", "name": "Mới", "email": "moi@example.vn", "role": "viewer"}),
                "",
            ),
        ),
        (
            "RubricInput",
            probe(
                "POST",
                "/api/v1/rubrics".into(),
                json!({"issuer_id": issuer, "name": "Hai mức", "bands": bands}),
                "",
            ),
        ),
        (
            "BandInput",
            probe(
                "POST",
                "/api/v1/rubrics".into(),
                json!({"issuer_id": issuer, "name": "Hai mức", "bands": bands}),
                "bands[0]",
            ),
        ),
        (
            "PlanInput",
            probe(
                "POST",
                "/api/v1/plans".into(),
                json!({"issuer_id": issuer, "year": 2031, "title": "Năm 2031", "based_on": ["Căn cứ"]}),
                "",
            ),
        ),
        (
            "ReminderPolicy",
            probe(
                "POST",
                "/api/v1/plans".into(),
                json!({"issuer_id": issuer, "year": 2032, "title": "Năm 2032", "reminder_policy": {"offsets_days": [3], "overdue_every_days": 0, "holidays": ["2032-01-02"], "workdays": []}}),
                "reminder_policy",
            ),
        ),
        (
            "GroupInput",
            probe(
                "POST",
                "/api/v1/groups".into(),
                json!({"plan_id": plan, "title": "Nhóm", "summary_title": "Tóm tắt"}),
                "",
            ),
        ),
        ("TaskInput", probe("POST", "/api/v1/tasks".into(), task("8.3"), "")),
        (
            "TargetLine",
            probe(
                "POST",
                "/api/v1/tasks".into(),
                json!({"group_id": group, "code": "8.4", "text": "Thử", "set_targets": [{"description": "Chỉ tiêu", "measure_unit": "km"}]}),
                "set_targets[0]",
            ),
        ),
        (
            "TargetInput",
            probe(
                "POST",
                "/api/v1/targets".into(),
                json!({"task_id": fresh, "description": "Chỉ tiêu", "measure_unit": "km"}),
                "",
            ),
        ),
        (
            "ProposalInput",
            probe(
                "POST",
                "/api/v1/proposals".into(),
                json!({"plan_id": plan, "section": "issuer", "text": "Đề xuất", "place": "Xã"}),
                "",
            ),
        ),
        (
            "ContributionInput",
            probe("PUT", format!("/api/v1/tasks/{fresh}/contribution"), json!({"text": "Ý kiến"}), ""),
        ),
        (
            "ResultInput",
            probe(
                "POST",
                "/api/v1/results".into(),
                json!({"task_id": fresh, "narrative": "Đã làm.", "self_score": 90, "rating_override": "Hoàn thành", "override_reason": "Lý do"}),
                "",
            ),
        ),
        ("StepInput", probe("POST", format!("/api/v1/results/{result}/accept"), json!({"comment": "Tốt"}), "")),
        ("CommentInput", probe("POST", format!("/api/v1/results/{result}/return"), json!({"comment": "Bổ sung"}), "")),
        (
            "ReasonInput",
            probe("POST", format!("/api/v1/tasks/{reported}/archive"), json!({"reason": "Không làm nữa"}), ""),
        ),
        ("TokenInput", probe("POST", "/api/v1/auth/tokens".into(), json!({"name": "Mã"}), "")),
        (
            "DocumentInput",
            probe(
                "POST",
                "/api/v1/documents".into(),
                json!({"issuer_id": issuer, "plan_id": plan, "kind": "plan", "subject": "Văn bản", "signer_position": "CHỦ TỊCH", "signer_name": "A", "recipients": [{"label": "Lưu: VT", "emails": ["a@b.vn"]}], "legal_bases": ["Căn cứ"]}),
                "",
            ),
        ),
        (
            "Recipient",
            probe(
                "POST",
                "/api/v1/documents".into(),
                json!({"issuer_id": issuer, "plan_id": plan, "kind": "plan", "subject": "Văn bản", "signer_position": "CHỦ TỊCH", "signer_name": "A", "recipients": [{"label": "Lưu: VT", "emails": ["a@b.vn"]}]}),
                "recipients[0]",
            ),
        ),
    ]
}

/// A value that breaks `rule` (and so its stated keywords); `body` is the valid one.
fn breaking(rule: Rule, body: &Value) -> Vec<Value> {
    let texts = |v: Vec<&str>| v.into_iter().map(|s| json!(s)).collect();
    match rule {
        Rule::Year2000To2100 => vec![json!("1999-12-31"), json!("2101-01-01")],
        Rule::Unique => vec![json!([body["lead_unit_id"], body["lead_unit_id"]])],
        Rule::NotEmpty => vec![json!([])],
        other => texts(text_breaking(other)),
    }
}

/// A text that breaks `rule` (and so its stated pattern).
fn text_breaking(rule: Rule) -> Vec<&'static str> {
    match rule {
        Rule::Line => vec!["a\u{7}b", "hai\ndòng", "\u{202e}ngược"],
        Rule::LineRequired => vec!["   ", "a\u{7}b", "hai\ndòng"],
        Rule::Text | Rule::TrimmedText => vec!["a\u{7}b", "x\u{2066}y"],
        Rule::TextRequired | Rule::TrimmedTextRequired => vec!["  \n ", "a\u{7}b"],
        Rule::Email => vec!["khong-phai-email", "a@b", "a b@c.vn"],
        Rule::LowerCode => vec!["Xa A", ""],
        Rule::LoginName => vec!["tên", "a b"],
        Rule::TaskCode => vec!["123456789012345678901", " "],
        Rule::Year2000To2100 | Rule::Unique | Rule::NotEmpty => unreachable!("not text"),
    }
}

/// Puts `value` at `field` ("name", or "name[]" for its first item) of the part
/// `at` of `body` ("", "bands[0]", "reminder_policy"); returns the field name the
/// service reports.
fn put(body: &mut Value, at: &str, field: &str, value: Value) -> String {
    let mut target = body;
    let mut prefix = String::new();
    if !at.is_empty() {
        target = match at.trim_end_matches(']').split_once('[') {
            Some((name, index)) => &mut target[name][index.parse::<usize>().unwrap()],
            None => &mut target[at],
        };
        prefix = format!("{at}.");
    }
    match field.strip_suffix("[]") {
        Some(name) => {
            target[name] = json!([value]);
            format!("{prefix}{name}[0]")
        }
        None => {
            target[field] = value;
            format!("{prefix}{field}")
        }
    }
}

#[tokio::test]
async fn every_stated_text_rule_is_the_services_own() {
    let app = spawn_app().await;
    let resp = app.client.get("/api/openapi.json").send().await;
    let doc: Value = serde_json::from_slice(&resp.0.into_body().into_vec().await.unwrap()).unwrap();
    let probes = probes(&app).await;
    for (schema, field, rule) in RULES {
        // Stated in the served document.
        let (name, items) = field.strip_suffix("[]").map_or((*field, false), |n| (n, true));
        let mut prop = &doc["components"]["schemas"][schema]["properties"][name];
        if items {
            prop = &prop["items"];
        }
        let stated = [prop, &prop["allOf"][0]]
            .into_iter()
            .any(|p| p.get("pattern").or(p.get("uniqueItems")).or(p.get("minItems")).is_some());
        assert!(stated, "{schema}.{field} states its rule: {prop}");
        // Refused where it is taken, with the field named.
        let (_, probe) = probes.iter().find(|(s, _)| s == schema).unwrap_or_else(|| panic!("a probe for {schema}"));
        for bad in breaking(*rule, &probe.body) {
            let mut body = probe.body.clone();
            let named = put(&mut body, probe.at, field, bad.clone());
            let reply = match probe.method {
                "POST" => app.post(&probe.path, body).await,
                _ => app.put(&probe.path, body).await,
            };
            assert_eq!(reply.status.as_u16(), 422, "{schema}.{field} = {bad:?}: {}", reply.body);
            // The field, one of its items, or the list it sits in.
            let fields = reply.body["fields"].as_object().cloned().unwrap_or_default();
            let names = fields.keys().any(|k| k.starts_with(&named) || named.starts_with(k.as_str()));
            assert!(names, "{schema}.{field} = {bad:?} names {named}: {}", reply.body);
        }
    }
    // Fields stated as required are refused when left out, with the field named.
    for (schema, field) in PRESENT {
        let required = &doc["components"]["schemas"][schema]["required"];
        assert!(
            required.as_array().is_some_and(|r| r.contains(&json!(field))),
            "{schema} requires {field}: {required}"
        );
        let (_, probe) = probes.iter().find(|(s, _)| s == schema).unwrap_or_else(|| panic!("a probe for {schema}"));
        let mut body = probe.body.clone();
        body.as_object_mut().unwrap().remove(*field);
        let reply = app.post(&probe.path, body).await;
        assert_eq!(reply.status.as_u16(), 422, "{schema} without {field}: {}", reply.body);
        assert!(reply.body["fields"].get(*field).is_some(), "{schema} without {field} names it: {}", reply.body);
    }
}
