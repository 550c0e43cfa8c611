//! Plans and what they hold: groups, tasks, targets, results and proposals.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// One issuer's key tasks for one year.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct PlanInput {
    /// The issuer.
    pub issuer_id: Uuid,
    /// The year, e.g. 2024; one plan per issuer and year.
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub year: i32,
    /// Title, e.g. "Nhiệm vụ trọng tâm năm 2024".
    #[oai(validator(max_length = 1000))]
    pub title: String,
    /// Documents the plan is based on, as free-text references.
    #[oai(default)]
    #[oai(validator(max_items = 50, max_length = 1000))]
    pub based_on: Vec<String>,
    /// Rubric; omitted: the issuer's default (the reference report's bands).
    #[oai(nullable)]
    pub rubric_id: Option<Uuid>,
    /// This plan's reminder policy; omitted: the server's (`[reminders]` in the config).
    #[oai(nullable)]
    pub reminder_policy: Option<ReminderPolicy>,
}

/// When the units of a plan are reminded of their deadlines.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ReminderPolicy {
    /// Days before a deadline on which the unit is reminded (0: the day itself).
    #[oai(validator(max_items = 20, minimum(value = "0"), maximum(value = "366")))]
    pub offsets_days: Vec<i64>,
    /// While overdue, remind again every this many days (0: never).
    #[oai(validator(minimum(value = "0"), maximum(value = "366")))]
    pub overdue_every_days: i64,
    /// Count working days — the Vietnamese calendar: weekends, public holidays (Tết
    /// computed from the lunar calendar) and the government's published swaps — instead
    /// of calendar days. Default true.
    #[oai(default = "yes")]
    #[serde(default = "yes")]
    pub working_days: bool,
    /// Days off this office adds to that calendar.
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_items = 100))]
    pub holidays: Vec<super::Date>,
    /// Days this office works although the calendar has them off (a Saturday made up).
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_items = 100))]
    pub workdays: Vec<super::Date>,
}

fn yes() -> bool {
    true
}

impl ReminderPolicy {
    /// The policy as the domain rules take it.
    pub fn to_domain(&self) -> crate::domain::reminder::Policy {
        crate::domain::reminder::Policy {
            offsets: self.offsets_days.clone(),
            overdue_every: self.overdue_every_days,
            working_days: self.working_days,
            holidays: self.holidays.iter().map(|d| d.0).collect(),
            workdays: self.workdays.iter().map(|d| d.0).collect(),
        }
    }
}

/// A stored plan.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Plan {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved (rubric_id always set).
    #[oai(flatten)]
    pub data: PlanInput,
    /// Set once the plan's report is issued: its tasks, targets and results are then
    /// what the report says, and change only while a correction of it is prepared.
    pub closed_by: Option<PlanClosure>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// The issued report that closed a plan, and the correction that reopens it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct PlanClosure {
    /// The issued report.
    pub report_id: Uuid,
    /// Its number and year, e.g. "01/2025".
    pub report_number: String,
    /// How a reader cites it: number, symbol and date, e.g. "số 01/BC-UBND ngày 20/12/2025".
    pub report_reference: String,
    /// A correction of the report being prepared: until it is issued (or deleted),
    /// the plan's tasks, targets and results may change.
    pub correction_id: Option<Uuid>,
    /// Why the report is corrected.
    pub correction_reason: Option<String>,
}

/// A group of tasks, e.g. "Nhóm nhiệm vụ về phát triển kinh tế".
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct GroupInput {
    /// The plan.
    pub plan_id: Uuid,
    /// Order in the plan (1, 2, …); omitted: after the last.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    #[oai(nullable)]
    pub position: Option<i32>,
    /// Heading printed above its tasks.
    #[oai(validator(max_length = 1000))]
    pub title: String,
    /// Name in the summary sentence, when it differs from the heading.
    #[oai(validator(max_length = 1000))]
    #[oai(nullable)]
    pub summary_title: Option<String>,
}

/// A stored group.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Group {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved (position always set).
    #[oai(flatten)]
    pub data: GroupInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A key task.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct TaskInput {
    /// The group (and so the plan).
    pub group_id: Uuid,
    /// Code, unique in the plan, e.g. "1.1".
    #[oai(validator(max_length = 50))]
    pub code: String,
    /// Order in the group; omitted: after the last.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    #[oai(nullable)]
    pub position: Option<i32>,
    /// The task as assigned.
    #[oai(validator(max_length = 5000))]
    pub text: String,
    /// Lead unit.
    #[oai(nullable)]
    pub lead_unit_id: Option<Uuid>,
    /// Co-operating units.
    #[oai(default)]
    #[oai(validator(max_items = 100))]
    pub cooperating_unit_ids: Vec<Uuid>,
    /// Deadline, inside the plan's year (2000–2100).
    #[oai(nullable)]
    pub deadline: Option<super::Date>,
    /// When given, the task's targets become exactly these, in this order, in the
    /// same transaction as the task: a line with an id changes that target (its
    /// reported value stays), a line without one adds a target, and a target not
    /// listed is removed. Omitted: the targets stay as they are. Never returned.
    #[oai(validator(max_items = 100))]
    #[oai(nullable)]
    pub set_targets: Option<Vec<TargetLine>>,
}

/// One target as the office assigns it (the unit reports its value separately).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct TargetLine {
    /// The target to change; omitted: a new target.
    #[oai(nullable)]
    pub id: Option<Uuid>,
    /// What is measured, e.g. "Trồng rừng mới".
    #[oai(validator(max_length = 5000))]
    pub description: String,
    /// Unit of measure, e.g. "ha", "triệu đồng", "%".
    #[oai(nullable, validator(max_length = 50))]
    pub measure_unit: Option<String>,
    /// Goal value.
    #[oai(nullable, validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub goal_value: Option<f64>,
}

/// A stored task with its targets.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Task {
    /// Record id.
    pub id: Uuid,
    /// The plan (from the group).
    pub plan_id: Uuid,
    /// The fields as last saved (position always set).
    #[oai(flatten)]
    pub data: TaskInput,
    /// The task's measurable targets, in order.
    pub targets: Vec<Target>,
    /// When archived: the task keeps its result and history but leaves the lists,
    /// figures, reports, reminders and next year's copy until restored.
    pub archived_at: Option<DateTime<Utc>>,
    /// Why it was archived.
    pub archive_reason: Option<String>,
    /// The deadline first set, when an extension has since moved it.
    pub original_deadline: Option<super::Date>,
    /// When the task was withdrawn (a withdrawal request approved); it is archived too.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Why: the reason an archive or a correction is made.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct ReasonInput {
    /// The reason, kept in the record and its audit trail.
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub reason: String,
}

/// One measurable goal inside a task.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct TargetInput {
    /// The task.
    pub task_id: Uuid,
    /// Order in the task; omitted: after the last.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    #[oai(nullable)]
    pub position: Option<i32>,
    /// What is measured, e.g. "Trồng rừng mới".
    #[oai(validator(max_length = 5000))]
    pub description: String,
    /// Unit of measure, e.g. "ha", "triệu đồng", "%".
    #[oai(validator(max_length = 50))]
    #[oai(nullable)]
    pub measure_unit: Option<String>,
    /// Goal value.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    #[oai(nullable)]
    pub goal_value: Option<f64>,
    /// Value at the start.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    #[oai(nullable)]
    pub baseline_value: Option<f64>,
    /// Value reached so far.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    #[oai(nullable)]
    pub actual_value: Option<f64>,
    /// Forecast for the year end.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    #[oai(nullable)]
    pub forecast_value: Option<f64>,
    /// Date the actual value refers to (2000–2100).
    #[oai(nullable)]
    pub as_of: Option<super::Date>,
    /// exceeded (vượt), met (đạt), expected_met (dự kiến đạt) or not_met (không đạt).
    #[oai(validator(max_length = 64))]
    #[oai(nullable)]
    pub status: Option<super::Code<crate::domain::TargetStatus>>,
}

/// A stored target.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Target {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved (position always set).
    #[oai(flatten)]
    pub data: TargetInput,
    /// The status the numbers suggest (actual against goal); a person confirms it.
    pub suggested_status: Option<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// The lead unit's account of a task.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ResultInput {
    /// The task; one result per task.
    pub task_id: Uuid,
    /// Restricted Markdown: paragraphs, "- " and "+ " lines, **bold**, *italic*, footnotes.
    #[oai(validator(max_length = 50000))]
    pub narrative: String,
    /// Self-score 0–100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    #[oai(nullable)]
    pub self_score: Option<i32>,
    /// A rating other than the rubric's; needs `override_reason`.
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub rating_override: Option<String>,
    /// Why the rating differs from the rubric's.
    #[oai(validator(max_length = 5000))]
    #[oai(nullable)]
    pub override_reason: Option<String>,
    /// draft, submitted, returned or accepted. Read-only for people: the state changes
    /// through `submit`, `accept`, `return` and `reopen`.
    #[oai(validator(max_length = 64))]
    #[oai(nullable)]
    pub state: Option<super::Code<crate::domain::ResultState>>,
}

/// One step of a result's review, from the audit trail: who sent it, returned it
/// (with the comment), accepted or reopened it, and when.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ReviewEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// submit, return, accept or reopen (and, in a task's history, what else was done to it).
    pub action: crate::domain::AuditAction,
    /// The same in Vietnamese.
    pub action_label: String,
    /// Who (their name), if a person.
    pub by: Option<String>,
    /// The office's comment, on a return.
    pub comment: Option<String>,
}

/// A stored result.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct TaskResult {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved (state always set).
    #[oai(flatten)]
    pub data: ResultInput,
    /// The rating the plan's rubric gives the self-score.
    pub proposed_rating: Option<String>,
    /// The rating printed: the override if any, else the proposed one.
    pub final_rating: Option<String>,
    /// Whether the rating differs from the rubric's (the office should look at the reason).
    pub flagged: bool,
    /// The office's comment when returned or reopened.
    pub review_comment: Option<String>,
    /// When the unit last submitted it.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who last accepted, returned or reopened it.
    pub reviewed_by: Option<Uuid>,
    /// When.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A task proposed for next year.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ProposalInput {
    /// The plan whose report proposes it.
    pub plan_id: Uuid,
    /// issuer, communes_common or commune_specific.
    #[oai(validator(max_length = 64))]
    pub section: super::Code<crate::domain::ProposalSection>,
    /// Order in the section; omitted: after the last.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    #[oai(nullable)]
    pub position: Option<i32>,
    /// The proposed task (restricted Markdown).
    #[oai(validator(max_length = 5000))]
    pub text: String,
    /// The commune or department it concerns.
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
    /// The place it concerns, named as text where it is not a unit — a village
    /// (thôn), a school — e.g. "Thôn Tân Lập"; printed in the appendix row.
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub place: Option<String>,
}

/// A stored proposal.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Proposal {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved (position always set).
    #[oai(flatten)]
    pub data: ProposalInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// What `carry-forward` created.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct CarryForward {
    /// The new plan.
    pub plan: Plan,
    /// Groups created (one per proposal section that had proposals).
    pub groups: u64,
    /// Tasks created from proposals.
    pub tasks: u64,
}

/// A value a target reached, in a report.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ActualValue {
    /// The target (of this task).
    pub target_id: Uuid,
    /// The value reached; omitted or null: not known yet.
    #[oai(nullable, validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub value: Option<f64>,
}

/// A lead unit's report on a task, saved in one transaction: the narrative, the
/// self-score, the values its targets reached and, if asked, the submit step.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ReportInput {
    /// Restricted Markdown: paragraphs, "- " and "+ " lines, **bold**, *italic*, footnotes.
    #[oai(validator(max_length = 50000))]
    pub narrative: String,
    /// Self-score 0–100.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "100")))]
    pub self_score: Option<i32>,
    /// Values the task's targets reached.
    #[oai(default, validator(max_items = 1000))]
    pub actuals: Vec<ActualValue>,
    /// Send the result to the office after saving it.
    #[oai(default)]
    pub submit: bool,
}

/// What a co-operating unit reports on a task it helps with ("ý kiến/kết quả
/// phối hợp"); the lead unit and the office read it beside the result.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ContributionInput {
    /// Restricted Markdown, as for a result's narrative.
    #[oai(validator(max_length = 20000))]
    pub text: String,
    /// The co-operating unit it is for: a unit officer's own unit when omitted
    /// (the office names the unit when entering it on a unit's behalf).
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
}

/// A stored contribution.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Contribution {
    /// Record id.
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// The co-operating unit.
    pub unit_id: Uuid,
    /// Restricted Markdown.
    pub text: String,
    /// Who last saved it.
    pub updated_by: Option<Uuid>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}
