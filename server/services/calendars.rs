//! Calendar feeds: a person makes a secret address (for their own view, or narrowed
//! to one unit) that a calendar program reads as iCalendar: every task deadline they
//! may see as an all-day event linking to the task's page, with the reminder days as
//! alarms. Only the address's SHA-256 is stored; revoking ends it at once, and so
//! does deactivating its maker.

use crate::domain::AuditAction;
use chrono::{DateTime, Datelike, Duration, Utc};
use uuid::Uuid;

use super::access::require;
use super::{audited, auth, figures, not_found, unknown_ref};
use crate::domain::Role;
use crate::domain::access::Action;
use crate::domain::ical::{self, Event};
use crate::domain::reminder::Policy;
use crate::error::{AppError, Result};
use crate::model::{CalendarFeed, CalendarFeedInput, NewCalendarFeed, Standing};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::{calendar_feeds, plans, units, users};

const ENTITY: &str = "calendar_feeds";
/// Most feeds one person keeps.
const MAX_FEEDS: usize = 20;

fn to_model(m: calendar_feeds::Model) -> CalendarFeed {
    CalendarFeed { id: m.id, unit_id: m.unit_id, label: m.label, created_at: m.created_at, revoked_at: m.revoked_at }
}

/// The address of a feed's secret.
pub fn feed_url(public_url: &str, secret: &str) -> String {
    format!("{}/calendar/{secret}.ics", public_url.trim_end_matches('/'))
}

/// Makes a feed for the caller: their own tasks' deadlines, or one unit's. A unit
/// officer may narrow only to their own unit. The address is returned once.
pub async fn create_feed(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    public_url: &str,
    input: CalendarFeedInput,
) -> Result<NewCalendarFeed> {
    require(actor, Action::Read)?;
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    let txn = db.begin_write().await?;
    let label = match input.unit_id {
        Some(u) => {
            let unit = units::find(&*txn, u).await?;
            let visible = unit.as_ref().is_some_and(|x| {
                super::access::in_scope(actor, x.issuer_id)
                    && (actor.role != Some(Role::UnitOfficer) || actor.unit_id == Some(x.id))
            });
            match unit.filter(|_| visible) {
                Some(x) => format!("Hạn nhiệm vụ: {}", x.name),
                None => return Err(AppError::field("unit_id", unknown_ref("đơn vị / unit"))),
            }
        }
        None => "Hạn nhiệm vụ".to_owned(),
    };
    let mine = calendar_feeds::live_of_user(&*txn, user_id).await?;
    if mine.len() >= MAX_FEEDS {
        return Err(AppError::conflict(
            "too_many_feeds",
            format!(
                "Tối đa {MAX_FEEDS} địa chỉ lịch; hãy thu hồi bớt / at most {MAX_FEEDS} calendar feeds; revoke one"
            ),
        ));
    }
    let secret = auth::secret();
    let m = calendar_feeds::Model {
        id: Uuid::now_v7(),
        user_id,
        unit_id: input.unit_id,
        label,
        secret_hash: auth::digest(&secret),
        created_at: now,
        revoked_at: None,
    };
    let m = calendar_feeds::insert(&*txn, m).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Create, ENTITY, m.id, None, Some(&m))).await?;
    txn.commit().await?;
    Ok(NewCalendarFeed { url: feed_url(public_url, &secret), feed: to_model(m) })
}

/// The caller's feeds, newest first (revoked ones too, marked).
pub async fn list_feeds(db: &Db, actor: &Actor) -> Result<Vec<CalendarFeed>> {
    require(actor, Action::Read)?;
    let Some(user_id) = actor.user_id else { return Ok(Vec::new()) };
    Ok(calendar_feeds::of_user_newest_first(&db.conn, user_id).await?.into_iter().map(to_model).collect())
}

/// Ends one of the caller's feeds; its address answers 404 from then on.
pub async fn revoke_feed(db: &Db, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> Result<CalendarFeed> {
    require(actor, Action::Read)?;
    let txn = db.begin_write().await?;
    let before = calendar_feeds::find(&*txn, id)
        .await?
        .filter(|f| Some(f.user_id) == actor.user_id)
        .ok_or_else(|| not_found("calendar feed"))?;
    if before.revoked_at.is_some() {
        return Ok(to_model(before));
    }
    let mut after = before.clone();
    after.revoked_at = Some(now);
    let after = calendar_feeds::save(&*txn, after).await?;
    audited(&*txn, actor, now, super::Change::of(AuditAction::Revoke, ENTITY, id, Some(&before), Some(&after))).await?;
    txn.commit().await?;
    Ok(to_model(after))
}

/// The iCalendar text behind a feed's secret: the deadlines of this year's and last
/// year's plans its maker may see (narrowed to its unit), each with alarms on the
/// reminder days (`server` policy, or the plan's own). 404 for an unknown or revoked
/// secret, or a maker who has left.
pub async fn feed_ics(db: &Db, secret: &str, now: DateTime<Utc>, public_url: &str, server: &Policy) -> Result<String> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found("calendar feed"));
    }
    let feed = calendar_feeds::live_with_secret(&db.conn, &auth::digest(secret))
        .await?
        .ok_or_else(|| not_found("calendar feed"))?;
    let user = users::find(&db.conn, feed.user_id)
        .await?
        .filter(|u| u.deactivated_at.is_none())
        .ok_or_else(|| not_found("calendar feed"))?;
    let actor = auth::actor_of(&user, None);
    let today = super::local_date(now);
    let unit = feed.unit_id.or(figures::own_unit(&actor));
    let mut events = Vec::new();
    let open = plans::from_year(&db.conn, today.year() - 1, actor.issuer_id).await?;
    for id in open.into_iter().map(|p| p.id) {
        let plan = super::plans::get_plan(db, &actor, id).await?;
        let policy = plan.data.reminder_policy.as_ref().map_or_else(|| server.clone(), |r| r.to_domain());
        // The same kept snapshot as the dashboard: tasks, results and units in one read.
        let s = figures::snapshot(db, &actor, plan, unit).await?;
        for t in &s.tasks {
            let Some(deadline) = t.data.deadline.map(|d| d.0) else { continue };
            let st = figures::standing(t, s.results.get(&t.id), today);
            let lead = t.data.lead_unit_id.and_then(|u| s.units.get(&u)).map(|u| u.data.name.clone());
            let alarms = if matches!(st, Standing::Accepted | Standing::Submitted) {
                Vec::new()
            } else {
                calendar_days_before(&policy, deadline)
            };
            let excerpt: String = t.data.text.chars().take(120).collect();
            events.push(Event {
                uid: format!("{}@nhiemvu", t.id),
                date: deadline,
                summary: format!("Hạn {}: {excerpt}", t.data.code),
                description: format!(
                    "{}\nĐơn vị chủ trì: {}\nTình trạng: {}\nKế hoạch: {}",
                    t.data.text,
                    lead.unwrap_or_else(|| "(chưa giao)".into()),
                    st.label(),
                    s.plan.data.title
                ),
                url: format!("{}/tasks/{}", public_url.trim_end_matches('/'), t.id),
                alarms_days_before: alarms,
                stamp: t.updated_at,
            });
        }
    }
    events.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.uid.cmp(&b.uid)));
    Ok(ical::calendar(&feed.label, &events))
}

/// The reminder offsets as calendar days before `deadline` (working days counted
/// back over weekends and holidays when the policy counts working days).
fn calendar_days_before(policy: &Policy, deadline: chrono::NaiveDate) -> Vec<i64> {
    let mut out: Vec<i64> = policy
        .offsets
        .iter()
        .map(|&n| {
            if !policy.working_days || n == 0 {
                return n;
            }
            let mut d = deadline;
            let mut left = n;
            while left > 0 && (deadline - d).num_days() < 366 {
                d -= Duration::days(1);
                if policy.is_working_day(d) {
                    left -= 1;
                }
            }
            (deadline - d).num_days()
        })
        .collect();
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    out
}
