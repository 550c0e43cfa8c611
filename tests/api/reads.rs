//! Reads that clients poll are kept between writes and validated with `ETag`:
//! never stale after a write on any instance, never shared between scopes.

use poem::endpoint::BoxEndpoint;
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// GET `path` with `token` (and `If-None-Match` when given): status, ETag, body.
async fn get(
    client: &TestClient<BoxEndpoint<'static>>,
    token: &str,
    path: &str,
    if_none_match: Option<&str>,
) -> (u16, String, Value) {
    let mut req = client.get(path).header("authorization", format!("Bearer {token}"));
    if let Some(t) = if_none_match {
        req = req.header("if-none-match", t);
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let etag = resp.0.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = resp.0.into_body().into_bytes().await.expect("body");
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("json") };
    (status, etag, body)
}

fn codes(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_polled_list_answers_304_until_a_write_on_any_instance_and_never_crosses_scopes() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let a = &app.client;
    let b = app.second_instance().await;
    let list = format!("/api/v1/tasks?plan_id={}&per_page=100", people.plan);
    let office = people.token("office");
    let unit = people.token("unit_officer");

    // The office reads through B twice: the second time B has it kept, and a
    // client that has it gets 304 without a body.
    let (s, tag, first) = get(&b, office, &list, None).await;
    assert_eq!(s, 200);
    assert!(tag.starts_with('"') && tag.len() > 4, "an ETag: {tag}");
    let all = codes(&first);
    assert!(all.len() >= 10 && all.len() as u64 == first["total"].as_u64().unwrap(), "the reference plan: {all:?}");
    let (s, again, body) = get(&b, office, &list, Some(&tag)).await;
    assert_eq!((s, again.as_str(), body), (304, tag.as_str(), Value::Null));
    let (s, _, body) = get(&b, office, &list, Some(&format!("W/{tag}"))).await;
    assert_eq!((s, body), (304, Value::Null), "weak comparison");

    // A unit officer asking for the same URL right after gets their own list and
    // their own tag; the office's tag does not validate it.
    let (s, unit_tag, mine) = get(&b, unit, &list, Some(&tag)).await;
    assert_eq!(s, 200, "the office's copy is not the unit officer's");
    assert_ne!(unit_tag, tag);
    let mine = codes(&mine);
    assert!(!mine.is_empty() && mine.len() < all.len(), "only the unit's tasks: {mine:?}");
    for t in get(&b, unit, &list, None).await.2["items"].as_array().unwrap() {
        let takes_part = t["lead_unit_id"] == people.tckh.as_str()
            || t["cooperating_unit_ids"].as_array().unwrap().iter().any(|u| u == people.tckh.as_str());
        assert!(takes_part, "a task the unit has no part in: {}", t["code"]);
    }
    // Another unit's officer does not get TC-KH's kept list either.
    let (_, _, theirs) = get(&b, people.token("other_unit_officer"), &list, None).await;
    assert_ne!(codes(&theirs), mine);

    // A write through A is seen by the next read through B, with a new tag.
    let task = first["items"][0].clone();
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let (s, task_tag, _) = get(&b, office, &path, None).await;
    assert_eq!(s, 200);
    let mut input = json!({});
    for k in ["group_id", "code", "text", "lead_unit_id", "deadline", "cooperating_unit_ids", "position"] {
        input[k] = task[k].clone();
    }
    input["text"] = json!("Nội dung đã sửa qua máy chủ A");
    app.act_as(office).put(&path, input).await.expect(200);
    let (s, new_tag, now) = get(&b, office, &list, Some(&tag)).await;
    assert_eq!(s, 200, "the office's old copy is stale after the write");
    assert_ne!(new_tag, tag);
    assert_eq!(now["items"][0]["text"], "Nội dung đã sửa qua máy chủ A");
    let (s, _, one) = get(&b, office, &path, Some(&task_tag)).await;
    assert_eq!((s, one["text"].as_str()), (200, Some("Nội dung đã sửa qua máy chủ A")));
    let (s, _, _) = get(a, office, &list, Some(&new_tag)).await;
    assert_eq!(s, 304, "both instances agree on the version");

    // The plan is validated the same way.
    let plan = format!("/api/v1/plans/{}", people.plan);
    let (s, plan_tag, _) = get(a, office, &plan, None).await;
    assert_eq!(s, 200);
    assert_eq!(get(&b, office, &plan, Some(&plan_tag)).await.0, 304);
}

#[tokio::test]
async fn a_token_revoked_or_a_user_deactivated_on_one_instance_is_refused_at_the_next_read_on_another() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let a = &app.client;
    let b = app.second_instance().await;
    let list = format!("/api/v1/tasks?plan_id={}&per_page=100", people.plan);

    // A second token of the office's, read through B until B keeps it.
    let made =
        app.act_as(people.token("office")).post("/api/v1/auth/tokens", json!({"name": "Máy trạm"})).await.expect(201);
    let token = made["token"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        assert_eq!(get(&b, &token, &list, None).await.0, 200);
    }
    // Revoked through A: B refuses it at once.
    let id = made["info"]["id"].as_str().or(made["id"].as_str()).unwrap().to_owned();
    app.delete(&format!("/api/v1/auth/tokens/{id}")).await.expect(204);
    assert_eq!(get(&b, &token, &list, None).await.0, 401, "a revoked token is not admitted from what B kept");
    assert_eq!(get(a, &token, &list, None).await.0, 401);

    // A unit officer read through B, then deactivated through A.
    let unit = people.token("unit_officer").to_owned();
    for _ in 0..3 {
        assert_eq!(get(&b, &unit, &list, None).await.0, 200);
    }
    app.as_admin()
        .post(&format!("/api/v1/users/{}/deactivation", people.ids["unit_officer"]), json!({}))
        .await
        .expect(200);
    assert_eq!(get(&b, &unit, &list, None).await.0, 401, "a deactivated user is not admitted from what B kept");
    // The others read on.
    assert_eq!(get(&b, people.token("viewer"), &list, None).await.0, 200);
}

#[tokio::test]
async fn every_write_acknowledged_by_one_instance_is_already_known_to_the_other() {
    let app = spawn_app().await;
    let people = app.demo_people().await;
    let (b, b_db) = app.second_instance_with_db().await;
    let office = people.token("office");
    let list = format!("/api/v1/tasks?plan_id={}&per_page=100", people.plan);
    let (_, _, first) = get(&b, office, &list, None).await;
    let task = first["items"][0].clone();
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let postgres = app.url.starts_with("postgres");

    // Both instances reach the point where a read needs no round trip for the
    // revision (on PostgreSQL: once a beat has come back); reads meanwhile.
    let both_trust = |what: &'static str| {
        let (a, b, b_db, list) = (&app, &b, &b_db, &list);
        async move {
            let waited = std::time::Instant::now();
            while a.db.known_revision().is_none() || b_db.known_revision().is_none() {
                assert!(waited.elapsed() < std::time::Duration::from_secs(10), "{what}");
                get(&a.client, office, list, None).await;
                get(b, office, list, None).await;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    both_trust("an instance never trusted its revision").await;

    let mut input = json!({});
    for k in ["group_id", "code", "text", "lead_unit_id", "deadline", "cooperating_unit_ids", "position"] {
        input[k] = task[k].clone();
    }
    for i in 0..20 {
        // Writes alternate between the instances; each is read through the other.
        let (writer, reader, reader_db) =
            if i % 2 == 0 { (&app.client, &b, &b_db) } else { (&b, &app.client, &app.db) };
        input["text"] = json!(format!("Nội dung sửa lần {i}"));
        let resp = writer.put(&path).header("authorization", format!("Bearer {office}")).body_json(&input).send().await;
        resp.assert_status_is_ok();
        if postgres {
            // The reader heard the new head before the writer answered: it will not
            // ask the database, and it must not need to.
            let head = nhiemvu::storage::cache::revision(&app.db.conn).await.unwrap();
            assert_eq!(reader_db.known_revision(), Some(head), "write {i}: the other instance had not heard it");
        }
        let (s, _, one) = get(reader, office, &path, None).await;
        assert_eq!((s, one["text"].as_str()), (200, Some(format!("Nội dung sửa lần {i}").as_str())), "write {i}");
        let (_, _, all) = get(reader, office, &list, None).await;
        let listed = all["items"].as_array().unwrap().iter().find(|t| t["id"] == task["id"]).unwrap();
        assert_eq!(listed["text"].as_str(), Some(format!("Nội dung sửa lần {i}").as_str()), "write {i}: the list");
    }
    if !postgres {
        return;
    }

    // The listening connections are cut (a network fault, a restarted pooler):
    // a write still returns only when the other instance can no longer trust an
    // old head, so the next read there is right; then both listen again.
    let cut = sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Postgres,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    let ended = sea_orm::ConnectionTrait::query_all_raw(&app.db.conn, cut).await.unwrap();
    assert_eq!(ended.len(), 2, "one listener per instance");
    input["text"] = json!("Sửa khi không nghe được");
    app.act_as(office).put(&path, input.clone()).await.expect(200);
    let (_, _, one) = get(&b, office, &path, None).await;
    assert_eq!(one["text"], "Sửa khi không nghe được", "read through B after its listener was cut");
    both_trust("the listeners did not come back").await;
    input["text"] = json!("Sửa sau khi nghe lại");
    b.put(&path)
        .header("authorization", format!("Bearer {office}"))
        .body_json(&input)
        .send()
        .await
        .assert_status_is_ok();
    let head = nhiemvu::storage::cache::revision(&app.db.conn).await.unwrap();
    assert_eq!(app.db.known_revision(), Some(head), "A hears B's writes again");
    assert_eq!(get(&app.client, office, &path, None).await.2["text"], "Sửa sau khi nghe lại");
}
