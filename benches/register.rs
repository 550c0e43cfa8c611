//! Listing tasks with their targets: the reference plan, and a 10,000-task plan
//! filtered by unit and deadline, one page deep. Run: `cargo bench --bench register`.

use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use nhiemvu::model::{GroupInput, IssuerInput, Paging, PlanInput, TaskInput, UnitInput};
use nhiemvu::services::tasks::TaskFilter;
use nhiemvu::services::{demo, groups, issuers, now, plans, tasks, units};
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
    let db = rt.block_on(Db::connect(&url, 4, Duration::from_secs(5))).unwrap();
    let loaded = rt.block_on(demo::load_reference_year(&db)).unwrap();
    let (big_plan, unit) = rt.block_on(big_plan(&db));

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

/// A plan of 10,000 tasks in 10 groups across 100 units; returns (plan, one unit).
async fn big_plan(db: &Db) -> (uuid::Uuid, uuid::Uuid) {
    let a = Actor::system();
    let issuer = issuers::create_issuer(
        db,
        &a,
        now(),
        IssuerInput {
            code: "bench".into(),
            parent_name: None,
            name: "XÃ THỬ".into(),
            abbreviation: "UBND".into(),
            place_name: "Thử".into(),
            full_name: "Ủy ban nhân dân xã".into(),
            short_name: "UBND xã".into(),
            subordinates_name: None,
            collective_title: None,
            head_title: "CHỦ TỊCH".into(),
            deputy_title: None,
        },
    )
    .await
    .unwrap();
    let mut unit_ids = Vec::new();
    for u in 0..100 {
        let input = UnitInput {
            issuer_id: issuer.id,
            name: format!("Đơn vị {u}"),
            short_name: format!("U{u}"),
            kind: "department".into(),
            emails: vec![],
        };
        unit_ids.push(units::create_unit(db, &a, now(), input).await.unwrap().id);
    }
    let plan = plans::create_plan(
        db,
        &a,
        now(),
        PlanInput {
            issuer_id: issuer.id,
            year: 2025,
            title: "Nhiệm vụ năm 2025".into(),
            based_on: vec![],
            rubric_id: None,
            reminder_policy: None,
        },
    )
    .await
    .unwrap();
    for g in 0..10 {
        let group = groups::create_group(
            db,
            &a,
            now(),
            GroupInput { plan_id: plan.id, position: None, title: format!("Nhóm {g}"), summary_title: None },
        )
        .await
        .unwrap();
        for t in 0..1000 {
            let n = g * 1000 + t;
            let input = TaskInput {
                group_id: group.id,
                code: format!("{}.{}", g + 1, t + 1),
                position: Some(t + 1),
                text: format!("Nhiệm vụ số {n}"),
                lead_unit_id: Some(unit_ids[n as usize % 100]),
                cooperating_unit_ids: vec![unit_ids[(n as usize + 1) % 100]],
                deadline: NaiveDate::from_ymd_opt(2025, 1 + (n % 12) as u32, 1 + (n % 28) as u32),
            };
            tasks::create_task(db, &a, now(), input).await.unwrap();
        }
    }
    (plan.id, unit_ids[7])
}

criterion_group!(benches, bench);
criterion_main!(benches);
