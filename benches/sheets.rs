//! A province-sized year (10,000 tasks across 100 units): the dashboard's figures from
//! the kept snapshot, the register written as .xlsx and as CSV, the same workbook
//! read back, and an import of it checked end to end (a dry run: every row matched by
//! code, nothing written), previewed into an empty plan (10,000 new tasks checked
//! and rolled back) and committed into one. Run: `cargo bench --bench sheets`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use nhiemvu::services::{figures, local_date, now, spreadsheets};
use nhiemvu::sheet;
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
    let db = rt.block_on(Db::connect(&url, 4, Duration::from_secs(5))).unwrap();
    let (plan, _) = rt.block_on(support::big_plan(&db));
    let actor = Actor::system();
    let today = local_date(now());
    let snap = rt.block_on(figures::plan_snapshot(&db, &actor, plan)).unwrap();
    let table = spreadsheets::register_table(&snap, today);
    let xlsx = sheet::to_xlsx(std::slice::from_ref(&table)).unwrap();

    let mut group = c.benchmark_group("year_10k");
    group.sample_size(10);
    group.bench_function("figures_from_kept_snapshot", |b| {
        b.iter(|| rt.block_on(figures::plan_figures(&db, &actor, plan, today)).unwrap())
    });
    group.bench_function("register_xlsx", |b| b.iter(|| sheet::to_xlsx(std::slice::from_ref(&table)).unwrap()));
    group.bench_function("register_csv", |b| b.iter(|| sheet::to_csv(&table)));
    group.bench_function("read_xlsx", |b| b.iter(|| sheet::read_xlsx(&xlsx).unwrap()));
    group.bench_function("import_dry_run", |b| {
        b.iter(|| {
            let r = rt.block_on(spreadsheets::import_register(&db, &actor, now(), plan, &xlsx, true)).unwrap();
            assert_eq!(r.tasks_unchanged, 10_000, "{:?}", r.problems.first());
        })
    });
    // Another office (the units have the same names) imports the register into its empty plan.
    let (empty, _) = rt.block_on(support::empty_plan(&db, "preview"));
    group.bench_function("import_preview_into_an_empty_plan", |b| {
        b.iter(|| {
            let r = rt.block_on(spreadsheets::import_register(&db, &actor, now(), empty, &xlsx, true)).unwrap();
            assert_eq!(r.tasks_created, 10_000, "{:?}", r.problems.first());
        })
    });
    let mut offices = 0;
    group.bench_function("import_commit_into_an_empty_plan", |b| {
        b.iter_batched(
            || {
                offices += 1;
                rt.block_on(support::empty_plan(&db, &format!("office-{offices}"))).0
            },
            |plan| {
                let r = rt.block_on(spreadsheets::import_register(&db, &actor, now(), plan, &xlsx, false)).unwrap();
                assert_eq!(r.tasks_created, 10_000, "{:?}", r.problems.first());
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
