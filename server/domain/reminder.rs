//! When a task is due a reminder: offsets before its deadline (7, 3, 1 days and the
//! day itself by default) and a repeat while it is overdue (every 3 days), counted in
//! calendar days or in working days (no weekends, no public holidays).
//!
//! A threshold a scan missed (the server was down that day) is caught up by the next
//! scan: the most urgent threshold reached is the one reminded, and each threshold
//! has a stable key so it is reminded once.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The reminder policy of a plan (or the server's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Days before the deadline, e.g. [7, 3, 1, 0] (0: the day itself).
    pub offsets: Vec<i64>,
    /// Remind again every this many days while overdue (0: never).
    pub overdue_every: i64,
    /// Count working days (weekends and holidays skipped) instead of calendar days.
    pub working_days: bool,
    /// Public holidays (working-day mode).
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { offsets: vec![7, 3, 1, 0], overdue_every: 3, working_days: false, holidays: BTreeSet::new() }
    }
}

/// Which reminder a task is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Threshold {
    /// `n` days before the deadline (0: due today).
    Before(i64),
    /// The `k`-th overdue period (k ≥ 1): `k × overdue_every` days late.
    Overdue(i64),
}

impl Threshold {
    /// Stable key of this threshold for a task ("before:3", "overdue:2").
    pub fn key(&self) -> String {
        match self {
            Threshold::Before(n) => format!("before:{n}"),
            Threshold::Overdue(k) => format!("overdue:{k}"),
        }
    }

    /// How a reminder describes it, in Vietnamese.
    pub fn describe(&self, days_late: i64) -> String {
        match self {
            Threshold::Before(0) => "đến hạn hôm nay".into(),
            Threshold::Before(n) => format!("còn {n} ngày"),
            Threshold::Overdue(_) => format!("đã quá hạn {days_late} ngày"),
        }
    }
}

impl Policy {
    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// Days from `a` to `b` (b ≥ a) in this policy's counting.
    pub fn days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if !self.working_days {
            return (b - a).num_days();
        }
        let mut n = 0;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The threshold a task with `deadline` has reached on `today`, if any.
    pub fn due(&self, today: NaiveDate, deadline: NaiveDate) -> Option<Threshold> {
        if self.working_days && !self.is_working_day(today) {
            return None;
        }
        if today <= deadline {
            let left = self.days_between(today, deadline);
            // The most urgent offset already reached (catches up a missed day).
            return self.offsets.iter().copied().filter(|o| *o >= left).min().map(Threshold::Before);
        }
        if self.overdue_every <= 0 {
            return None;
        }
        let late = self.days_between(deadline, today);
        let k = late / self.overdue_every;
        (k >= 1).then_some(Threshold::Overdue(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn calendar_reminders_fall_seven_three_one_and_zero_days_before_then_every_three_days() {
        let p = Policy::default();
        let deadline = d(12, 15);
        let on = |day| p.due(d(12, day), deadline).map(|t| t.key());
        assert_eq!(on(7), None);
        assert_eq!(on(8).as_deref(), Some("before:7"));
        assert_eq!(on(9).as_deref(), Some("before:7"), "same threshold: reminded once by key");
        assert_eq!(on(12).as_deref(), Some("before:3"));
        assert_eq!(on(14).as_deref(), Some("before:1"));
        assert_eq!(on(15).as_deref(), Some("before:0"));
        assert_eq!(on(16), None);
        assert_eq!(on(18).as_deref(), Some("overdue:1"));
        assert_eq!(on(20).as_deref(), Some("overdue:1"));
        assert_eq!(on(21).as_deref(), Some("overdue:2"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let mut p = Policy { working_days: true, ..Policy::default() };
        p.holidays.insert(d(12, 13));
        // Deadline Monday 16 Dec 2024; Friday 13th is a holiday, 14–15 a weekend.
        let deadline = d(12, 16);
        assert_eq!(p.days_between(d(12, 12), deadline), 1);
        assert_eq!(p.due(d(12, 12), deadline), Some(Threshold::Before(1)));
        assert_eq!(p.due(d(12, 14), deadline), None, "no reminders on a Saturday");
        assert_eq!(p.days_between(d(12, 6), deadline), 5, "9, 10, 11, 12 and 16 December");
        assert_eq!(p.due(d(12, 6), deadline), Some(Threshold::Before(7)));
        assert_eq!(p.due(d(12, 10), deadline), Some(Threshold::Before(3)), "11, 12 and 16 December");
    }
}
