//! "Bắt đầu": the steps a new office takes before its first task — units, people, a
//! plan, its groups, its tasks — each ticked when done and linked to where it is
//! done, on the dashboard until the newest plan has a task; and the counts on the
//! menu of what waits for each person.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use super::Ctx;
use crate::domain::Role;
use crate::error::Result;
use crate::model::Paging;
use crate::services::{groups, units, users};

/// The steps of "Bắt đầu", in order.
#[derive(Serialize)]
pub(crate) struct Checklist {
    steps: Vec<Step>,
}

/// One step: what to do, whether it is done, and where it is done (if `c` may).
#[derive(Serialize)]
struct Step {
    what: &'static str,
    done: bool,
    href: Option<String>,
}

/// The checklist for the office of `c`, given the newest plan (if any) and whether
/// it has tasks; `None` once there is nothing left to start.
pub(crate) async fn checklist(c: &Ctx, plan: Option<Uuid>, has_tasks: bool) -> Result<Option<Checklist>> {
    if has_tasks || !c.is(&[Role::Admin, Role::Office]) {
        return Ok(None);
    }
    let one = Paging { page: 1, per_page: 1 };
    let issuer = c.actor.issuer_id;
    let unit_count =
        units::list_units(&c.state.db, &c.actor, units::UnitFilter { issuer_id: issuer, kind: None }, one).await?.total;
    let people = users::list_users(&c.state.db, &c.actor, issuer, None, None, one).await?.total;
    let group_count = match plan {
        Some(p) => groups::list_groups(&c.state.db, &c.actor, p).await?.len(),
        None => 0,
    };
    let admin = c.is(&[Role::Admin]);
    let plan_link = plan.map(|p| format!("/plans/{p}")).unwrap_or_else(|| "/plans".into());
    let steps = [
        ("Khai báo các đơn vị (phòng, ban, tổ) và địa chỉ thư", unit_count > 0, admin.then_some("/admin/units".into())),
        ("Thêm người dùng: văn phòng, cán bộ đơn vị, lãnh đạo ký", people > 1, admin.then_some("/admin/users".into())),
        ("Tạo kế hoạch của năm", plan.is_some(), Some("/plans".to_owned())),
        ("Thêm nhóm nhiệm vụ vào kế hoạch", group_count > 0, Some(plan_link.clone())),
        (
            "Giao nhiệm vụ, hoặc nhập cả danh sách từ bảng tính",
            false,
            Some(plan.map(|p| format!("/plans/{p}/import")).unwrap_or(plan_link)),
        ),
    ];
    let steps = steps.into_iter().map(|(what, done, href)| Step { what, done, href }).collect();
    Ok(Some(Checklist { steps }))
}

/// What waits for `c`, by menu address: results submitted for review in the newest
/// plan (office), documents submitted for signature (signer). Both read kept or
/// counted data; nothing is said when it cannot be read.
pub(crate) async fn waiting(c: &Ctx) -> BTreeMap<&'static str, u64> {
    let mut out = BTreeMap::new();
    if c.is(&[Role::Admin, Role::Office])
        && let Ok(Some(plan)) = super::records::current_plan(c, None).await
        && let Ok(s) = super::records::snapshot(c, plan, None).await
    {
        let n = s.results.values().filter(|r| r.data.state.as_deref() == Some("submitted")).count();
        out.insert("/review", n as u64);
    }
    if c.is(&[Role::Signer]) {
        let f = crate::services::documents::DocumentFilter { state: Some("submitted".into()), ..Default::default() };
        if let Ok(p) =
            crate::services::documents::list_documents(&c.state.db, &c.actor, f, Paging { page: 1, per_page: 1 }).await
        {
            out.insert("/sign-off", p.total);
        }
    }
    if c.is(&[Role::UnitOfficer])
        && let Ok(n) = crate::services::follow_up_reads::waiting_for_unit(&c.state.db, &c.actor).await
    {
        out.insert("/inbox", n);
    }
    out.retain(|_, n| *n > 0);
    out
}
