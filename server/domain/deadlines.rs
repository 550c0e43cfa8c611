//! Deadlines as the Government counts them: the four-way status of a task ("hoàn thành
//! đúng hạn / quá hạn", "chưa hoàn thành, còn hạn / quá hạn"), the risk flag "Nguy cơ
//! chậm" when the time gone outruns the targets' progress, and each issuer's rules for
//! who decides deadline changes and when an overdue task is escalated.
//!
//! A task is done when the office has accepted its result; it was done on time when
//! the unit's report came by the deadline in force (an extended deadline counts, and the
//! task then says "đã gia hạn").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Timeliness;

/// An issuer's deadline rules (defaults in [`DeadlineRules::default`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlineRules {
    /// Extension and withdrawal requests are decided by the chairman (a signer), not
    /// the office.
    pub signer_decides: bool,
    /// Overdue by this many working days: the task goes on the chairman's dashboard and
    /// into a digest to the chairman (0: never).
    pub tell_chairman_after: u32,
    /// Overdue by this many working days: an urging letter is drafted for the office
    /// (0: never).
    pub draft_letter_after: u32,
    /// An explanation request unanswered by its date is told to the chairman.
    pub tell_chairman_unanswered: bool,
    /// "Nguy cơ chậm" when at least this share of the time (per cent) is gone …
    pub risk_time_percent: u32,
    /// … and the numeric targets stand below this share of their goals (per cent).
    pub risk_progress_percent: u32,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            signer_decides: false,
            tell_chairman_after: 5,
            draft_letter_after: 10,
            tell_chairman_unanswered: true,
            risk_time_percent: 75,
            risk_progress_percent: 50,
        }
    }
}

impl DeadlineRules {
    /// The largest number of working days a rule may wait.
    pub const MAX_DAYS: u32 = 250;

    /// What is wrong with the rules, by field.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (field, v) in
            [("tell_chairman_after", self.tell_chairman_after), ("draft_letter_after", self.draft_letter_after)]
        {
            if v > Self::MAX_DAYS {
                out.push((
                    field,
                    format!("Từ 0 đến {} ngày làm việc / 0 to {} working days", Self::MAX_DAYS, Self::MAX_DAYS),
                ));
            }
        }
        for (field, v) in
            [("risk_time_percent", self.risk_time_percent), ("risk_progress_percent", self.risk_progress_percent)]
        {
            if !(1..=100).contains(&v) {
                out.push((field, "Từ 1 đến 100 (%) / 1 to 100 per cent".to_owned()));
            }
        }
        out
    }
}

/// Where a task stands against its deadline in force on `today`; `None` without a
/// deadline. `done_on` is the day the accepted result was reported.
pub fn timeliness(deadline: Option<NaiveDate>, done_on: Option<NaiveDate>, today: NaiveDate) -> Option<Timeliness> {
    let deadline = deadline?;
    Some(match done_on {
        Some(d) if d <= deadline => Timeliness::DoneOnTime,
        Some(_) => Timeliness::DoneLate,
        None if today <= deadline => Timeliness::OpenInTime,
        None => Timeliness::OpenLate,
    })
}

/// A numeric target's numbers: goal, baseline, value reached.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    /// The goal.
    pub goal: Option<f64>,
    /// Where it started (0 when not given).
    pub baseline: Option<f64>,
    /// The value reached so far.
    pub actual: Option<f64>,
}

/// How far the numeric targets are towards their goals, 0–1 (the mean of each target's
/// share, a target without a value counting 0); `None` when no target has a goal.
pub fn progress(targets: impl IntoIterator<Item = Figures>) -> Option<f64> {
    let shares: Vec<f64> = targets
        .into_iter()
        .filter_map(|t| {
            let goal = t.goal.filter(|g| g.is_finite())?;
            let base = t.baseline.filter(|b| b.is_finite()).unwrap_or(0.0);
            let span = goal - base;
            if span.abs() < f64::EPSILON {
                return None;
            }
            let done = t.actual.filter(|a| a.is_finite()).map_or(0.0, |a| (a - base) / span);
            Some(done.clamp(0.0, 1.0))
        })
        .collect();
    (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64)
}

/// "Nguy cơ chậm": an open task, not yet late, whose time from `start` to `deadline`
/// is at least `risk_time_percent` gone on `today` while its targets stand below
/// `risk_progress_percent` of their goals. A task without a numeric goal is never
/// flagged by its numbers.
pub fn at_risk(
    rules: &DeadlineRules,
    start: NaiveDate,
    deadline: NaiveDate,
    today: NaiveDate,
    progress: Option<f64>,
) -> bool {
    let Some(progress) = progress else { return false };
    if today > deadline || today < start {
        return false;
    }
    let span = (deadline - start).num_days().max(1) as f64;
    let gone = (today - start).num_days() as f64 / span;
    gone * 100.0 >= f64::from(rules.risk_time_percent) && progress * 100.0 < f64::from(rules.risk_progress_percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_four_ways_meet_at_the_deadline_day() {
        let due = Some(d(6, 30));
        assert_eq!(timeliness(due, Some(d(6, 30)), d(12, 1)), Some(Timeliness::DoneOnTime));
        assert_eq!(timeliness(due, Some(d(7, 1)), d(12, 1)), Some(Timeliness::DoneLate));
        assert_eq!(timeliness(due, None, d(6, 30)), Some(Timeliness::OpenInTime));
        assert_eq!(timeliness(due, None, d(7, 1)), Some(Timeliness::OpenLate));
        assert_eq!(timeliness(None, None, d(7, 1)), None);
    }

    #[test]
    fn risk_needs_both_the_time_gone_and_the_numbers_behind() {
        let r = DeadlineRules::default();
        let half = Figures { goal: Some(100.0), baseline: None, actual: Some(40.0) };
        let p = progress([half]);
        assert_eq!(p, Some(0.4));
        // 80 % of the time gone, 40 % of the goal: at risk.
        assert!(at_risk(&r, d(1, 1), d(1, 11), d(1, 9), p));
        // 70 % gone: not yet.
        assert!(!at_risk(&r, d(1, 1), d(1, 11), d(1, 8), p));
        // The numbers at 50 %: not at risk.
        assert!(!at_risk(&r, d(1, 1), d(1, 11), d(1, 9), Some(0.5)));
        // No numeric goal: never by numbers; past the deadline it is late, not at risk.
        assert!(!at_risk(&r, d(1, 1), d(1, 11), d(1, 9), None));
        assert!(!at_risk(&r, d(1, 1), d(1, 11), d(1, 12), p));
    }

    #[test]
    fn progress_is_the_mean_share_from_the_baseline() {
        let t = |goal, baseline, actual| Figures { goal: Some(goal), baseline, actual };
        assert_eq!(progress([t(10.0, Some(5.0), Some(7.5)), t(4.0, None, None)]), Some(0.25));
        assert_eq!(progress([t(10.0, None, Some(30.0))]), Some(1.0));
        assert_eq!(progress([Figures { goal: None, baseline: None, actual: Some(1.0) }]), None);
    }

    #[test]
    fn rules_out_of_range_are_named() {
        let bad = DeadlineRules { draft_letter_after: 999, risk_time_percent: 0, ..Default::default() };
        let fields: Vec<_> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["draft_letter_after", "risk_time_percent"]);
        assert!(DeadlineRules::default().problems().is_empty());
    }
}
