//! Evidence uploads: types from the bytes, the limit, stored names, downloads,
//! and nothing left behind by a refused or aborted upload.

use serde_json::json;

use crate::helpers::{TEST_UPLOAD_LIMIT, TestApp, spawn_app};

async fn stored_files(app: &TestApp) -> Vec<String> {
    app.stored_files("evidence").await
}

async fn tckh_task(app: &TestApp, plan: &str) -> String {
    let tasks = app.as_admin().get(&format!("/api/v1/tasks?plan_id={plan}&per_page=1")).await.expect(200);
    tasks["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_pdf_is_stored_under_its_id_with_its_hash_and_downloads_under_its_vietnamese_name() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let task = tckh_task(&app, &p.plan).await;
    let bytes = b"%PDF-1.7\nBien ban nghiem thu\n%%EOF\n".to_vec();
    let name = "Biên bản nghiệm thu (đợt 2).pdf";
    let ev = app.act_as(p.token("unit_officer")).upload(&task, name, bytes.clone(), None).await.expect(201);
    let id = ev["id"].as_str().unwrap().to_owned();
    assert_eq!(ev["content_type"], "application/pdf");
    assert_eq!(ev["size_bytes"], bytes.len());
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
    };
    assert_eq!(ev["sha256"], sha.as_str());
    assert_eq!(ev["file_name"], name);
    assert_eq!(stored_files(&app).await, vec![id.clone()], "stored under the record id, never the client's name");

    let listed = app.get(&format!("/api/v1/tasks/{task}/evidence")).await.expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let resp = app
        .client
        .get(format!("/api/v1/evidence/{id}/file"))
        .header("authorization", format!("Bearer {}", p.token("unit_officer")))
        .send()
        .await;
    resp.assert_status_is_ok();
    let disposition = resp.0.headers().get("content-disposition").unwrap().to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
    let header = |k: &str| resp.0.headers().get(k).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "never sniffed as a page");
    assert!(header("content-security-policy").is_some_and(|c| c.starts_with("sandbox")), "opened in a sandbox");
    assert!(
        disposition.contains(
            "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20nghi%E1%BB%87m%20thu%20%28%C4%91%E1%BB%A3t%202%29%2Epdf"
        ),
        "{disposition}"
    );
    assert_eq!(resp.0.into_body().into_vec().await.unwrap(), bytes);

    // The officer of another unit can neither see nor add to it.
    app.act_as(p.token("other_unit_officer")).get(&format!("/api/v1/evidence/{id}")).await.expect_error(
        404,
        "not_found",
        None,
    );
    app.upload(&task, "x.pdf", b"%PDF-1.4".to_vec(), None).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn oversized_executable_and_unknown_files_are_refused_and_leave_nothing() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let task = tckh_task(&app, &p.plan).await;
    app.act_as(p.token("unit_officer"));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(TEST_UPLOAD_LIMIT as usize + 1, b'x');
    app.upload(&task, "lon.pdf", big, None).await.expect_error(413, "payload_too_large", None);
    app.upload(&task, "bao-cao.pdf", b"MZ\x90\x00\x03 this is a program".to_vec(), None).await.expect_error(
        415,
        "file_type_refused",
        None,
    );
    app.upload(&task, "ghi-chu.txt", b"chi la van ban".to_vec(), None).await.expect_error(
        415,
        "file_type_refused",
        None,
    );
    app.upload(&task, "rong.pdf", Vec::new(), None).await.expect_error(422, "validation_failed", Some("file"));
    let other_task =
        app.as_admin().get(&format!("/api/v1/tasks?plan_id={}&per_page=1&page=10", p.plan)).await.expect(200)["items"]
            [0]["id"]
            .clone();
    let target =
        app.get(&format!("/api/v1/targets?task_id={}", other_task.as_str().unwrap())).await.expect(200)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    app.upload(&task, "a.pdf", b"%PDF-1.4".to_vec(), Some(&target)).await.expect_error(
        422,
        "validation_failed",
        Some("target_id"),
    );

    // An upload cut off half-way never reaches a record.
    let body = "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 trun";
    let resp = app
        .client
        .post(format!("/api/v1/tasks/{task}/evidence"))
        .header("authorization", format!("Bearer {}", app.admin_token()))
        .content_type("multipart/form-data; boundary=XYZ")
        .body(body)
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 400);

    assert!(stored_files(&app).await.is_empty(), "no file left behind");
    assert_eq!(app.get(&format!("/api/v1/tasks/{task}/evidence")).await.expect(200), json!([]));
    let uploads = app.get("/api/v1/audit?entity=evidence").await.expect(200);
    assert_eq!(uploads["total"], 0, "and no record");
}

#[tokio::test]
async fn office_documents_images_and_archives_are_accepted() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let task = tckh_task(&app, &p.plan).await;
    let docx = b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml....word/document.xml".to_vec();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("bang-tong-hop.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("anh-hien-truong.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF".to_vec(), "image/jpeg"),
        ("ho-so.zip", b"PK\x03\x04\x0a\x00\x00\x00".to_vec(), "application/zip"),
        ("so-lieu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00".to_vec(), "application/vnd.ms-excel"),
    ];
    for (name, bytes, ct) in cases {
        assert_eq!(app.as_admin().upload(&task, name, bytes, None).await.expect(201)["content_type"], ct, "{name}");
    }
    assert_eq!(stored_files(&app).await.len(), 4);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let p = app.demo_people().await;
    let task = tckh_task(&app, &p.plan).await;
    let huge = vec![b'x'; (TEST_UPLOAD_LIMIT + 128 * 1024) as usize];
    let declared = app
        .client
        .post(format!("/api/v1/tasks/{task}/evidence"))
        .header("authorization", format!("Bearer {}", app.admin_token()))
        .content_type("multipart/form-data; boundary=XYZ")
        .body(huge.clone())
        .send()
        .await;
    assert_eq!(declared.0.status().as_u16(), 413);
    let streamed = app
        .client
        .post(format!("/api/v1/tasks/{task}/evidence"))
        .header("authorization", format!("Bearer {}", app.admin_token()))
        .content_type("multipart/form-data; boundary=XYZ")
        .body(poem::Body::from_async_read(std::io::Cursor::new(huge)))
        .send()
        .await;
    assert_eq!(streamed.0.status().as_u16(), 413, "a chunked body is cut off at the cap");
    assert!(stored_files(&app).await.is_empty());
}

/// Where the store is the database (PostgreSQL), a blob is written in the
/// transaction of its record: rolled back, it is not there; committed, it is.
/// As files (SQLite) it is written at once and its caller removes it on failure.
#[tokio::test]
async fn a_blob_written_in_a_transaction_that_rolls_back_is_not_stored_in_the_database() {
    let app = spawn_app().await;
    let txn = app.db.begin_write().await.unwrap();
    nhiemvu::storage::files::put_in(&*txn, &app.files, "evidence/rolled-back", b"%PDF-1.7".to_vec()).await.unwrap();
    drop(txn);
    let left = app.files.get("evidence/rolled-back").is_ok();
    assert_eq!(left, !app.files.in_database(), "in the database the blob goes with its transaction");
    let txn = app.db.begin_write().await.unwrap();
    nhiemvu::storage::files::put_in(&*txn, &app.files, "evidence/committed", b"%PDF-1.7".to_vec()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(app.files.get("evidence/committed").unwrap(), b"%PDF-1.7");
    assert!(
        nhiemvu::storage::files::put_in(&*app.db.begin_write().await.unwrap(), &app.files, "../escape", vec![])
            .await
            .is_err()
    );
}
