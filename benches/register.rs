//! Listing tasks with their targets: the reference plan, and a 10,000-task plan
//! filtered by unit and deadline, one page deep. Run: `cargo bench --bench register`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use nhiemvu::model::Paging;
use nhiemvu::services::tasks::TaskFilter;
use nhiemvu::services::{demo, tasks};
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
    let db = rt.block_on(Db::connect(&url, 4, Duration::from_secs(5))).unwrap();
    let store: Arc<dyn nhiemvu::storage::files::BlobStore> =
        Arc::new(nhiemvu::storage::files::LocalFiles::new(dir.path().join("files")).unwrap());
    let loaded = rt.block_on(demo::load_reference_year(&db, &store)).unwrap();
    let (big_plan, unit) = rt.block_on(support::big_plan(&db));

    let mut group = c.benchmark_group("tasks");
    group.bench_function("reference_plan_with_targets", |b| {
        b.iter(|| {
            let f = TaskFilter { plan_id: Some(loaded.plan_id), ..Default::default() };
            rt.block_on(tasks::list_tasks(&db, &Actor::system(), f, Paging::new(None, Some(100)).unwrap())).unwrap()
        })
    });
    group.bench_function("10k_plan_filtered_page_5", |b| {
        b.iter(|| {
            let f = TaskFilter {
                plan_id: Some(big_plan),
                unit_id: Some(unit),
                deadline_from: NaiveDate::from_ymd_opt(2025, 3, 1),
                deadline_to: NaiveDate::from_ymd_opt(2025, 10, 31),
                ..Default::default()
            };
            rt.block_on(tasks::list_tasks(&db, &Actor::system(), f, Paging::new(Some(5), Some(50)).unwrap())).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
