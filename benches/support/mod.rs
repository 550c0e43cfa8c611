//! Shared by the benchmarks: a plan of 10,000 tasks across 100 units.

use chrono::NaiveDate;
use nhiemvu::model::{GroupInput, IssuerInput, PlanInput, TaskInput, UnitInput};
use nhiemvu::services::{groups, issuers, now, plans, tasks, units};
use nhiemvu::storage::Db;
use nhiemvu::storage::audit::Actor;

/// A plan of 10,000 tasks in 10 groups across 100 units; returns (plan, one unit).
pub async fn big_plan(db: &Db) -> (uuid::Uuid, uuid::Uuid) {
    let (plan, unit_ids) = empty_plan(db, "bench").await;
    let a = Actor::system();
    for g in 0..10 {
        let group = groups::create_group(
            db,
            &a,
            now(),
            GroupInput { plan_id: plan, position: None, title: format!("Nhóm {g}"), summary_title: None },
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
                deadline: NaiveDate::from_ymd_opt(2025, 1 + (n % 12) as u32, 1 + (n % 28) as u32).map(Into::into),
                set_targets: None,
            };
            tasks::create_task(db, &a, now(), input).await.unwrap();
        }
    }
    (plan, unit_ids[7])
}

/// An issuer `code` with 100 units ("Đơn vị 0" … "Đơn vị 99") and an empty 2025 plan:
/// (plan, units).
#[allow(dead_code)] // not every bench that includes this module uses it
pub async fn empty_plan(db: &Db, code: &str) -> (uuid::Uuid, Vec<uuid::Uuid>) {
    let a = Actor::system();
    let issuer = issuers::create_issuer(
        db,
        &a,
        now(),
        IssuerInput {
            code: code.into(),
            name_lines: vec!["ỦY BAN NHÂN DÂN".into(), "XÃ THỬ".into()],
            parent_lines: vec![],
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
            emails: vec![format!("u{u}@example.vn")],
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
    (plan.id, unit_ids)
}
