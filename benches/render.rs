//! Rendering the reference report: view model → PDF bytes, warm; a re-render after
//! a one-paragraph edit; and building the view model from the database.
//! Run: `cargo bench --bench render`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use nhiemvu::render::Renderer;
use nhiemvu::services::{demo, printing};
use nhiemvu::storage::Db;
use nhiemvu::storage::files::LocalFiles;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(Db::connect("sqlite::memory:", 1, Duration::from_secs(5))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn nhiemvu::storage::files::BlobStore> = Arc::new(LocalFiles::new(dir.path()).unwrap());
    let files = LocalFiles::new(dir.path()).unwrap();
    let loaded = rt.block_on(demo::load_reference_year(&db, &store)).unwrap();
    let renderer = Arc::new(Renderer::new(None, None).unwrap());
    let p = rt.block_on(printing::printable(&db.conn, &files, loaded.document_id)).unwrap();

    let mut group = c.benchmark_group("report");
    group.sample_size(50);
    group.bench_function("render_warm", |b| {
        b.iter(|| renderer.render(p.template, &p.data, &p.assets, p.date, &p.ident).unwrap())
    });

    // Two versions that differ in one paragraph of section I, rendered in turn.
    let mut edited = p.data.clone();
    edited["sections"][0]["intro"][0]["inlines"][0]["c"] = serde_json::json!("Một đoạn văn đã sửa.");
    let versions = [p.data.clone(), edited];
    let mut n = 0usize;
    group.bench_function("rerender_after_one_paragraph_edit", |b| {
        b.iter(|| {
            n += 1;
            renderer.render(p.template, &versions[n % 2], &p.assets, p.date, &p.ident).unwrap()
        })
    });
    group.bench_function("view_model_from_database", |b| {
        b.iter(|| rt.block_on(printing::printable(&db.conn, &files, loaded.document_id)).unwrap())
    });
    // The Nghị định 30 check of the printed report: read its pages back, apply the layout rules.
    let pdf = renderer.render(p.template, &p.data, &p.assets, p.date, &p.ident).unwrap();
    group.bench_function("nd30_check_of_the_printed_report", |b| {
        b.iter(|| nhiemvu::domain::check::check_pages(&nhiemvu::inspect::pages(&pdf).unwrap()))
    });
    group.finish();

    // Throughput with two threads rendering at once.
    let mut group = c.benchmark_group("report_parallel");
    group.sample_size(10);
    group.bench_function("two_threads_20_documents", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..10 {
                            renderer.render(p.template, &p.data, &p.assets, p.date, &p.ident).unwrap();
                        }
                    });
                }
            })
        })
    });
    group.finish();

    // Memory across 1,000 consecutive renders (typst's cache is evicted after each).
    let rss = || {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0))
            })
            .unwrap_or(0)
    };
    let before = rss();
    let mut peak = before;
    for i in 0..1000 {
        renderer.render(p.template, &versions[i % 2], &p.assets, p.date, &p.ident).unwrap();
        peak = peak.max(rss());
    }
    println!(
        "report/rss_1000_renders: before {} MiB, after {} MiB, peak {} MiB",
        before / 1024,
        rss() / 1024,
        peak / 1024
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
