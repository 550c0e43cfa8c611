//! When a task is due a reminder: offsets before its deadline (7, 3, 1 days and the
//! day itself by default) and a repeat while it is overdue (every 3 days), counted in
//! calendar days or in working days: by default the Vietnamese calendar of
//! [`super::calendar`] (weekends, public holidays and the government's swaps), plus
//! the days an office adds.
//!
//! A threshold a scan missed (the server was down that day) is caught up by the next
//! scan: the most urgent threshold reached is the one reminded, and each threshold
//! has a stable key so it is reminded once.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

/// The reminder policy of a plan (or the server's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Days before the deadline, e.g. [7, 3, 1, 0] (0: the day itself).
    pub offsets: Vec<i64>,
    /// Remind again every this many days while overdue (0: never).
    pub overdue_every: i64,
    /// Count working days (weekends and holidays skipped) instead of calendar days.
    pub working_days: bool,
    /// Days off the office adds to the Vietnamese calendar (working-day mode).
    pub holidays: BTreeSet<NaiveDate>,
    /// Days the office works although the calendar has them off (a Saturday made up).
    pub workdays: BTreeSet<NaiveDate>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            offsets: vec![7, 3, 1, 0],
            overdue_every: 3,
            working_days: true,
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        }
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
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        match super::calendar::official(d) {
            Some(super::calendar::Day::Holiday(_)) => false,
            Some(super::calendar::Day::MadeUp(_)) => true,
            None => !super::calendar::weekend(d),
        }
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
        let p = Policy { working_days: false, ..Policy::default() };
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
        let mut p = Policy::default();
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

    #[test]
    fn by_default_tet_and_the_made_up_saturday_count_as_the_government_decided() {
        let p = Policy::default();
        let on = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Deadline Monday 23 February 2026, after Tết (16–20 February off): three working
        // days before it is Wednesday 11 February, not the 18th.
        let deadline = on(2026, 2, 23);
        assert_eq!(p.days_between(on(2026, 2, 11), deadline), 3, "12, 13 and 23 February");
        assert_eq!(p.due(on(2026, 2, 11), deadline), Some(Threshold::Before(3)));
        assert_eq!(p.due(on(2026, 2, 18), deadline), None, "no reminder during Tết");
        // Saturday 10 January 2026 was worked in place of Friday 2 January.
        assert!(p.is_working_day(on(2026, 1, 10)) && !p.is_working_day(on(2026, 1, 2)));
        // An office's own days override the calendar: a day off it adds, a Saturday it
        // works, a holiday it works.
        let mut own = Policy::default();
        own.holidays.insert(on(2027, 11, 24));
        own.workdays.insert(on(2027, 11, 27));
        own.workdays.insert(on(2026, 1, 2));
        assert!(!own.is_working_day(on(2027, 11, 24)));
        assert!(own.is_working_day(on(2027, 11, 27)));
        assert!(own.is_working_day(on(2026, 1, 2)));
    }
}
