//! Mail at scale: the reminder scan over 10,000 tasks across 100 units (criterion),
//! the one-off enqueue of the day's digests, and 1,000 messages sent to a local SMTP
//! server (aiosmtpd, started here when installed). Run: `cargo bench --bench mail`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use nhiemvu::config::MailSettings;
use nhiemvu::domain::reminder::Policy;
use nhiemvu::mail::SmtpMailer;
use nhiemvu::services::outbox::{self, NewMessage};
use nhiemvu::services::{now, reminders};
use nhiemvu::storage::Db;
use nhiemvu::storage::files::{BlobStore, LocalFiles};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
    let db = rt.block_on(Db::connect(&url, 4, Duration::from_secs(30))).unwrap();
    rt.block_on(support::big_plan(&db));
    let at = Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(2025, 12, 10).unwrap().and_hms_opt(1, 0, 0).unwrap());
    let policy = Policy::default();

    let mut g = c.benchmark_group("reminders");
    g.sample_size(20);
    g.bench_function("scan_10k_tasks_100_units", |b| {
        b.iter(|| rt.block_on(reminders::plan_reminders(&db, &policy, at)).unwrap())
    });
    g.finish();
    let t = Instant::now();
    let queued = rt.block_on(reminders::send_reminders(&db, &policy, at)).unwrap();
    println!(
        "reminders/enqueue: {} digests for {} tasks in {:?}",
        queued.len(),
        queued.iter().map(|d| d.tasks.len()).sum::<usize>(),
        t.elapsed()
    );

    let Some((mut server, port)) = smtp_server(dir.path()) else { return };
    let files: Arc<dyn BlobStore> = Arc::new(LocalFiles::new(dir.path().join("files")).unwrap());
    rt.block_on(async {
        let txn = db.begin_write().await.unwrap();
        for i in 0..1000 {
            let m = NewMessage {
                key: format!("bench:{i}"),
                kind: nhiemvu::domain::MailKind::Reminder,
                to: format!("nguoi{i}@example.vn"),
                recipient_label: None,
                subject: "Nhắc hạn nhiệm vụ trọng tâm".into(),
                text: "Nội dung".into(),
                html: "<p>Nội dung</p>".into(),
                attachment: None,
                document_id: None,
                unit_id: None,
                issuer_id: None,
            };
            outbox::enqueue(&*txn, now(), m).await.unwrap();
        }
        txn.commit().await.unwrap();
    });
    let _runtime = rt.enter(); // the SMTP pool starts a task on the runtime
    let mailer = SmtpMailer::new(&MailSettings {
        enabled: true,
        host: "127.0.0.1".into(),
        port,
        security: "none".into(),
        username: String::new(),
        password_env: "UNSET".into(),
        from: "Văn phòng <vp@example.vn>".into(),
        reply_to: String::new(),
        pool_size: 8,
        timeout_secs: 10,
        dispatch_every_secs: 1,
        claim_secs: 120,
    })
    .unwrap();
    let t = Instant::now();
    let mut sent = 0;
    while sent < 1100 {
        let d = rt.block_on(outbox::dispatch(&db, &files, &mailer, "bench", now(), 5000)).unwrap();
        if d.sent == 0 {
            break;
        }
        sent += d.sent;
    }
    println!("outbox/send: {sent} messages (reminder digests included) to a local SMTP server in {:?}", t.elapsed());
    let _ = server.kill();
}

fn smtp_server(dir: &std::path::Path) -> Option<(std::process::Child, u16)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(dir.join("mail"))
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take()?).read_line(&mut line).ok()?;
    if line.trim() != "ready" {
        println!("outbox/send: skipped (python3 with aiosmtpd not available)");
        return None;
    }
    Some((child, port))
}

criterion_group!(benches, bench);
criterion_main!(benches);
