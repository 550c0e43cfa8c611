//! Deadlines over a 10,000-task plan (100 units, deadlines across 2025): the
//! escalation tick once every task has escalated (the tick's usual run: nothing new,
//! checked against the rules), and urging 50 units at once by one drafted công văn
//! (the letter, one history line per late task and their audit events).
//! Run: `cargo bench --bench deadlines`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use nhiemvu::domain::reminder::Policy;
use nhiemvu::model::UrgeInput;
use nhiemvu::services::{escalation, urging};
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
    let db = rt.block_on(Db::connect(&url, 4, Duration::from_secs(5))).unwrap();
    let (plan, _) = rt.block_on(support::big_plan(&db));
    let units = rt.block_on(unit_ids(&db, plan));
    // Mid-December 2025: almost every task is late.
    let now = Utc.with_ymd_and_hms(2025, 12, 15, 3, 0, 0).unwrap();
    let policy = Policy::default();
    let first = Instant::now();
    let raised = rt.block_on(escalation::escalate(&db, &policy, now)).unwrap();
    println!("first escalation tick: {raised:?} in {:?}", first.elapsed());

    let mut group = c.benchmark_group("deadlines");
    group.sample_size(10);
    group.bench_function("escalation_tick_10k_plan", |b| {
        b.iter(|| {
            let e = rt.block_on(escalation::escalate(&db, &policy, now)).unwrap();
            assert_eq!(e, escalation::Escalated::default());
        })
    });
    group.bench_function("urge_50_units_one_letter", |b| {
        b.iter(|| {
            let input =
                UrgeInput { unit_ids: units[..50].to_vec(), by: "letter".into(), one_each: false, report_by: None };
            rt.block_on(urging::urge(&db, &Actor::system(), now, plan, input)).unwrap()
        })
    });
    group.finish();
}

/// The units leading the plan's tasks.
async fn unit_ids(db: &Db, plan: uuid::Uuid) -> Vec<uuid::Uuid> {
    let p = nhiemvu::services::plans::get_plan(db, &Actor::system(), plan).await.unwrap();
    let filter = nhiemvu::services::units::UnitFilter { issuer_id: Some(p.data.issuer_id), ..Default::default() };
    let page = nhiemvu::model::Paging { page: 1, per_page: 500 };
    nhiemvu::services::units::list_units(db, &Actor::system(), filter, page)
        .await
        .unwrap()
        .items
        .iter()
        .map(|u| u.id)
        .collect()
}

criterion_group!(benches, bench);
criterion_main!(benches);
