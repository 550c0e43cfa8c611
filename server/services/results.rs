//! Results: the lead unit's account of a task, its self-score and rating.
//! The rating is proposed by the plan's rubric; a different one needs a reason.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use uuid::Uuid;

use super::{audited, not_found, unknown_ref};
use crate::domain::{ResultState, rubric::SCORE_RANGE};
use crate::error::{AppError, Check, Result};
use crate::model::{Page, Paging, ResultInput, TaskResult};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::entities::{results, tasks};

const ENTITY: &str = "results";

/// Checks `i` against the task's plan rubric; returns (proposed rating, override kept).
async fn evaluate<C: ConnectionTrait>(db: &C, i: &ResultInput) -> Result<(Option<String>, Option<String>)> {
    let mut check = Check::new();
    check.fail_if(
        i.self_score.is_some_and(|s| !SCORE_RANGE.contains(&s)),
        "self_score",
        "Điểm tự chấm từ 0 đến 100 / the self-score must be 0–100",
    );
    if let Some(s) = &i.state {
        check.fail_if(
            s.parse::<ResultState>().is_err(),
            "state",
            &format!("Phải là / must be one of: {}", ResultState::codes()),
        );
    }
    check.finish()?;
    let task = tasks::Entity::find_by_id(i.task_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("task_id", unknown_ref("nhiệm vụ / task")))?;
    let plan = super::plans::find(db, task.plan_id).await?;
    let rubric = super::rubrics::load(db, plan.rubric_id).await?;
    let proposed = i.self_score.and_then(|s| rubric.rate(s)).map(str::to_owned);
    let wanted = i.rating_override.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let kept = match wanted {
        Some(r) if Some(r) == proposed.as_deref() => None,
        Some(r) if !rubric.has_label(r) => {
            let labels: Vec<&str> = rubric.bands().iter().map(|b| b.label.as_str()).collect();
            return Err(AppError::field("rating_override", format!("Phải là / must be one of: {}", labels.join("; "))));
        }
        Some(r) => {
            if i.override_reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
                return Err(AppError::field(
                    "override_reason",
                    "Xếp loại khác với bộ tiêu chí cần nêu lý do / a rating other than the rubric's needs a reason",
                ));
            }
            Some(r.to_owned())
        }
        None => None,
    };
    Ok((proposed, kept))
}

fn to_model(m: results::Model) -> TaskResult {
    let final_rating = m.rating_override.clone().or_else(|| m.proposed_rating.clone());
    TaskResult {
        id: m.id,
        data: ResultInput {
            task_id: m.task_id,
            narrative: m.narrative,
            self_score: m.self_score,
            rating_override: m.rating_override,
            override_reason: m.override_reason,
            state: Some(m.state),
        },
        proposed_rating: m.proposed_rating,
        final_rating,
        review_comment: m.review_comment,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn fill(
    am: &mut results::ActiveModel,
    i: ResultInput,
    proposed: Option<String>,
    kept: Option<String>,
    now: DateTime<Utc>,
) {
    let reason = kept.as_ref().and(i.override_reason.map(|r| r.trim().to_owned()));
    am.narrative = Set(i.narrative);
    am.self_score = Set(i.self_score);
    am.proposed_rating = Set(proposed);
    am.rating_override = Set(kept);
    am.override_reason = Set(reason);
    am.state = Set(i.state.unwrap_or_else(|| ResultState::Draft.code().to_owned()));
    am.updated_at = Set(now);
}

/// Creates the result of a task (one per task).
pub async fn create_result(db: &Db, actor: &Actor, now: DateTime<Utc>, input: ResultInput) -> Result<TaskResult> {
    let txn = db.begin_write().await?;
    let (proposed, kept) = evaluate(&*txn, &input).await?;
    let mut am = results::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(input.task_id),
        review_comment: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    fill(&mut am, input, proposed, kept, now);
    let m = am.insert(&*txn).await.map_err(|e| {
        AppError::from_db(e, "duplicate_result", "Nhiệm vụ đã có báo cáo kết quả / the task already has a result")
    })?;
    audited(&*txn, actor, now, "create", ENTITY, m.id, None, Some(&m)).await?;
    txn.commit().await?;
    Ok(to_model(m))
}

/// One result.
pub async fn get_result(db: &Db, id: Uuid) -> Result<TaskResult> {
    let m = results::Entity::find_by_id(id).one(&db.conn).await?.ok_or_else(|| not_found("result"))?;
    Ok(to_model(m))
}

/// Replaces a result's fields.
pub async fn update_result(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    input: ResultInput,
) -> Result<TaskResult> {
    let txn = db.begin_write().await?;
    let before = results::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("result"))?;
    if before.task_id != input.task_id {
        return Err(AppError::field(
            "task_id",
            "Kết quả không chuyển sang nhiệm vụ khác / a result stays with its task",
        ));
    }
    let (proposed, kept) = evaluate(&*txn, &input).await?;
    let mut am: results::ActiveModel = before.clone().into();
    fill(&mut am, input, proposed, kept, now);
    let after = am.update(&*txn).await?;
    audited(&*txn, actor, now, "update", ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// Deletes a result.
pub async fn delete_result(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    let before = results::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| not_found("result"))?;
    results::Entity::delete_by_id(id).exec(&*txn).await?;
    audited(&*txn, actor, now, "delete", ENTITY, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Results, optionally of one plan's tasks, one task, or in one state.
pub async fn list_results(
    db: &Db,
    plan_id: Option<Uuid>,
    task_id: Option<Uuid>,
    state: Option<String>,
    paging: Paging,
) -> Result<Page<TaskResult>> {
    let mut q = results::Entity::find().order_by_asc(results::Column::Id);
    if let Some(p) = plan_id {
        let of_plan = Query::select()
            .column(tasks::Column::Id)
            .from(tasks::Entity)
            .and_where(tasks::Column::PlanId.eq(p))
            .to_owned();
        q = q.filter(results::Column::TaskId.in_subquery(of_plan));
    }
    if let Some(t) = task_id {
        q = q.filter(results::Column::TaskId.eq(t));
    }
    if let Some(s) = state {
        q = q.filter(results::Column::State.eq(s));
    }
    let total = q.clone().count(&db.conn).await?;
    let items = q.offset(paging.offset()).limit(paging.per_page).all(&db.conn).await?;
    Ok(Page { items: items.into_iter().map(to_model).collect(), total, page: paging.page, per_page: paging.per_page })
}
