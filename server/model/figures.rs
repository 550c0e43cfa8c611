//! A plan's figures at a glance: where its tasks stand, per lead unit and per group.

use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// Where a task stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// No lead unit or no deadline yet (chưa giao).
    Unassigned,
    /// Deadline more than two weeks away, not reported.
    OnTrack,
    /// Deadline within two weeks, not reported.
    DueSoon,
    /// Deadline passed, not reported.
    Overdue,
    /// Reported, waiting for the office.
    Submitted,
    /// Accepted by the office.
    Accepted,
}

impl Standing {
    /// Every standing, in the dashboard's order.
    pub const ALL: [Standing; 6] = [
        Standing::Unassigned,
        Standing::OnTrack,
        Standing::DueSoon,
        Standing::Overdue,
        Standing::Submitted,
        Standing::Accepted,
    ];

    /// The stable code ("due_soon").
    pub fn code(self) -> &'static str {
        match self {
            Standing::Unassigned => "unassigned",
            Standing::OnTrack => "on_track",
            Standing::DueSoon => "due_soon",
            Standing::Overdue => "overdue",
            Standing::Submitted => "submitted",
            Standing::Accepted => "accepted",
        }
    }

    /// The standing with this code.
    pub fn from_code(code: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Its Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Unassigned => "Chưa giao",
            Standing::OnTrack => "Đúng tiến độ",
            Standing::DueSoon => "Sắp đến hạn",
            Standing::Overdue => "Quá hạn",
            Standing::Submitted => "Chờ duyệt",
            Standing::Accepted => "Đã chấp nhận",
        }
    }
}

impl crate::domain::vocab::Vocabulary for Standing {
    const ALL_CODES: &'static [&'static str] =
        &["unassigned", "on_track", "due_soon", "overdue", "submitted", "accepted"];
    const ALL: &'static [Standing] = &Standing::ALL;
    fn code(self) -> &'static str {
        Standing::code(self)
    }
    fn label(self) -> &'static str {
        Standing::label(self)
    }
}

/// How many tasks stand where.
#[derive(Debug, Clone, Default, Object, serde::Serialize)]
pub struct Counts {
    /// No lead unit or no deadline.
    pub unassigned: u32,
    /// Not due within two weeks.
    pub on_track: u32,
    /// Due within two weeks.
    pub due_soon: u32,
    /// Past the deadline, not reported.
    pub overdue: u32,
    /// Reported, waiting for review.
    pub submitted: u32,
    /// Accepted.
    pub accepted: u32,
    /// All of them.
    pub total: u32,
    /// Hoàn thành đúng hạn: accepted, reported by the deadline in force.
    pub done_on_time: u32,
    /// … of which against an extended deadline ("đã gia hạn").
    pub done_on_time_extended: u32,
    /// Hoàn thành quá hạn: accepted, reported after the deadline.
    pub done_late: u32,
    /// Chưa hoàn thành, còn hạn.
    pub open_in_time: u32,
    /// Chưa hoàn thành, quá hạn.
    pub open_late: u32,
    /// Nguy cơ chậm: open, in time, the targets behind the time gone.
    pub at_risk: u32,
}

impl Counts {
    /// Counts one more task standing `s`.
    pub fn add(&mut self, s: Standing) {
        self.total += 1;
        *match s {
            Standing::Unassigned => &mut self.unassigned,
            Standing::OnTrack => &mut self.on_track,
            Standing::DueSoon => &mut self.due_soon,
            Standing::Overdue => &mut self.overdue,
            Standing::Submitted => &mut self.submitted,
            Standing::Accepted => &mut self.accepted,
        } += 1;
    }

    /// Counts one more task by the Government's four ways (none without a deadline).
    pub fn add_timeliness(&mut self, t: Option<crate::domain::Timeliness>, extended: bool, at_risk: bool) {
        use crate::domain::Timeliness as T;
        match t {
            Some(T::DoneOnTime) => {
                self.done_on_time += 1;
                self.done_on_time_extended += u32::from(extended);
            }
            Some(T::DoneLate) => self.done_late += 1,
            Some(T::OpenInTime) => self.open_in_time += 1,
            Some(T::OpenLate) => self.open_late += 1,
            None => {}
        }
        self.at_risk += u32::from(at_risk);
    }

    /// The count of one of the four ways.
    pub fn of_timeliness(&self, t: crate::domain::Timeliness) -> u32 {
        use crate::domain::Timeliness as T;
        match t {
            T::DoneOnTime => self.done_on_time,
            T::DoneLate => self.done_late,
            T::OpenInTime => self.open_in_time,
            T::OpenLate => self.open_late,
        }
    }

    /// The count of one standing.
    pub fn of(&self, s: Standing) -> u32 {
        match s {
            Standing::Unassigned => self.unassigned,
            Standing::OnTrack => self.on_track,
            Standing::DueSoon => self.due_soon,
            Standing::Overdue => self.overdue,
            Standing::Submitted => self.submitted,
            Standing::Accepted => self.accepted,
        }
    }
}

/// One row of the figures: a lead unit (or none) or a group.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct FigureRow {
    /// The unit's or group's id; absent for the tasks with no lead unit.
    pub id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// Its tasks by standing.
    pub counts: Counts,
}

/// A task past its deadline.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct LateTask {
    /// The task.
    pub task_id: Uuid,
    /// Its code.
    pub code: String,
    /// Its text.
    pub text: String,
    /// Its lead unit.
    pub lead_unit_id: Option<Uuid>,
    /// Its deadline.
    pub deadline: chrono::NaiveDate,
    /// Days past it.
    pub days_late: i64,
}

/// A plan's figures on one day.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PlanFigures {
    /// The plan.
    pub plan_id: Uuid,
    /// The day they were counted on (local date).
    pub today: chrono::NaiveDate,
    /// All tasks.
    pub totals: Counts,
    /// Per lead unit, by name; tasks with no lead unit last.
    pub by_unit: Vec<FigureRow>,
    /// Per group, in the plan's order.
    pub by_group: Vec<FigureRow>,
    /// Overdue tasks, the longest overdue first.
    pub overdue: Vec<LateTask>,
    /// Tasks at risk of being late ("Nguy cơ chậm"), the nearest deadline first.
    pub at_risk: Vec<LateTask>,
}

/// One problem of an imported spreadsheet, where Excel shows it.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ImportProblem {
    /// The row as Excel numbers it (the header is row 1).
    pub row: u32,
    /// The column's heading in the template ("Đơn vị chủ trì").
    pub column: String,
    /// The cell ("D7").
    pub cell: String,
    /// What is wrong, in Vietnamese and English.
    pub message: String,
}

/// One task as an import read it, and what it does to the plan.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ImportItem {
    /// The task's first row as Excel numbers it.
    pub row: u32,
    /// Its code ("1.4").
    pub code: String,
    /// Its text, cut at 300 characters.
    pub text: String,
    /// created, updated or unchanged.
    pub action: String,
    /// What changed, in Vietnamese ("hạn", "chỉ tiêu"), for an updated task.
    pub changes: Vec<String>,
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ImportReport {
    /// Only checked; nothing was written.
    pub dry_run: bool,
    /// Rows read (blank rows not counted).
    pub rows: u32,
    /// Tasks in the file.
    pub tasks: u32,
    /// Groups added to the plan.
    pub groups_created: u32,
    /// Tasks added.
    pub tasks_created: u32,
    /// Tasks whose fields or targets changed.
    pub tasks_updated: u32,
    /// Tasks already as the file says.
    pub tasks_unchanged: u32,
    /// Every problem found; while there is one nothing is written.
    pub problems: Vec<ImportProblem>,
    /// The first tasks read (at most 1,000), in the file's order, each with what it does.
    pub items: Vec<ImportItem>,
}

/// A new calendar feed: everything the caller may see, or one unit's tasks.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct CalendarFeedInput {
    /// Narrow the feed to the tasks this unit leads or co-operates on.
    #[oai(default)]
    pub unit_id: Option<Uuid>,
}

/// A calendar feed (its secret address is shown only when it is made).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct CalendarFeed {
    /// Record id.
    pub id: Uuid,
    /// The unit it is narrowed to.
    pub unit_id: Option<Uuid>,
    /// Its name in the calendar program.
    pub label: String,
    /// When made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When revoked; its address no longer answers.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A feed just made, with its secret address (not shown again).
#[derive(Debug, Clone, Object)]
pub struct NewCalendarFeed {
    /// The feed.
    pub feed: CalendarFeed,
    /// The address to subscribe to (iCalendar); anyone who has it sees the deadlines.
    pub url: String,
}
