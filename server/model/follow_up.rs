//! A task's follow-ups over the API: requests to move or withdraw it and their
//! decisions, explanation requests and directions with their answers, urgings, and an
//! issuer's deadline rules.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use super::{Code, Date};
use crate::domain::{AskKind, Decision, FollowUpKind, FollowUpState, RequestKind, UrgeBy};

/// A unit's request for a new deadline (`extension`, with `asked_on`) or for the task to
/// be withdrawn (`withdrawal`).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct ChangeRequestInput {
    /// extension or withdrawal.
    #[oai(validator(max_length = 64))]
    pub kind: Code<RequestKind>,
    /// The deadline asked for (an extension): after today and inside the plan's year.
    #[oai(nullable)]
    pub asked_on: Option<Date>,
    /// Why.
    #[oai(validator(max_length = 2000))]
    pub reason: String,
}

/// The decision on a request: approve, partly (another deadline, `granted_on`, with a
/// reason) or refuse (with a reason).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct DecisionInput {
    /// approve, partly or refuse.
    #[oai(validator(max_length = 64))]
    pub decision: Code<Decision>,
    /// The deadline granted, when partly approved.
    #[oai(nullable)]
    pub granted_on: Option<Date>,
    /// Why (required when refused or partly approved).
    #[oai(validator(max_length = 2000))]
    #[oai(nullable)]
    pub reason: Option<String>,
}

/// A leader's request for an explanation (`explanation`, answered by `answer_by`) or a
/// direction (`direction`), on one task or on every open task a unit leads.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct AskInput {
    /// explanation or direction.
    #[oai(validator(max_length = 64))]
    pub kind: Code<AskKind>,
    /// The question or the direction.
    #[oai(validator(max_length = 5000))]
    pub body: String,
    /// The day to answer by (an explanation).
    #[oai(nullable)]
    pub answer_by: Option<Date>,
}

/// A unit's answer to an explanation request or reply to a direction.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct AnswerInput {
    /// The answer.
    #[oai(validator(max_length = 5000))]
    pub answer: String,
}

/// Urging units about their overdue and at-risk tasks.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct UrgeInput {
    /// The units to urge.
    #[oai(validator(min_items = 1, max_items = 200, unique_items))]
    pub unit_ids: Vec<Uuid>,
    /// mail (the digest now) or letter (a công văn đôn đốc drafted for checking and signing).
    #[oai(validator(max_length = 64))]
    pub by: Code<UrgeBy>,
    /// Letters: one letter for all the units (default) or one each.
    #[oai(default)]
    pub one_each: bool,
    /// The day the units are asked to report by (a letter; default: five working days on).
    #[oai(nullable)]
    pub report_by: Option<Date>,
}

/// What an urging did.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct UrgeOutcome {
    /// The units urged (those with an overdue or at-risk task).
    pub units: u32,
    /// The tasks each urging names.
    pub tasks: u32,
    /// Messages queued (mail).
    pub mails: u32,
    /// The letters drafted (letter).
    pub documents: Vec<Uuid>,
}

/// One line of a task's follow-up.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct FollowUp {
    /// Record id.
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// The task's code.
    pub task_code: String,
    /// The unit concerned.
    pub unit_id: Option<Uuid>,
    /// What it is.
    pub kind: FollowUpKind,
    /// Where it stands.
    pub state: FollowUpState,
    /// The reason, question, direction or note.
    pub body: String,
    /// The deadline asked for, the day to answer by, or the day to report by.
    pub asked_on: Option<Date>,
    /// The deadline granted.
    pub granted_on: Option<Date>,
    /// The answer or reply.
    pub answer: Option<String>,
    /// Why a request was refused or partly approved.
    pub decision_reason: Option<String>,
    /// The urging letter.
    pub document_id: Option<Uuid>,
    /// The urging letter's number and symbol, once issued.
    pub document_symbol: Option<String>,
    /// An escalation's level (1: the chairman told, 2: an urging letter drafted).
    pub level: Option<i32>,
    /// Who opened it.
    pub opened_by: Option<String>,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// Who decided or answered it.
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// An explanation request past its day without an answer.
    pub overdue: bool,
    /// The line as the task's history tells it, in Vietnamese.
    pub summary: String,
}

/// An issuer's deadline rules.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct DeadlineRulesInput {
    /// Extension and withdrawal requests are decided by the chairman (a signer).
    pub signer_decides: bool,
    /// Overdue by this many working days: the chairman is told (0: never).
    #[oai(validator(minimum(value = "0"), maximum(value = "250")))]
    pub tell_chairman_after: u32,
    /// Overdue by this many working days: an urging letter is drafted (0: never).
    #[oai(validator(minimum(value = "0"), maximum(value = "250")))]
    pub draft_letter_after: u32,
    /// An unanswered explanation request past its day is told to the chairman.
    pub tell_chairman_unanswered: bool,
    /// "Nguy cơ chậm" from this share of the time gone (per cent) …
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub risk_time_percent: u32,
    /// … with the targets below this share of their goals (per cent).
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub risk_progress_percent: u32,
}

impl From<crate::domain::deadlines::DeadlineRules> for DeadlineRulesInput {
    fn from(r: crate::domain::deadlines::DeadlineRules) -> Self {
        DeadlineRulesInput {
            signer_decides: r.signer_decides,
            tell_chairman_after: r.tell_chairman_after,
            draft_letter_after: r.draft_letter_after,
            tell_chairman_unanswered: r.tell_chairman_unanswered,
            risk_time_percent: r.risk_time_percent,
            risk_progress_percent: r.risk_progress_percent,
        }
    }
}

impl From<DeadlineRulesInput> for crate::domain::deadlines::DeadlineRules {
    fn from(r: DeadlineRulesInput) -> Self {
        crate::domain::deadlines::DeadlineRules {
            signer_decides: r.signer_decides,
            tell_chairman_after: r.tell_chairman_after,
            draft_letter_after: r.draft_letter_after,
            tell_chairman_unanswered: r.tell_chairman_unanswered,
            risk_time_percent: r.risk_time_percent,
            risk_progress_percent: r.risk_progress_percent,
        }
    }
}
