//! Bad input of every kind gets the same JSON error shape, never a 500.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn malformed_json_and_wrong_types_get_a_json_error_body() {
    let app = spawn_app().await;
    app.post_raw("/api/v1/issuers", "{not json").await.expect_error(400, "invalid_json", None);
    app.post_raw("/api/v1/issuers", "").await.expect_error(400, "invalid_json", None);
    let wrong_type = json!({"code": 5, "name_lines": ["x"], "abbreviation": "UBND"});
    app.post("/api/v1/issuers", wrong_type).await.expect_error(400, "invalid_json", Some("code"));
    // A text field sent as true/false or a number is refused, not stored as "false".
    let issuer = json!({"code": "xa-b", "name_lines": ["XÃ B"], "abbreviation": "UBND", "place_name": "B",
        "full_name": "Ủy ban nhân dân xã", "short_name": "UBND xã", "head_title": "CHỦ TỊCH", "deputy_title": false});
    app.post("/api/v1/issuers", issuer).await.expect_error(400, "invalid_json", Some("deputy_title"));
    let issuer = app.issuer("xa-a").await;
    let wrong_year = json!({"issuer_id": issuer, "year": "năm nay", "title": "x"});
    app.post("/api/v1/plans", wrong_year).await.expect_error(400, "invalid_json", None);
    let overflow = json!({"issuer_id": issuer, "year": 99999999999u64, "title": "x"});
    app.post("/api/v1/plans", overflow).await.expect_error(400, "invalid_json", None);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_and_400_with_the_field_named() {
    let app = spawn_app().await;
    let ghost = uuid::Uuid::now_v7();
    for resource in [
        "issuers",
        "units",
        "users",
        "rubrics",
        "plans",
        "groups",
        "tasks",
        "targets",
        "results",
        "proposals",
        "documents",
    ] {
        app.get(&format!("/api/v1/{resource}/{ghost}")).await.expect_error(404, "not_found", None);
        app.delete(&format!("/api/v1/{resource}/{ghost}")).await.expect_error(404, "not_found", None);
        app.get(&format!("/api/v1/{resource}/not-a-uuid")).await.expect_error(400, "invalid_parameter", Some("id"));
    }
    app.get("/api/v1/nothing-here").await.expect_error(404, "route_not_found", None);
    app.get("/api/v1/groups").await.expect_error(400, "invalid_parameter", Some("plan_id"));
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let body = app.get("/healthz").await.expect(200);
    assert_eq!(body, json!({"status": "ok", "database": true}));
}

#[tokio::test]
async fn the_api_documents_every_endpoint_with_its_error_responses() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json").await.expect(200);
    let paths = spec["paths"].as_object().unwrap();
    for resource in [
        "issuers",
        "units",
        "users",
        "rubrics",
        "plans",
        "groups",
        "tasks",
        "targets",
        "results",
        "proposals",
        "documents",
    ] {
        let collection = &paths[&format!("/{resource}")];
        assert!(collection["get"].is_object() && collection["post"].is_object(), "{resource} list and create");
        let item = &paths[&format!("/{resource}/{{id}}")];
        for method in ["get", "put", "delete"] {
            assert!(item[method].is_object(), "{method} /{resource}/{{id}}");
        }
        let responses = item["put"]["responses"].as_object().unwrap();
        for status in ["200", "400", "404", "409", "422", "500"] {
            assert!(responses.contains_key(status), "PUT /{resource}/{{id}} documents {status}");
        }
    }
    assert!(paths["/plans/{id}/carry-forward"]["post"].is_object());
    let docs = app.client.get("/api/docs").send().await;
    docs.assert_status_is_ok();
    let html = docs.0.into_body().into_string().await.unwrap();
    assert!(html.contains("swagger"));
    assert!(html.contains("\"pattern\":\"^[a-z0-9-]+$\""), "the docs show the document with its text rules");
}

#[tokio::test]
async fn the_api_document_lists_the_values_of_every_vocabulary() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json").await.expect(200);
    let schemas = &spec["components"]["schemas"];
    let values = |schema: &str, field: &str| -> Vec<String> {
        let prop = &schemas[schema]["properties"][field];
        // A nullable field wraps its schema in allOf/anyOf; look for the enum wherever it is.
        let found = [prop, &prop["allOf"][0], &prop["anyOf"][0], &prop["oneOf"][0]]
            .into_iter()
            .find_map(|p| p["enum"].as_array().cloned())
            .unwrap_or_else(|| panic!("{schema}.{field} lists no values: {prop}"));
        found.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(values("UserInput", "role"), ["admin", "server_admin", "office", "unit_officer", "signer", "viewer"]);
    assert_eq!(values("UnitInput", "kind"), ["department", "commune", "other"]);
    assert_eq!(values("Document", "state"), ["draft", "submitted", "approved", "issued", "replaced"]);
    assert_eq!(values("DocumentInput", "kind"), ["report", "plan", "letter"]);
    assert_eq!(values("TargetInput", "status"), ["exceeded", "met", "expected_met", "not_met"]);
    assert_eq!(values("ResultInput", "state"), ["draft", "submitted", "returned", "accepted"]);
    assert_eq!(values("ProposalInput", "section"), ["issuer", "communes_common", "commune_specific"]);
    assert_eq!(values("Session", "role"), ["admin", "server_admin", "office", "unit_officer", "signer", "viewer"]);
}
