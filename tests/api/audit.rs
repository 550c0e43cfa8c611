//! Every mutation leaves a hash-chained audit event in its own transaction.

use nhiemvu::storage::{audit, entities::audit_events};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use serde_json::json;

use crate::helpers::{Browser, spawn_app};

#[tokio::test]
async fn mutations_are_audited_with_before_and_after() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let unit = app.unit(&issuer, "A").await;
    let renamed = json!({"issuer_id": issuer, "name": "Phòng B", "short_name": "B", "kind": "department"});
    app.put(&format!("/api/v1/units/{unit}"), renamed).await.expect(200);
    app.delete(&format!("/api/v1/units/{unit}")).await.expect(204);

    let events = audit_events::Entity::find().order_by_asc(audit_events::Column::Seq).all(&app.db.conn).await.unwrap();
    let unit_events: Vec<_> = events.iter().filter(|e| e.entity == "units").collect();
    let actions: Vec<&str> = unit_events.iter().map(|e| e.action.code()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert_eq!(unit_events[1].before.as_ref().unwrap()["short_name"], "A");
    assert_eq!(unit_events[1].after.as_ref().unwrap()["short_name"], "B");
    assert!(unit_events[2].after.is_none());
    assert_eq!(audit::verify(&app.db.conn).await.unwrap(), None, "the chain is intact");
}

#[tokio::test]
async fn a_refused_change_leaves_no_audit_event_and_no_record() {
    let app = spawn_app().await;
    let issuer = app.issuer("xa-a").await;
    let before = audit_events::Entity::find().count(&app.db.conn).await.unwrap();
    let (_, group) = app.plan_with_group(&issuer, 2025).await;
    app.task(&group, "1.1", None, "2025-01-01").await;
    let after_setup = audit_events::Entity::find().count(&app.db.conn).await.unwrap();
    assert_eq!(after_setup, before + 3);
    let dup = json!({"group_id": group, "code": "1.1", "text": "Trùng mã"});
    app.post("/api/v1/tasks", dup).await.expect_error(409, "duplicate_task_code", None);
    assert_eq!(audit_events::Entity::find().count(&app.db.conn).await.unwrap(), after_setup);
    assert_eq!(app.get("/api/v1/tasks").await.expect(200)["total"], 1);
}

#[tokio::test]
async fn an_edited_audit_event_breaks_the_chain() {
    let app = spawn_app().await;
    app.issuer("xa-a").await;
    app.issuer("xa-b").await;
    let events = audit_events::Entity::find().order_by_asc(audit_events::Column::Seq).all(&app.db.conn).await.unwrap();
    assert!(events.len() >= 4);
    let victim = events[2].clone();
    let mut am: audit_events::ActiveModel = victim.clone().into();
    am.entity = Set("nothing_happened".into());
    am.update(&app.db.conn).await.unwrap();
    assert_eq!(audit::verify(&app.db.conn).await.unwrap(), Some(victim.seq));
}

#[tokio::test]
async fn a_removed_audit_event_breaks_the_chain() {
    let app = spawn_app().await;
    app.issuer("xa-a").await;
    app.issuer("xa-b").await;
    let events = audit_events::Entity::find().order_by_asc(audit_events::Column::Seq).all(&app.db.conn).await.unwrap();
    audit_events::Entity::delete_by_id(events[1].id).exec(&app.db.conn).await.unwrap();
    assert_eq!(audit::verify(&app.db.conn).await.unwrap(), Some(2));
}

/// Whatever was done, the administrators' log says it in words: every action the log
/// holds is shown with its own Vietnamese label, read from the page as an
/// administrator reads it (a catch-all wording would hide what happened).
#[tokio::test]
async fn the_audit_page_names_every_action_the_log_holds() {
    use std::collections::BTreeSet;
    let app = spawn_app().await;
    app.demo_people().await;
    // Actions that are not edits of a record: a token made and revoked, a failed
    // login, a browser login (the demo's people set their passwords and images).
    let token = app.post("/api/v1/auth/tokens", json!({"name": "Máy chủ thống kê"})).await.expect(201);
    app.delete(&format!("/api/v1/auth/tokens/{}", token["id"].as_str().unwrap())).await.expect(204);
    let me = app.get("/api/v1/auth/session").await.expect(200);
    app.client
        .post("/api/v1/auth/login")
        .body_json(&json!({"username": me["username"], "password": "not the password"}))
        .send()
        .await
        .assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let (admin, _) = Browser::login(&app, app.admin_id()).await;
    let (status, page) = admin.get("/admin/audit").await;
    assert_eq!(status, poem::http::StatusCode::OK);

    let events = app.get("/api/v1/audit?per_page=200").await.expect(200);
    let codes: BTreeSet<String> =
        events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    for code in ["create", "login", "login_failed", "create_token", "revoke_token", "set_password"] {
        assert!(codes.contains(code), "the log holds a {code}: {codes:?}");
    }
    let cells: Vec<&str> =
        page.split("data-label=\"Thao tác\">").skip(1).map(|c| c.split('<').next().unwrap()).collect();
    assert_eq!(cells.len(), events["items"].as_array().unwrap().len(), "one row per event");
    for code in &codes {
        let label = code.parse::<nhiemvu::domain::AuditAction>().expect("a known action").label();
        let shown = label.replace('/', "&#x2f;");
        assert!(cells.iter().any(|c| *c == label || *c == shown), "{code} is shown as “{label}”: {cells:?}");
    }
}

/// The events written before offices had their own log learn their office from the
/// record each names: taking the migration back and applying it again over the
/// reference year leaves no event without its office, and every one is that office's.
#[tokio::test]
async fn events_from_before_learn_their_office_when_the_migration_runs() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app().await;
    let (issuer, _, _) = app.load_demo().await;
    let issuer: uuid::Uuid = issuer.parse().unwrap();
    // Back to before m0016 (and the migrations after it), then forward again.
    let since = Migrator::migrations().len()
        - Migrator::migrations().iter().position(|m| m.name() == "m0016_server_admin").unwrap();
    Migrator::down(&app.db.conn, Some(since as u32)).await.expect("migration taken back");
    Migrator::up(&app.db.conn, None).await.expect("migration applied again");
    let of_demo =
        audit_events::Entity::find().filter(audit_events::Column::IssuerId.eq(issuer)).count(&app.db.conn).await;
    let unknown =
        audit_events::Entity::find().filter(audit_events::Column::IssuerId.is_null()).count(&app.db.conn).await;
    let all = audit_events::Entity::find().count(&app.db.conn).await.unwrap();
    assert!(all > 100, "the reference year writes its events: {all}");
    // The host office and its first administrator are the other office of this server.
    let host = all - of_demo.unwrap();
    assert_eq!(unknown.unwrap(), 0, "every event has its office");
    assert!(host < 10, "only the host office's own few events are not the reference year's: {host}");
    assert_eq!(audit::verify(&app.db.conn).await.unwrap(), None, "the chain is untouched");
}
