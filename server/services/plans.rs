//! Plans: one issuer's key tasks for one year, and carrying proposals forward
//! into next year's draft plan.

use crate::domain::AuditAction;
use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use super::access::{check_scope, issuer_filter, plan_in_scope, require};
use super::{audited, json_list, to_json, unknown_ref};
use crate::domain::ProposalSection;
use crate::domain::access::Action;
use crate::domain::text;
use crate::error::{AppError, Check, Result};
use crate::model::{CarryForward, Page, Paging, Plan, PlanInput};
use crate::storage::audit::Actor;
use crate::storage::{Conn, Db};
use crate::storage::{issuers, plans, proposals, rubrics, task_groups, tasks};

const ENTITY: &str = "plans";
const DUPLICATE: &str = "Cơ quan đã có kế hoạch cho năm này / the issuer already has a plan for this year";

fn validate(i: &PlanInput) -> Result<()> {
    let mut check = Check::new();
    check
        .fail_if(!(2000..=2100).contains(&i.year), "year", "Năm từ 2000 đến 2100 / year must be 2000–2100")
        .required("title", &i.title)
        .line("title", &i.title, text::LINE)
        .fail_if(i.based_on.len() > 50, "based_on", "Tối đa 50 dòng / at most 50 lines");
    for (n, line) in i.based_on.iter().enumerate() {
        check.required(&format!("based_on[{n}]"), line);
        check.line(&format!("based_on[{n}]"), line, text::LINE);
    }
    if let Some(p) = &i.reminder_policy {
        check.fail_if(p.offsets_days.len() > 20, "reminder_policy.offsets_days", "Tối đa 20 mốc / at most 20 offsets");
        check.fail_if(p.holidays.len() > 100, "reminder_policy.holidays", "Tối đa 100 ngày / at most 100 days");
        for (n, d) in p.holidays.iter().enumerate() {
            check.date(&format!("reminder_policy.holidays[{n}]"), Some(d.0));
        }
        check.fail_if(p.workdays.len() > 100, "reminder_policy.workdays", "Tối đa 100 ngày / at most 100 days");
        for (n, d) in p.workdays.iter().enumerate() {
            check.date(&format!("reminder_policy.workdays[{n}]"), Some(d.0));
        }
        check.fail_if(
            p.offsets_days.iter().any(|d| !(0..=366).contains(d)),
            "reminder_policy.offsets_days",
            "Từ 0 đến 366 ngày / days must be 0–366",
        );
        check.fail_if(
            !(0..=366).contains(&p.overdue_every_days),
            "reminder_policy.overdue_every_days",
            "Từ 0 đến 366 ngày / days must be 0–366",
        );
    }
    check.finish()
}

/// Turns a stored plan into its API model.
pub(crate) fn to_model(m: plans::Model) -> Plan {
    Plan {
        id: m.id,
        closed_by: None,
        data: PlanInput {
            issuer_id: m.issuer_id,
            year: m.year,
            title: m.title,
            based_on: json_list(&m.based_on),
            rubric_id: Some(m.rubric_id),
            reminder_policy: m.reminder_policy.and_then(|v| serde_json::from_value(v).ok()),
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn resolve_rubric<C: Conn>(db: &C, i: &PlanInput) -> Result<Uuid> {
    match i.rubric_id {
        Some(r) => match rubrics::find(db, r).await? {
            Some(rubric) if rubric.issuer_id == i.issuer_id => Ok(r),
            _ => Err(AppError::field("rubric_id", unknown_ref("bộ tiêu chí / rubric"))),
        },
        None => super::rubrics::default_for(db, i.issuer_id, i.year).await,
    }
}

/// Creates a plan.
pub async fn create_plan(db: &Db, actor: &Actor, now: DateTime<Utc>, input: PlanInput) -> Result<Plan> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    if issuers::find(&*txn, input.issuer_id).await?.is_none() || check_scope(actor, input.issuer_id, "issuer").is_err()
    {
        return Err(AppError::field("issuer_id", unknown_ref("cơ quan / issuer")));
    }
    let rubric_id = resolve_rubric(&*txn, &input).await?;
    let m = plans::Model {
        id: Uuid::now_v7(),
        issuer_id: input.issuer_id,
        year: input.year,
        title: input.title.trim().to_owned(),
        based_on: to_json(&input.based_on),
        rubric_id,
        reminder_policy: input.reminder_policy.as_ref().map(to_json),
        created_at: now,
        updated_at: now,
    };
    let m = plans::insert(&*txn, m).await.map_err(|e| AppError::from_db(e, "duplicate_plan_year", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// [`get_plan`], kept while nothing changes (see `storage::cache`), with its entity tag.
pub async fn get_plan_versioned(db: &Db, actor: &Actor, id: Uuid) -> Result<crate::storage::cache::Versioned<Plan>> {
    require(actor, Action::Read)?;
    let key = crate::storage::cache::Key::new("plan", actor, id.to_string());
    db.versioned(key, || get_plan(db, actor, id)).await
}

/// One plan.
pub async fn get_plan(db: &Db, actor: &Actor, id: Uuid) -> Result<Plan> {
    require(actor, Action::Read)?;
    Ok(with_closures(&db.conn, vec![plan_in_scope(&db.conn, actor, id).await?]).await?.remove(0))
}

/// Plans with their closure (see [`integrity::closures`]).
async fn with_closures<C: Conn>(db: &C, models: Vec<plans::Model>) -> Result<Vec<Plan>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let mut closed = super::integrity::closures(db, &ids).await?;
    Ok(models
        .into_iter()
        .map(|m| {
            let c = closed.remove(&m.id);
            Plan { closed_by: c, ..to_model(m) }
        })
        .collect())
}

/// Replaces a plan's fields; a new year must still hold every task deadline.
pub async fn update_plan(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid, input: PlanInput) -> Result<Plan> {
    require(actor, Action::ManagePlan)?;
    validate(&input)?;
    let txn = db.begin_write().await?;
    let before = plan_in_scope(&*txn, actor, id).await?;
    if before.issuer_id != input.issuer_id {
        return Err(AppError::field("issuer_id", "Không đổi được cơ quan / the issuer cannot change"));
    }
    let rubric_id = resolve_rubric(&*txn, &input).await?;
    if input.year != before.year {
        let dated = tasks::dated_in_plan(&*txn, id).await?;
        if dated.iter().filter_map(|t| t.deadline).any(|d| d.year() != input.year) {
            return Err(AppError::field(
                "year",
                "Có nhiệm vụ hạn ngoài năm mới / some task deadlines fall outside the new year",
            ));
        }
    }
    let mut after = before.clone();
    after.year = input.year;
    after.title = input.title.trim().to_owned();
    after.based_on = to_json(&input.based_on);
    after.rubric_id = rubric_id;
    after.reminder_policy = input.reminder_policy.as_ref().map(to_json);
    after.updated_at = now;
    let after = plans::save(&*txn, after).await.map_err(|e| AppError::from_db(e, "duplicate_plan_year", DUPLICATE))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Update, ENTITY, id, Some(&before), Some(&after))).await?;
    let plan = with_closures(&*txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(plan)
}

/// Deletes a plan with its groups, tasks, targets, results and proposals
/// (refused while evidence or documents refer to it).
pub async fn delete_plan(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let before = plan_in_scope(&*txn, actor, id).await?;
    super::integrity::ensure_plan_deletable(&*txn, id).await?;
    plans::remove(&*txn, id).await.map_err(|e| AppError::from_db(e, "plan_in_use", ""))?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Delete, ENTITY, id, Some(&before), None)).await?;
    txn.commit().await?;
    Ok(())
}

/// Plans, newest year first.
pub async fn list_plans(
    db: &Db,
    actor: &Actor,
    issuer_id: Option<Uuid>,
    year: Option<i32>,
    paging: Paging,
) -> Result<Page<Plan>> {
    require(actor, Action::Read)?;
    let issuers = [issuer_filter(actor), issuer_id];
    let total = plans::count(&db.conn, &issuers, year).await?;
    let items =
        with_closures(&db.conn, plans::page(&db.conn, &issuers, year, paging.offset(), paging.per_page).await?).await?;
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}

/// Turns a plan's proposals into next year's draft plan: one group per proposal
/// section, one task per proposal (code "g.n", lead unit from the proposal, no deadline).
pub async fn carry_forward(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<CarryForward> {
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let source = plan_in_scope(&*txn, actor, id).await?;
    let issuer = issuers::get(&*txn, source.issuer_id).await?;
    let year = source.year + 1;
    let props = proposals::of_plan(&*txn, id, None).await?;
    if props.is_empty() {
        return Err(AppError::conflict(
            "no_proposals",
            "Kế hoạch chưa có đề xuất nào để chuyển sang năm sau / the plan has no proposals to carry forward",
        ));
    }
    let plan =
        next_year(&*txn, actor, now, &source, format!("Nhiệm vụ trọng tâm năm {year}"), AuditAction::CarryForward)
            .await?;
    let (mut groups, mut task_count) = (0u64, 0u64);
    for section in ProposalSection::ALL {
        let mine: Vec<_> = props.iter().filter(|p| p.section == *section).collect();
        if mine.is_empty() {
            continue;
        }
        groups += 1;
        let group = task_groups::Model {
            id: Uuid::now_v7(),
            plan_id: plan.id,
            position: groups as i32,
            title: section.heading(&issuer.short_name, issuer.subordinates_name.as_deref(), year),
            summary_title: None,
            created_at: now,
            updated_at: now,
        };
        let group = task_groups::insert(&*txn, group).await?;
        audited(
            &*txn,
            actor,
            now,
            super::Change::of(AuditAction::CarryForward, "task_groups", group.id, None, Some(&group)),
        )
        .await?;
        for (n, p) in mine.iter().enumerate() {
            let task = tasks::Model {
                id: Uuid::now_v7(),
                plan_id: plan.id,
                group_id: group.id,
                code: format!("{groups}.{}", n + 1),
                position: n as i32 + 1,
                text: p.text.clone(),
                lead_unit_id: p.unit_id,
                deadline: None,
                created_at: now,
                updated_at: now,
                archived_at: None,
                archive_reason: None,
                original_deadline: None,
                withdrawn_at: None,
            };
            let task = tasks::insert(&*txn, task).await?;
            audited(
                &*txn,
                actor,
                now,
                super::Change::of(AuditAction::CarryForward, "tasks", task.id, None, Some(&task)),
            )
            .await?;
            task_count += 1;
        }
    }
    txn.commit().await?;
    Ok(CarryForward { plan: to_model(plan), groups, tasks: task_count })
}

/// The plan of the year after `source`, with its rubric and reminder days and no
/// bases yet; 409 `duplicate_plan_year` when that year has one.
async fn next_year<C: Conn>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    source: &plans::Model,
    title: String,
    action: crate::domain::AuditAction,
) -> Result<plans::Model> {
    let plan = plans::Model {
        id: Uuid::now_v7(),
        issuer_id: source.issuer_id,
        year: source.year + 1,
        title,
        based_on: to_json(&Vec::<String>::new()),
        rubric_id: source.rubric_id,
        reminder_policy: source.reminder_policy.clone(),
        created_at: now,
        updated_at: now,
    };
    let plan = plans::insert(txn, plan).await.map_err(|e| AppError::from_db(e, "duplicate_plan_year", DUPLICATE))?;
    audited(txn, actor, now, super::Change::of(action, ENTITY, plan.id, None, Some(&plan))).await?;
    Ok(plan)
}

/// The same day a year later (29 February becomes 28 February).
fn a_year_later(d: chrono::NaiveDate) -> chrono::NaiveDate {
    d.with_year(d.year() + 1).or_else(|| d.with_day(28).and_then(|x| x.with_year(x.year() + 1))).unwrap_or(d)
}

/// Starts next year's plan as a copy of this one: its groups, and its tasks with their
/// lead and co-operating units (those still active), targets (last year's value as
/// the new baseline) and deadlines a year later; no result, evidence or proposal.
pub async fn copy_forward(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<CarryForward> {
    use crate::storage::{targets, task_cooperators, units};
    require(actor, Action::ManagePlan)?;
    let txn = db.begin_write().await?;
    let source = plan_in_scope(&*txn, actor, id).await?;
    let year = source.year + 1;
    let old_groups = task_groups::of_plan(&*txn, id).await?;
    let old_tasks = tasks::live_in_plan(&*txn, id).await?;
    if old_tasks.is_empty() {
        return Err(AppError::conflict(
            "no_tasks",
            "Kế hoạch chưa có nhiệm vụ nào để sao chép / the plan has no tasks to copy",
        ));
    }
    let task_ids: Vec<Uuid> = old_tasks.iter().map(|t| t.id).collect();
    let old_targets = targets::of_tasks(&*txn, task_ids.clone()).await?;
    let old_coops = task_cooperators::of_tasks(&*txn, task_ids).await?;
    let active: std::collections::HashSet<Uuid> =
        units::active_of_issuer(&*txn, source.issuer_id).await?.into_iter().map(|u| u.id).collect();
    let old_year = source.year.to_string();
    let title = if source.title.contains(&old_year) {
        source.title.replace(&old_year, &year.to_string())
    } else {
        format!("Nhiệm vụ trọng tâm năm {year}")
    };
    let plan = next_year(&*txn, actor, now, &source, title, AuditAction::CopyForward).await?;
    let mut group_of = std::collections::HashMap::new();
    for g in &old_groups {
        let new = task_groups::Model {
            id: Uuid::now_v7(),
            plan_id: plan.id,
            position: g.position,
            title: g.title.replace(&old_year, &year.to_string()),
            summary_title: g.summary_title.as_ref().map(|t| t.replace(&old_year, &year.to_string())),
            created_at: now,
            updated_at: now,
        };
        let new = task_groups::insert(&*txn, new).await?;
        audited(
            &*txn,
            actor,
            now,
            super::Change::of(AuditAction::CopyForward, "task_groups", new.id, None, Some(&new)),
        )
        .await?;
        group_of.insert(g.id, new.id);
    }
    let mut task_count = 0u64;
    for t in &old_tasks {
        let Some(group) = group_of.get(&t.group_id) else { continue };
        let task = tasks::Model {
            id: Uuid::now_v7(),
            plan_id: plan.id,
            group_id: *group,
            code: t.code.clone(),
            position: t.position,
            text: t.text.clone(),
            lead_unit_id: t.lead_unit_id.filter(|u| active.contains(u)),
            deadline: t.deadline.map(a_year_later),
            created_at: now,
            updated_at: now,
            archived_at: None,
            archive_reason: None,
            original_deadline: None,
            withdrawn_at: None,
        };
        let task = tasks::insert(&*txn, task).await?;
        let coops: Vec<Uuid> =
            old_coops.iter().filter(|c| c.task_id == t.id && active.contains(&c.unit_id)).map(|c| c.unit_id).collect();
        let rows = coops.iter().map(|u| task_cooperators::Model { task_id: task.id, unit_id: *u }).collect();
        task_cooperators::insert_all(&*txn, rows).await?;
        let mut lines = Vec::new();
        for x in old_targets.iter().filter(|x| x.task_id == t.id) {
            let new = targets::Model {
                id: Uuid::now_v7(),
                task_id: task.id,
                position: x.position,
                description: x.description.clone(),
                measure_unit: x.measure_unit.clone(),
                goal_value: x.goal_value,
                baseline_value: x.actual_value.or(x.baseline_value),
                actual_value: None,
                forecast_value: None,
                as_of: None,
                status: None,
                created_at: now,
                updated_at: now,
            };
            let new = targets::insert(&*txn, new).await?;
            lines.push(new);
        }
        audited(
            &*txn,
            actor,
            now,
            super::Change::of(AuditAction::CopyForward, "tasks", task.id, None, Some(&(&task, &coops, &lines))),
        )
        .await?;
        task_count += 1;
    }
    txn.commit().await?;
    Ok(CarryForward { plan: to_model(plan), groups: group_of.len() as u64, tasks: task_count })
}
